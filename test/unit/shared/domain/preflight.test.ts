import { endpointReleaseProblems, judgeSharedEndpoint, refusalFor, refuseOnProblems, type EndpointFacts, type MultiModelFacts, type ReleaseProblem } from '../../../../functions/shared/domain/preflight';
import { GROUP_TAG, MANAGED_BY_TAG } from '../../../../functions/shared/domain/ownership';
import type { EndpointConfigView, EndpointView, ModelView, VariantDefinition } from '../../../../functions/shared/domain/views';
import { releasePlan } from '../../helpers';

const live = (status = 'InService', configName: string | null = 'live-config'): EndpointView => ({ name: 'churn-endpoint', status, configName, failureReason: null, variants: [{ name: 'live', weight: 1 }] });
const instanceVariant = (name: string): VariantDefinition => ({ VariantName: name, ModelName: `${name}-model`, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 });
const config = (...variants: VariantDefinition[]): EndpointConfigView => ({ name: 'live-config', variants, asyncInference: null, dataCapture: null });
const MANAGED = { [MANAGED_BY_TAG]: 'sagemaker-release-pipeline-test', [GROUP_TAG]: 'churn-model' };
const OWNERSHIP = { groupName: 'churn-model', managedBy: 'sagemaker-release-pipeline-test', bindings: {} };
const facts = (overrides: Partial<EndpointFacts> = {}): EndpointFacts => ({ existingAlarms: new Set(), live: live(), liveConfig: config(instanceVariant('live')), tags: MANAGED, ...overrides });

describe('endpointReleaseProblems', () => {
  it('finds none for a canary onto an InService instance-based endpoint', () => {
    expect(endpointReleaseProblems(releasePlan(), facts(), OWNERSHIP)).toEqual([]);
  });

  it('finds none for a first deployment (no endpoint), whatever the style', () => {
    expect(endpointReleaseProblems(releasePlan({ 'deploy.strategy': 'native' }), facts({ live: null, liveConfig: null }), OWNERSHIP)).toEqual([]);
  });

  it('names every extra alarm that does not exist, as a settings problem', () => {
    const problems = endpointReleaseProblems(releasePlan({ 'canary.alarmNames': 'p99-high,errors,queue-depth' }), facts({ existingAlarms: new Set(['errors']) }), OWNERSHIP);
    expect(problems).toEqual([{ error: 'InvalidSettings', message: 'canary.alarmNames: no CloudWatch alarm named p99-high, queue-depth' }]);
  });

  it('refuses an endpoint that is not InService (another change under way)', () => {
    const problems = endpointReleaseProblems(releasePlan(), facts({ live: live('Updating'), liveConfig: null }), OWNERSHIP);
    expect(problems).toEqual([{ error: 'EndpointStateConflict', message: 'Endpoint churn-endpoint is Updating, not InService: another change is under way outside this pipeline' }]);
  });

  it('refuses switching an instance-based endpoint to serverless in place', () => {
    const problems = endpointReleaseProblems(releasePlan({ 'deploy.mode': 'serverless' }), facts(), OWNERSHIP);
    expect(problems).toEqual([{ error: 'ModeNotSupported', message: expect.stringMatching(/^Cannot release to churn-endpoint: endpoint churn-endpoint is instance-based and this release is serverless/) }]);
  });

  it('refuses an endpoint neither created by the pipeline nor adopted, with the adopt input to use, and nothing else about it', () => {
    const problems = endpointReleaseProblems(releasePlan(), facts({ tags: {}, live: live('Updating') }), OWNERSHIP);
    expect(problems).toEqual([
      {
        error: 'EndpointNotManaged',
        message:
          'Endpoint churn-endpoint was neither created by this pipeline nor adopted (no sagemaker-release-pipeline:managed-by tag): it is not changed; to release to it, adopt it first: {"action": "adopt", "endpointName": "churn-endpoint", "modelPackageGroupName": "churn-model", "requestedBy": "<you>"}',
      },
    ]);
  });

  it("refuses an endpoint another deployment of the pipeline manages", () => {
    const problems = endpointReleaseProblems(releasePlan(), facts({ tags: { ...MANAGED, [MANAGED_BY_TAG]: 'sagemaker-release-pipeline-prod' } }), OWNERSHIP);
    expect(problems).toEqual([{ error: 'EndpointNotManaged', message: 'Endpoint churn-endpoint is managed by sagemaker-release-pipeline-prod, not by sagemaker-release-pipeline-test: this pipeline does not change it' }]);
  });

  it('refuses an endpoint bound to another group, by its tag or by the stage param before it exists', () => {
    const tagged = endpointReleaseProblems(releasePlan(), facts({ tags: { ...MANAGED, [GROUP_TAG]: 'payments-fraud' } }), OWNERSHIP);
    const preBound = endpointReleaseProblems(releasePlan(), facts({ live: null, liveConfig: null, tags: null }), { ...OWNERSHIP, bindings: { 'churn-endpoint': 'payments-fraud' } });
    expect(tagged).toEqual([{ error: 'EndpointBoundToAnotherGroup', message: 'Endpoint churn-endpoint is bound to model package group payments-fraud: group churn-model cannot release to it' }]);
    expect(preBound).toEqual([{ error: 'EndpointBoundToAnotherGroup', message: 'Endpoint churn-endpoint is bound to model package group payments-fraud (stage param endpointBindings): group churn-model cannot release to it' }]);
    expect(endpointReleaseProblems(releasePlan(), facts({ live: null, liveConfig: null, tags: null }), { ...OWNERSHIP, bindings: { 'churn-endpoint': 'churn-model' } })).toEqual([]);
  });

  it('refuses guardrails on an endpoint with more than one variant, naming them', () => {
    const problems = endpointReleaseProblems(releasePlan({ 'deploy.strategy': 'native' }), facts({ liveConfig: config(instanceVariant('a'), instanceVariant('b')) }), OWNERSHIP);
    expect(problems).toEqual([{ error: 'ModeNotSupported', message: expect.stringContaining('it has 2 variants (a, b); guardrails replace exactly one. Use deploy.strategy canary') }]);
  });

  it('lists every problem at once (a dry run shows them all)', () => {
    const problems = endpointReleaseProblems(releasePlan({ 'canary.alarmNames': 'missing' }), facts({ live: live('Updating') }), OWNERSHIP);
    expect(problems.map((p) => p.error)).toEqual(['InvalidSettings', 'EndpointStateConflict']);
  });
});

describe('judgeSharedEndpoint', () => {
  const multiModel: ModelView = { name: 'mme-model', containers: [{ image: 'img', mode: 'MultiModel', modelDataUrl: 's3://ml-models/mme/', modelPackageName: null }] };
  const mmFacts = (overrides: Partial<MultiModelFacts> = {}): MultiModelFacts => ({ live: live(), liveConfig: config(instanceVariant('all')), model: multiModel, ...overrides });

  it('gives the endpoint to write under: its config, variant, model and prefix', () => {
    expect(judgeSharedEndpoint('mme', mmFacts())).toEqual({ releasable: true, problems: [], shared: { configName: 'live-config', variantName: 'all', modelName: 'all-model', prefix: 's3://ml-models/mme/' } });
  });

  const refusals: [string, Partial<MultiModelFacts>, ReleaseProblem['error'], RegExp][] = [
    ['absent', { live: null }, 'EndpointStateConflict', /multi-model endpoint mme is absent, not InService; the pipeline releases onto an existing shared endpoint/],
    ['not InService', { live: live('Updating') }, 'EndpointStateConflict', /is Updating, not InService/],
    ['with two variants', { liveConfig: config(instanceVariant('a'), instanceVariant('b')) }, 'ModeNotSupported', /its config live-config has 2 variants, not one/],
    ['single-model', { model: { name: 'm', containers: [{ image: 'img', mode: 'SingleModel', modelDataUrl: 's3://b/model.tar.gz', modelPackageName: null }] } }, 'ModeNotSupported', /mode SingleModel, ModelDataUrl s3:\/\/b\/model.tar.gz; release to it with deploy.mode realtime instead/],
    ['multi-model without a usable prefix', { model: { name: 'm', containers: [{ image: 'img', mode: 'MultiModel', modelDataUrl: null, modelPackageName: null }] } }, 'ModeNotSupported', /ModelDataUrl none/],
  ];
  it.each(refusals)('refuses an endpoint %s, with one problem', (_what, overrides, error, message) => {
    const judged = judgeSharedEndpoint('mme', mmFacts(overrides));
    expect(judged.releasable).toBe(false);
    expect(judged.shared).toBeNull();
    expect(judged.problems).toEqual([{ error, message: expect.stringMatching(message) }]);
  });

  it("refuses an endpoint whose model prefix is outside the stage's multiModelLocations: not the pipeline's to write under", () => {
    expect(judgeSharedEndpoint('mme', mmFacts(), ['s3://ml-models/mme/']).releasable).toBe(true);
    expect(judgeSharedEndpoint('mme', mmFacts(), ['s3://ml-models/other/']).problems).toEqual([
      { error: 'EndpointNotManaged', message: expect.stringContaining("multi-model endpoint mme: its model prefix s3://ml-models/mme/ is outside the stage's multiModelLocations (s3://ml-models/other/)") },
    ]);
    expect(judgeSharedEndpoint('mme', mmFacts(), []).problems).toEqual([{ error: 'EndpointNotManaged', message: expect.stringContaining('(none is configured)') }]);
  });
});

describe('refuseOnProblems / refusalFor', () => {
  it('refuses with the first problem as its named error, saying nothing was changed about the account', () => {
    expect(() => refuseOnProblems([{ error: 'EndpointStateConflict', message: 'Endpoint x is Updating' }, { error: 'InvalidSettings', message: 'later' }])).toThrow(
      expect.objectContaining({ name: 'EndpointStateConflict', message: 'Endpoint x is Updating; nothing was changed' }),
    );
    expect(refusalFor([{ error: 'ModeNotSupported', message: 'no' }])).toMatchObject({ name: 'ModeNotSupported', message: 'no; nothing was changed' });
  });

  it("refuses a settings problem as given (it is the package's own)", () => {
    expect(refusalFor([{ error: 'InvalidSettings', message: 'canary.alarmNames: no CloudWatch alarm named x' }])).toMatchObject({ name: 'InvalidSettings', message: 'canary.alarmNames: no CloudWatch alarm named x' });
  });

  it('lets a release with no problem through', () => {
    expect(refusalFor([])).toBeNull();
    expect(() => refuseOnProblems([])).not.toThrow();
  });
});
