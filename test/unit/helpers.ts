import type { ModelApprovalStatus } from '@aws-sdk/client-sagemaker';
import { smokeSourceFor } from '../../functions/shared/domain/smoke-payloads';
import type { Context } from 'aws-lambda';
import { stepHandler, type StepDefinition } from '../../functions/shared/runtime/step-handler';
import type { Schema } from '../../functions/shared/schema';
import { decideInferenceMode } from '../../functions/shared/domain/inference-mode';
import type { ModelPackage } from '../../functions/shared/domain/model-package';
import { releaseStyleFor, resourceNames, type ReleasePlan } from '../../functions/shared/domain/release-plan';
import { resolveSettings, type ReleaseSettings } from '../../functions/shared/domain/settings';
import type { Deployment } from '../../functions/shared/domain/state';

/** The stage defaults of serverless.yml's `default` params: every required key, nothing else. */
export const STAGE_DEFAULTS: Record<string, string> = {
  'endpoint.instanceType': 'ml.m5.large',
  'endpoint.instanceCount': '1',
  'canary.percent': '10',
  'canary.bakeMinutes': '10',
  'canary.minInvocations': '100',
  'canary.insufficientTraffic': 'rollback',
  'slo.latencyP99Ms': '500',
  'slo.errorRatePercent': '1',
  'smoke.latencyBudgetMs': '2000',
  'deploy.strategy': 'canary',
  'serverless.memoryMB': '2048',
  'serverless.maxConcurrency': '5',
  'async.maxConcurrentInvocationsPerInstance': '4',
};

export function settingsWith(metadata: Record<string, string> = {}): ReleaseSettings {
  return resolveSettings({ defaults: STAGE_DEFAULTS, metadata, overrides: {} });
}

export const ACCOUNT = '123456789012';
export const PACKAGE_ARN = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model-package/churn-model/7`;

/** DescribeModelPackage's answer for the package of releaseState(), with this approval status now. */
export const packageWithApproval = (status: ModelApprovalStatus) => ({ ModelPackageArn: PACKAGE_ARN, ModelPackageGroupName: 'churn-model', ModelPackageVersion: 7, ModelApprovalStatus: status, ModelPackageStatus: 'Completed' as const });
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/sagemaker-execution`;
export const ENDPOINT = 'churn-endpoint';
export const ENDPOINT_ARN = `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/${ENDPOINT}`;
/** test/setup-env.ts's MANAGED_BY: the deployment the unit tests run as. */
export const MANAGED_BY = 'sagemaker-release-pipeline-test';
/** The tags of an endpoint this pipeline (test/setup-env.ts's MANAGED_BY) made for the package's group. */
export const MANAGED_TAGS = [
  { Key: 'sagemaker-release-pipeline:managed-by', Value: MANAGED_BY },
  { Key: 'sagemaker-release-pipeline:model-package-group', Value: 'churn-model' },
];
export const RELEASE_ID = 'a1b2c3d4';
export const EXECUTION_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:execution:release-pipeline:run-1`;

export function modelPackage(overrides: Partial<ModelPackage> = {}): ModelPackage {
  return {
    arn: PACKAGE_ARN,
    groupName: 'churn-model',
    version: 7,
    approvalStatus: 'Approved',
    status: 'Completed',
    containers: [{ image: '111.dkr.ecr.us-east-1.amazonaws.com/xgb:1', modelDataUrl: 's3://models/churn/7/model.tar.gz' }],
    supportedContentTypes: ['text/csv'],
    supportedRealtimeInstanceTypes: ['ml.m5.large'],
    metadata: {},
    lastModifiedTime: '2024-05-01T10:00:00.000Z',
    ...overrides,
  };
}

export function releasePlan(metadata: Record<string, string> = {}, endpointName: string | null = ENDPOINT): ReleasePlan {
  const settings = settingsWith(metadata);
  const decision = decideInferenceMode(settings, { containerCount: 1 });
  return {
    releaseId: RELEASE_ID,
    endpointName,
    mode: decision.mode,
    style: releaseStyleFor(decision.mode, settings),
    decision,
    settings,
    smoke: decision.mode === 'batch' ? { from: 'none' } : smokeSourceFor(settings, modelPackage()),
    names: resourceNames('churn-model', 7, endpointName, RELEASE_ID, MANAGED_BY),
  };
}

export const REQUESTED_AT = '2024-05-01T12:00:00.000Z';

/** The execution state every step after PlanRelease reads (request, package, plan, execution). */
export function releaseState(metadata: Record<string, string> = {}, endpointName: string | null = ENDPOINT) {
  return {
    request: {
      action: 'deploy' as const,
      trigger: 'approval-event' as const,
      modelPackageArn: PACKAGE_ARN,
      endpointName: null,
      overrides: {},
      force: false,
      dryRun: false,
      eventId: 'evt-1',
      requestedAt: REQUESTED_AT,
    },
    package: modelPackage(),
    plan: releasePlan(metadata, endpointName),
    execution: { id: EXECUTION_ARN, startTime: '2024-05-01T12:00:01.000Z' },
  };
}

const NAMES = resourceNames('churn-model', 7, ENDPOINT, RELEASE_ID, MANAGED_BY);

/** PrepareDeployment's output for an endpoint that already serves `live-config` with variant `v6-old`. */
export function existingDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    endpointName: ENDPOINT,
    style: 'variant-canary',
    targetVariant: NAMES.variant,
    firstDeployment: false,
    previousConfigName: 'live-config',
    liveVariantName: 'v6-old',
    newVariantName: NAMES.variant,
    newConfigName: NAMES.canaryConfig,
    modelName: NAMES.model,
    startedAt: '2024-05-01T12:01:00.000Z',
    ...overrides,
  };
}

export function firstDeployment(overrides: Partial<Deployment> = {}): Deployment {
  return {
    endpointName: ENDPOINT,
    style: 'variant-canary',
    targetVariant: null,
    firstDeployment: true,
    previousConfigName: null,
    liveVariantName: null,
    newVariantName: NAMES.variant,
    newConfigName: NAMES.finalConfig,
    modelName: NAMES.model,
    startedAt: '2024-05-01T12:01:00.000Z',
    ...overrides,
  };
}

export function lambdaContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'x',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:x`,
    memoryLimitInMB: '256',
    awsRequestId: 'r',
    logGroupName: '/aws/lambda/x',
    logStreamName: 's',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An error shaped as the AWS SDK v3 throws it: what translate-error.ts looks at is name and HTTP status. */
export function sdkError(name: string, httpStatusCode: number, message = `${name} from the fake service`): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}
export const throttled = () => sdkError('ThrottlingException', 400, 'Rate exceeded');
export const serviceDown = () => sdkError('InternalFailure', 500, 'We encountered an internal error');

/** Freezes Date.now (what every handler reads) at an ISO instant; restore with jest.restoreAllMocks(). */
export function freezeNow(iso: string): number {
  const now = Date.parse(iso);
  jest.spyOn(Date, 'now').mockReturnValue(now);
  return now;
}

/**
 * A step's handler with some of its adapters given (an in-memory ledger, say); the others are built as in
 * Lambda. A fresh handler per call, so each test's adapters are the ones it made.
 */
export function handlerWith<In extends Schema, Env extends Schema, Aws extends object, Out>(step: StepDefinition<In, Env, Aws, Out>, adapters: Partial<Aws>): (event: unknown, context: Context) => Promise<Out> {
  return (event, context) => stepHandler(step, { aws: adapters })(event, context);
}

/** The message of the InvalidSettings that `act` throws; fails the test if it throws anything else or nothing. */
export function invalidSettingsMessage(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    expect((error as Error).name).toBe('InvalidSettings');
    return (error as Error).message;
  }
  throw new Error('expected InvalidSettings, nothing was thrown');
}
