import type { IncomingMessage } from 'node:http';

export type ServiceName =
  | 'sagemaker'
  | 'sagemaker-runtime'
  | 'dynamodb'
  | 'eventbridge'
  | 'cloudwatch'
  | 's3'
  | 'sqs'
  | 'sfn'
  | 'sts'
  | 'unknown';

export type Protocol = 'json1.0' | 'json1.1' | 'rest-json' | 'rest-xml' | 'query' | 'cbor';

export interface RequestInfo {
  service: ServiceName;
  operation: string;
  protocol: Protocol;
  region: string;
  /** For the runtime: endpoint name taken from the path. */
  endpointName?: string;
  runtimeKind?: 'sync' | 'async';
}

const TARGET_PREFIXES: Record<string, { service: ServiceName; protocol: Protocol }> = {
  SageMaker: { service: 'sagemaker', protocol: 'json1.1' },
  DynamoDB_20120810: { service: 'dynamodb', protocol: 'json1.0' },
  AWSEvents: { service: 'eventbridge', protocol: 'json1.1' },
  GraniteServiceVersion20100801: { service: 'cloudwatch', protocol: 'json1.0' },
  AmazonSQS: { service: 'sqs', protocol: 'json1.0' },
  AWSStepFunctions: { service: 'sfn', protocol: 'json1.0' },
};

const SIGNING_NAMES: Record<string, ServiceName> = {
  sagemaker: 'sagemaker',
  dynamodb: 'dynamodb',
  events: 'eventbridge',
  monitoring: 'cloudwatch',
  s3: 's3',
  sqs: 'sqs',
  states: 'sfn',
  sts: 'sts',
};

const RUNTIME_PATH = /^\/endpoints\/([^/]+)\/(invocations|async-invocations)$/;

/** `Credential=AKID/20240101/us-east-1/sagemaker/aws4_request` → region + signing name. */
export function credentialScope(req: IncomingMessage): { region?: string; signingName?: string } {
  const auth = req.headers.authorization ?? '';
  const m = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(auth);
  return m ? { region: m[1], signingName: m[2] } : {};
}

function s3Operation(method: string, path: string, query: URLSearchParams, headers: IncomingMessage['headers']): string {
  const parts = path.split('/').filter(Boolean);
  const hasKey = parts.length > 1;
  if (parts.length === 0) return 'ListBuckets';
  switch (method) {
    case 'GET':
      if (hasKey) return 'GetObject';
      return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
    case 'PUT':
      if (!hasKey) return 'CreateBucket';
      return headers['x-amz-copy-source'] ? 'CopyObject' : query.has('partNumber') ? 'UploadPart' : 'PutObject';
    case 'HEAD':
      return hasKey ? 'HeadObject' : 'HeadBucket';
    case 'DELETE':
      return hasKey ? 'DeleteObject' : 'DeleteBucket';
    case 'POST':
      if (query.has('delete')) return 'DeleteObjects';
      if (query.has('uploads')) return 'CreateMultipartUpload';
      if (query.has('uploadId')) return 'CompleteMultipartUpload';
      return 'PostObject';
    default:
      return method;
  }
}

/** Which service and operation a request is, from headers and path only (the body is not read). */
export function classify(req: IncomingMessage, defaultRegion: string): RequestInfo {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const scope = credentialScope(req);
  const region = scope.region ?? defaultRegion;

  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) {
    const [prefix = '', operation = ''] = target.split('.', 2);
    const known = TARGET_PREFIXES[prefix];
    if (known) return { ...known, operation, region };
    return { service: 'unknown', protocol: 'json1.1', operation, region };
  }

  const runtime = RUNTIME_PATH.exec(url.pathname);
  if (method === 'POST' && runtime && (scope.signingName === undefined || scope.signingName === 'sagemaker')) {
    const kind = runtime[2] === 'async-invocations' ? 'async' : 'sync';
    return {
      service: 'sagemaker-runtime',
      protocol: 'rest-json',
      operation: kind === 'async' ? 'InvokeEndpointAsync' : 'InvokeEndpoint',
      region,
      endpointName: decodeURIComponent(runtime[1] ?? ''),
      runtimeKind: kind,
    };
  }

  // Smithy RPC v2 CBOR: /service/<Service>/operation/<Op>
  const cbor = /^\/service\/([^/]+)\/operation\/([^/]+)$/.exec(url.pathname);
  if (cbor) {
    const known = TARGET_PREFIXES[cbor[1] ?? ''];
    return { service: known?.service ?? 'unknown', protocol: 'cbor', operation: cbor[2] ?? '', region };
  }

  const service = (scope.signingName && SIGNING_NAMES[scope.signingName]) || 'unknown';
  if (service === 's3') {
    return { service, protocol: 'rest-xml', operation: s3Operation(method, url.pathname, url.searchParams, req.headers), region };
  }
  const action = url.searchParams.get('Action');
  return { service, protocol: 'query', operation: action ?? method, region };
}
