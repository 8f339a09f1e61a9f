import type { ServerResponse } from 'node:http';
import type { RequestInfo, ServiceName } from './classify';
import { AwsError, sendAwsJsonError, sendRestJsonError, sendXmlError } from './http';

/**
 * `denied`: the request is refused as one IAM would deny (AccessDenied), which no retry helps.
 * `lost-response`: the request is carried out, but its answer never arrives (the caller times out): the
 * change happened and the caller does not know it.
 */
export type FaultKind = 'throttle' | '5xx' | 'timeout' | 'denied' | 'lost-response';

export interface FaultSpec {
  service: Exclude<ServiceName, 'unknown'>;
  /** Operation name as in the API (e.g. `DescribeEndpoint`, `PutItem`), or `*` for all. */
  operation: string;
  kind: FaultKind;
  times: number | 'always';
  /** Only requests whose path contains this (e.g. an S3 key: `/bucket/prefix/key`). */
  pathIncludes?: string;
  /** Let this many matching requests through first (0: the first matching request is faulted). */
  skip?: number;
  /**
   * Whose requests it hits: `pipeline`, only the handlers' (the simulation's own seeding, queue reads and
   * interventions pass untouched); `anyone` (the default), every request.
   */
  from?: 'pipeline' | 'anyone';
}

export interface FaultHandle {
  /** How many requests this fault has answered so far. */
  readonly hits: number;
  clear(): void;
}

interface ActiveFault extends FaultSpec {
  hits: number;
  /** Matching requests let through so far (up to `skip`). */
  passed: number;
  id: number;
}

/** Error code, HTTP status and message each service really answers with. */
function errorFor(service: ServiceName, kind: Exclude<FaultKind, 'timeout' | 'lost-response'>): { error: AwsError; query?: { code: string; fault: 'Sender' | 'Receiver' } } {
  if (kind === 'denied') {
    const message = 'User: arn:aws:sts::123456789012:assumed-role/local/function is not authorized to perform this action';
    switch (service) {
      case 'dynamodb':
        return { error: new AwsError('com.amazon.coral.service#AccessDeniedException', message, 400) };
      case 's3':
        return { error: new AwsError('AccessDenied', 'Access Denied', 403) };
      case 'cloudwatch':
        return { error: new AwsError('AccessDenied', message, 403), query: { code: 'AccessDenied', fault: 'Sender' } };
      default:
        return { error: new AwsError('AccessDeniedException', message, 400) };
    }
  }
  if (kind === 'throttle') {
    switch (service) {
      case 'dynamodb':
        return { error: new AwsError('com.amazonaws.dynamodb.v20120810#ThrottlingException', 'Rate of requests exceeds the allowed throughput.', 400) };
      case 'cloudwatch':
        return { error: new AwsError('Throttling', 'Rate exceeded', 400), query: { code: 'Throttling', fault: 'Sender' } };
      case 'sqs':
        return { error: new AwsError('ThrottlingException', 'Rate exceeded', 400), query: { code: 'ThrottlingException', fault: 'Sender' } };
      case 's3':
        return { error: new AwsError('SlowDown', 'Please reduce your request rate.', 503) };
      default:
        return { error: new AwsError('ThrottlingException', 'Rate exceeded', 400) };
    }
  }
  switch (service) {
    case 'dynamodb':
      return { error: new AwsError('com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error', 500) };
    case 'cloudwatch':
      return { error: new AwsError('InternalServiceFault', 'Internal service error', 500), query: { code: 'InternalServiceError', fault: 'Receiver' } };
    case 'sqs':
      return { error: new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500), query: { code: 'InternalError', fault: 'Receiver' } };
    case 's3':
      return { error: new AwsError('InternalError', 'We encountered an internal error. Please try again.', 500) };
    case 'eventbridge':
      return { error: new AwsError('InternalException', 'Internal service error', 500) };
    case 'sagemaker-runtime':
      return { error: new AwsError('ServiceUnavailable', 'The service is unavailable. Please try again later.', 503) };
    default:
      return { error: new AwsError('ServiceUnavailable', 'The service is unavailable. Please try again later.', 503) };
  }
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  private readonly hanging = new Set<ServerResponse>();

  inject(spec: FaultSpec): FaultHandle {
    if (spec.times !== 'always' && !(spec.times > 0)) throw new RangeError('times must be a positive number or "always"');
    if (spec.skip !== undefined && !(Number.isInteger(spec.skip) && spec.skip >= 0)) throw new RangeError('skip must be a whole number of requests');
    const fault: ActiveFault = { ...spec, hits: 0, passed: 0, id: this.nextId++ };
    this.faults.push(fault);
    return {
      get hits() {
        return fault.hits;
      },
      clear: () => {
        this.faults = this.faults.filter((f) => f.id !== fault.id);
      },
    };
  }

  clear(): void {
    this.faults = [];
  }

  /** Consumes one use of the first matching fault. `byPipeline`: the request is a handler's. */
  take(info: RequestInfo, path = '', byPipeline = false): FaultKind | undefined {
    const fault = this.faults.find(
      (f) =>
        f.service === info.service &&
        (f.operation === '*' || f.operation === info.operation) &&
        (f.pathIncludes === undefined || path.includes(f.pathIncludes)) &&
        (f.from !== 'pipeline' || byPipeline),
    );
    if (!fault) return undefined;
    if (fault.passed < (fault.skip ?? 0)) {
      fault.passed += 1;
      return undefined;
    }
    fault.hits += 1;
    if (fault.times !== 'always' && fault.hits >= fault.times) this.faults = this.faults.filter((f) => f.id !== fault.id);
    return fault.kind;
  }

  /** Answers with the fault. A timeout holds the request open until the client gives up or the simulator stops. */
  respond(res: ServerResponse, info: RequestInfo, kind: Exclude<FaultKind, 'lost-response'>): void {
    if (kind === 'timeout') {
      this.hold(res);
      return;
    }
    const { error, query } = errorFor(info.service, kind);
    switch (info.protocol) {
      case 'rest-xml':
        sendXmlError(res, error);
        return;
      case 'rest-json':
        sendRestJsonError(res, error);
        return;
      case 'json1.0':
        sendAwsJsonError(res, error, '1.0', query);
        return;
      default:
        sendAwsJsonError(res, error, '1.1', query);
    }
  }

  /** Holds the connection open without answering, until the client gives up or the simulator stops. */
  hold(res: ServerResponse): void {
    this.hanging.add(res);
    res.on('close', () => this.hanging.delete(res));
  }

  /** Drop held connections (on stop). */
  releaseHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }
}
