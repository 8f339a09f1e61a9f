import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { JsonObject } from './json';
import type { MotoApi } from './moto-api';

const TIME_FIELDS = new Set(['CreationTime', 'LastModifiedTime']);

/** The event carries DescribeModelPackage's shape, with ISO timestamps like the sample event. */
function isoSeconds(epochSeconds: number): string {
  return new Date(Math.round(epochSeconds * 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toDetail(pkg: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(pkg)) {
    if (k === 'ResponseMetadata') continue;
    out[k] = TIME_FIELDS.has(k) && typeof v === 'number' ? isoSeconds(v) : v;
  }
  if (out.LastModifiedTime === undefined && out.CreationTime !== undefined) out.LastModifiedTime = out.CreationTime;
  return out;
}

/**
 * Puts "SageMaker Model Package State Change" on moto's default bus, as SageMaker
 * does. moto (unlike AWS) accepts the reserved `aws.` source from PutEvents, so
 * rules with `source: ["aws.sagemaker"]` match as they would in AWS.
 */
export async function emitModelPackageStateChange(
  moto: MotoApi,
  packageArn: string,
  virtualNow: number,
  copies: number,
): Promise<JsonObject> {
  const pkg = await moto.sagemaker('DescribeModelPackage', { ModelPackageName: packageArn });
  const detail = toDetail(pkg);
  const entry = {
    Source: 'aws.sagemaker',
    DetailType: 'SageMaker Model Package State Change',
    Detail: JSON.stringify(detail),
    Resources: [packageArn],
    Time: new Date(virtualNow),
    EventBusName: 'default',
  };
  const n = Math.max(1, Math.floor(copies));
  // PutEvents takes at most 10 entries per call.
  for (let i = 0; i < n; i += 10) {
    const out = await moto.events.send(new PutEventsCommand({ Entries: Array.from({ length: Math.min(10, n - i) }, () => entry) }));
    if (out.FailedEntryCount) throw new Error(`PutEvents rejected ${out.FailedEntryCount} model package event(s)`);
  }
  return detail;
}

/** Any AWS service event on moto's default bus (moto accepts the reserved `aws.` sources), at virtual time. */
export async function putAwsEvent(moto: MotoApi, source: string, detailType: string, detail: JsonObject, resources: string[], virtualNow: number): Promise<void> {
  const out = await moto.events.send(new PutEventsCommand({ Entries: [{ Source: source, DetailType: detailType, Detail: JSON.stringify(detail), Resources: resources, Time: new Date(virtualNow), EventBusName: 'default' }] }));
  if (out.FailedEntryCount) throw new Error(`PutEvents rejected the ${detailType} event`);
}
