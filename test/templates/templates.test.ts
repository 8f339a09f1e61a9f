import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RETRYABLE_ERROR_NAMES } from '../../functions/shared/errors';
import { RELEASE_STYLES } from '../../functions/shared/domain/release-plan';
import { limitViolations, platformLimitsSchema } from '../../functions/shared/domain/platform-limits';
import { resolveSettings } from '../../functions/shared/domain/settings';
import { allStates, loadPackagedStateMachines, LOCAL_MANAGED_BY, PACKAGED_TEMPLATE, PROJECT_ROOT, type PackagedStateMachine } from '../../local/packaged-template';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const validateAsl = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}
const template = (): Template => JSON.parse(readFileSync(PACKAGED_TEMPLATE, 'utf8')) as Template;

/** Every action every policy of a role allows, flattened. */
function allowedActions(roleLogicalId: string): string[] {
  const role = template().Resources[roleLogicalId];
  const policies = (role?.Properties?.Policies ?? []) as { PolicyDocument: { Statement: { Effect: string; Action: string | string[] }[] } }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement.filter((s) => s.Effect === 'Allow').flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));
}

const machines = () => loadPackagedStateMachines();
const both = (): [string, PackagedStateMachine][] => {
  const { release, batchScoring } = machines();
  return [
    ['release', release],
    ['batch scoring', batchScoring],
  ];
};

describe('packaged templates (npm run package)', () => {
  it('the CloudFormation template passes cfn-lint with no errors (ignored checks are justified in .cfnlintrc.yaml)', () => {
    // cfn-lint exits non-zero on any error or warning that is not ignored; its output says which.
    const run = () => execFileSync('cfn-lint', [PACKAGED_TEMPLATE], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: 'pipe' });
    expect(run).not.toThrow();
  });

  it('holds two state machines: releases, and batch scoring', () => {
    const ids = Object.entries(template().Resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine').map(([id]) => id);
    expect(ids.sort()).toEqual(['BatchScoringStateMachine', 'ReleaseStateMachine']);
  });

  it.each(both())('the %s state machine, as rendered for deployment, is valid ASL', (_name, { definition }) => {
    const result = validateAsl(definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('a release execution is bounded, and ends while its lease still holds the endpoint, with time left for the recovery it starts', () => {
    const release = machines().release;
    const env = release.functions[0]?.environment ?? {};
    const timeout = release.definition.TimeoutSeconds;
    expect(typeof timeout).toBe('number');
    expect(Number(env.RELEASE_TIMEOUT_SECONDS)).toBe(timeout);
    expect(Number(timeout)).toBeLessThanOrEqual(Number(env.LEASE_SECONDS) - Number(env.ENDPOINT_WAIT_SECONDS));
    // A recovery waits out a Lambda a stopped execution may have left running: as long as the longest one may run.
    expect(Number(env.LAMBDA_TIMEOUT_SECONDS)).toBe(Math.max(...release.functions.map((f) => f.timeoutSeconds)));
  });

  it("the stage's own defaults are within its platform limits (a release that sets nothing is never refused)", () => {
    const env = machines().release.functions.find((f) => f.handlerDir === 'plan-release')?.environment ?? {};
    const limits = platformLimitsSchema.parse(JSON.parse(String(env.PLATFORM_LIMITS)));
    const settings = resolveSettings({ defaults: JSON.parse(String(env.DEFAULT_SETTINGS)) as Record<string, string>, metadata: {}, overrides: {} });
    expect(limitViolations(settings, limits, { baked: true, hasSmokePayloads: !limits.requireSmokeTest })).toEqual([]);
  });

  it('every function knows the managed-by tag value of this deployment (service and stage), which the simulation seeds with', () => {
    const { release, batchScoring } = machines();
    const values = new Set([...release.functions, ...batchScoring.functions].map((f) => f.environment.MANAGED_BY));
    expect([...values]).toEqual([LOCAL_MANAGED_BY]);
  });

  it('the approval rule names its model package groups: none of its patterns matches every group', () => {
    const approval = machines().release.triggerPatterns.find((p) => JSON.stringify(p).includes('SageMaker Model Package State Change'));
    const groups = (approval?.detail as { ModelPackageGroupName?: unknown[] } | undefined)?.ModelPackageGroupName ?? [];
    expect(groups).toEqual(expect.arrayContaining(['churn-model', { prefix: 'sim-' }]));
    expect(groups.filter((g) => typeof g !== 'string' && JSON.stringify(g) === JSON.stringify({ prefix: '' }))).toEqual([]);
  });

  it('packaging a stage that names no model package groups fails, saying what to set', () => {
    let said = '';
    try {
      execFileSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'osls'), ['print', '--stage', 'staging'], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      said = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    expect(said).toMatch(/Stage staging names no model package groups: set params\.staging\.modelPackageGroups in serverless\.yml/);
    // Nor does it grant S3 by default: each location the roles need is the stage's to name.
    for (const param of ['modelArtifactLocations', 'dataLocations', 'smokePayloadLocations']) {
      expect(said).toContain(`Stage staging names no ${param}: set params.staging.${param} in serverless.yml`);
    }
    expect(said).not.toContain('names no multiModelLocations');
  });

  it('no role is granted S3 by wildcard bucket: every S3 resource names one bucket of the stage\'s locations', () => {
    const template = JSON.parse(readFileSync(PACKAGED_TEMPLATE, 'utf8')) as { Resources: Record<string, { Type: string; Properties?: { Policies?: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }[] } }> };
    const s3Resources = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::Role')
      .flatMap((r) => r.Properties?.Policies ?? [])
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:')))
      .flatMap((st) => [st.Resource].flat().map((res) => JSON.stringify(res)));
    expect(s3Resources.length).toBeGreaterThan(0);
    for (const resource of s3Resources) {
      expect(resource).toMatch(/s3:::(sagemaker-local-data|sagemaker-us-east-1-123456789012)(\/[^*]*\*)?"/);
    }
  });

  it("a nightly scoring run is bounded below a day, so it has ended before the next night's starts, and outlasts one job's wait", () => {
    const batch = machines().batchScoring;
    const env = batch.functions[0]?.environment ?? {};
    const timeout = Number(batch.definition.TimeoutSeconds);
    expect(timeout).toBeLessThan(24 * 3600);
    expect(timeout).toBeGreaterThan(Number(env.BATCH_WAIT_SECONDS));
  });

  it.each(both())('every Lambda task of the %s state machine retries Lambda service errors, Lambda timeouts and our transient AWS errors with jittered backoff', (machineName, { definition }) => {
    const tasks = allStates(definition).filter(([, s]) => s.Type === 'Task');
    // Enough tasks that a definition lost in packaging (an empty or truncated machine) cannot pass.
    expect(tasks.length).toBeGreaterThan(machineName === 'release' ? 30 : 5);
    for (const [name, state] of tasks) {
      const retry = (state.Retry ?? []) as { ErrorEquals: string[]; JitterStrategy?: string }[];
      const errors = retry.flatMap((r) => r.ErrorEquals);
      expect({ name, covered: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Sandbox.Timedout', ...RETRYABLE_ERROR_NAMES].every((e) => errors.includes(e)) }).toEqual({ name, covered: true });
      expect(retry.every((r) => r.JitterStrategy === 'FULL')).toBe(true);
    }
  });

  it.each(both())('in the %s state machine, specific Catches come before States.ALL', (_name, { definition }) => {
    for (const [, state] of allStates(definition)) {
      const catches = (state.Catch ?? []) as { ErrorEquals: string[] }[];
      const catchAll = catches.findIndex((c) => c.ErrorEquals.includes('States.ALL'));
      if (catchAll >= 0) expect(catchAll).toBe(catches.length - 1);
    }
  });

  it('the approval trigger starts the release state machine, for approvals and rejections of model packages only', () => {
    const { triggerPatterns } = machines().release;
    expect(triggerPatterns).toContainEqual(
      expect.objectContaining({
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        detail: expect.objectContaining({ ModelApprovalStatus: ['Approved', 'Rejected'] }),
      }),
    );
  });

  it('iam:PassRole is granted only to the steps that create models, only for SageMaker', () => {
    const resources = template().Resources;
    const passRoleHolders = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::IAM::Role' && allowedActions(id).includes('iam:PassRole'));
    expect(passRoleHolders.sort()).toEqual(['PrepareDeploymentRole', 'RegisterBatchModelRole', 'ResolveBatchModelRole']);
    for (const id of passRoleHolders) expect(JSON.stringify(resources[id])).toContain('"iam:PassedToService":"sagemaker.amazonaws.com"');
  });

  it('multi-model artifact steps only read SageMaker and copy objects; only the restore may delete', () => {
    const own = (id: string) => allowedActions(id).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:')).sort();
    expect(own('StageModelArtifactRole')).toEqual(['s3:GetObject', 's3:GetObject', 's3:GetObject', 's3:ListBucket', 's3:ListBucket', 's3:ListBucket', 's3:PutObject', 'sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DescribeModel']);
    expect(own('PromoteModelArtifactRole')).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
    expect(own('RestoreModelArtifactRole')).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
  });

  it('no function role allows a wildcard action', () => {
    const resources = template().Resources;
    for (const id of Object.keys(resources).filter((k) => k.endsWith('Role') && resources[k]?.Type === 'AWS::IAM::Role')) {
      expect({ id, wildcard: allowedActions(id).filter((a) => a.endsWith('*')) }).toEqual({ id, wildcard: [] });
    }
  });

  it('every function runs on a supported Node.js runtime', () => {
    const fns = Object.values(template().Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(fns.length).toBeGreaterThan(0);
    for (const fn of fns) expect(String(fn.Properties?.Runtime)).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
  });

  it('the nightly schedule starts the batch-scoring state machine; the sweep schedule the release one, with a sweep', () => {
    const { release, batchScoring } = machines();
    expect(batchScoring.scheduleInputs).toEqual([{ action: 'nightly-batch' }]);
    expect(release.scheduleInputs).toEqual([{ action: 'sweep' }]);
    expect(batchScoring.triggerPatterns.filter((p) => 'source' in p)).toEqual([]);
  });
});

/** The handler a Task state of the release machine runs: its name, less the style's prefix, in kebab case; or a shared one (CONTRIBUTING.md). */
const STYLE_PREFIX = /^(Guarded|Async|Serverless|MultiModel)(?=[A-Z])/;
const SHARED_HANDLERS: [RegExp, string][] = [
  [/^Check(Deployment|TrafficShift|Promotion|Rollback)$/, 'check-endpoint'],
  [/^Record(Promotion|Rollback|Failure|RollbackFailure|Duplicate|Registration|RejectedRun|Drift)$/, 'record-outcome'],
  [/^StartBake$/, 'start-canary'],
  [/^CheckBake$/, 'check-canary'],
];

describe('handler layout', () => {
  it.each(both())('every Task state of the %s state machine is served by functions/<state less its style, in kebab case>/ or a documented shared handler', (_name, { functionsByState }) => {
    for (const [state, fn] of Object.entries(functionsByState)) {
      const base = state.replace(STYLE_PREFIX, '');
      const shared = SHARED_HANDLERS.find(([pattern]) => pattern.test(base))?.[1];
      const kebab = base.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
      expect({ state, dir: fn.handlerDir }).toEqual({ state, dir: shared ?? kebab });
      expect(() => readFileSync(join(PROJECT_ROOT, 'functions', fn.handlerDir, 'handler.ts'))).not.toThrow();
    }
  });

  it('the release style is decided once: only ChooseReleaseStyle routes on it', () => {
    const styleTests = allStates(machines().release.definition)
      .filter(([, s]) => s.Type === 'Choice' && /"\$\.(plan|deployment)\.style"/.test(JSON.stringify(s.Choices)))
      .map(([name]) => name);
    expect(styleTests).toEqual(['ChooseReleaseStyle']);
  });

  it('ChooseReleaseStyle has a section for every style PlanRelease can choose', () => {
    const choose = machines().release.definition.States.ChooseReleaseStyle as unknown as { Choices: { StringEquals: string }[] };
    expect(choose.Choices.map((c) => c.StringEquals).sort()).toEqual([...RELEASE_STYLES].sort());
  });
});
