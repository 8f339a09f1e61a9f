/**
 * Every request that reaches the local account is checked against AWS's service model for its operation
 * before anything answers it (moto validates almost nothing), and refused as the service would refuse it.
 */
import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { RequestInfo, ServiceName } from './classify';
import { AwsError } from './http';
import { needsInflate } from './proxy';
import { restInput, serviceModel, validateInput, validateRestInput, violationMessage, type ServiceModel, type Violation } from './service-models';

/** botocore's name for each service the simulation serves. */
const BOTOCORE_NAMES: Partial<Record<ServiceName, string>> = {
  sagemaker: 'sagemaker',
  'sagemaker-runtime': 'sagemaker-runtime',
  dynamodb: 'dynamodb',
  eventbridge: 'events',
  cloudwatch: 'cloudwatch',
  s3: 's3',
  sqs: 'sqs',
  sfn: 'stepfunctions',
};

/** The error code each service answers a constraint violation with (a type mismatch is a SerializationException). */
const VALIDATION_CODES: Partial<Record<ServiceName, string>> = {
  cloudwatch: 'ValidationError',
  'sagemaker-runtime': 'ValidationError',
  s3: 'InvalidArgument',
};

function modelFor(service: ServiceName): ServiceModel | null {
  const name = BOTOCORE_NAMES[service];
  return name === undefined ? null : serviceModel(name);
}

/** The violations of one request: JSON bodies member by member, REST requests from URI, headers and query. */
export function requestViolations(info: RequestInfo, req: IncomingMessage, body: Buffer | undefined): Violation[] {
  const model = modelFor(info.service);
  if (model === null || model.operations[info.operation] === undefined) return [];
  if (info.protocol === 'json1.0' || info.protocol === 'json1.1') {
    let input: unknown = {};
    // Large bodies come gzipped (CloudWatch PutMetricData over 10 KB); the service reads them inflated.
    const text = (body !== undefined && needsInflate(req) ? gunzipSync(body) : (body ?? Buffer.alloc(0))).toString('utf8');
    if (text.trim() !== '') {
      try {
        input = JSON.parse(text);
      } catch {
        return [{ path: '', value: text.slice(0, 80), constraint: 'Request body must be JSON', kind: 'type' }];
      }
    }
    return validateInput(model, info.operation, input);
  }
  if (info.protocol === 'rest-json' || info.protocol === 'rest-xml') {
    const url = new URL(req.url ?? '/', 'http://local');
    // Raw path: restInput decodes each member once (decoding twice breaks keys with a literal %).
    const input = restInput(model, info.operation, { path: url.pathname, query: url.searchParams, headers: req.headers, ...(body !== undefined ? { body } : {}) });
    return validateRestInput(model, info.operation, input);
  }
  return [];
}

/** The error the service answers the violations with. */
export function rejection(info: RequestInfo, violations: readonly Violation[]): AwsError {
  const typeError = violations.find((v) => v.kind === 'type');
  if (typeError !== undefined && info.service !== 's3') {
    return new AwsError('SerializationException', `${typeError.constraint} at '${typeError.path}'`, 400);
  }
  return new AwsError(VALIDATION_CODES[info.service] ?? 'ValidationException', violationMessage(violations), 400);
}
