import { InvalidSettings } from '../errors';
import type { EndpointFacts, MultiModelFacts, ReleaseProblem } from '../domain/preflight';
import type { ReleasePlan } from '../domain/release-plan';
import type { CloudWatchAdapter } from './cloudwatch';
import type { S3Reader } from './s3-on-demand';
import type { SageMakerAdapter } from './sagemaker';
import { loadSmokeRequests } from './smoke-payloads';

/*
 * The reads behind the pre-flight checks, shared by the step that releases and the dry run that previews
 * it: both judge the same facts read the same way (functions/shared/domain/preflight.ts), so a dry run with
 * no problem means the release will not refuse for one.
 */

/** What an endpoint release checks before creating anything: the user's alarms, the endpoint and its config. */
export async function readEndpointFacts(aws: { sageMaker: SageMakerAdapter; cloudWatch: CloudWatchAdapter }, plan: ReleasePlan, endpointName: string): Promise<EndpointFacts> {
  const existingAlarms = new Set((await aws.cloudWatch.describeAlarms(plan.settings.canary.alarmNames)).map((a) => a.name));
  const live = await aws.sageMaker.describeEndpoint(endpointName);
  // Whose it is decides first whether the pipeline may touch it at all.
  // An endpoint whose ARN is not known has no tags that could make it ours.
  const tags = live === null ? null : live.arn !== undefined ? await aws.sageMaker.listTags(live.arn) : {};
  // An endpoint mid-change is refused anyway; its config is read only when it serves.
  const liveConfig = live?.status === 'InService' && live.configName !== null ? await aws.sageMaker.describeEndpointConfig(live.configName) : null;
  return { existingAlarms, live, liveConfig, tags };
}

/** What a multi-model release checks before staging: the shared endpoint, its config and its one model. */
export async function readMultiModelFacts(aws: { sageMaker: SageMakerAdapter }, endpointName: string): Promise<MultiModelFacts> {
  const live = await aws.sageMaker.describeEndpoint(endpointName);
  const liveConfig = live?.status === 'InService' && live.configName !== null ? await aws.sageMaker.describeEndpointConfig(live.configName) : null;
  const onlyVariant = liveConfig?.variants.length === 1 ? liveConfig.variants[0] : undefined;
  const model = onlyVariant !== undefined ? await aws.sageMaker.describeModel(onlyVariant.ModelName) : null;
  return { live, liveConfig, model };
}

/**
 * The smoke payloads the release will send, read now: a missing, oversized or malformed file is a
 * settings problem found before anything is created, not a failed smoke test after a deployment.
 */
export async function readSmokeProblems(aws: { s3: S3Reader }, plan: Pick<ReleasePlan, 'smoke' | 'settings'>): Promise<{ payloads: number; problems: ReleaseProblem[] }> {
  try {
    return { payloads: (await loadSmokeRequests(aws.s3, plan)).length, problems: [] };
  } catch (error) {
    if (error instanceof InvalidSettings) return { payloads: 0, problems: [{ error: 'InvalidSettings', message: error.message }] };
    throw error;
  }
}
