import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Json, JsonObject } from './json';

/** An error answered in the owning service's wire shape. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly extra: JsonObject = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** SageMaker's usual client error. */
export function validation(message: string): AwsError {
  return new AwsError('ValidationException', message, 400);
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function baseHeaders(contentType: string, length: number): Record<string, string> {
  return {
    'content-type': contentType,
    'content-length': String(length),
    'x-amzn-requestid': randomUUID(),
    date: new Date().toUTCString(),
  };
}

/** AWS JSON 1.0/1.1 success. */
export function sendAwsJson(res: ServerResponse, body: Json, version: '1.0' | '1.1' = '1.1'): void {
  const text = JSON.stringify(body);
  res.writeHead(200, baseHeaders(`application/x-amz-json-${version}`, Buffer.byteLength(text)));
  res.end(text);
}

/**
 * AWS JSON error, as moto and AWS send it: `__type` plus `Message`, mirrored in
 * `x-amzn-ErrorType`. `queryCompatible` adds the header that awsQuery-compatible
 * clients (CloudWatch, SQS) read the legacy error code from.
 */
export function sendAwsJsonError(
  res: ServerResponse,
  error: AwsError,
  version: '1.0' | '1.1' = '1.1',
  queryCompatible?: { code: string; fault: 'Sender' | 'Receiver' },
): void {
  const text = JSON.stringify({ __type: error.code, Message: error.message, message: error.message, ...error.extra });
  const headers: Record<string, string> = {
    ...baseHeaders(`application/x-amz-json-${version}`, Buffer.byteLength(text)),
    'x-amzn-errortype': error.code,
  };
  if (queryCompatible) headers['x-amzn-query-error'] = `${queryCompatible.code};${queryCompatible.fault}`;
  res.writeHead(error.status, headers);
  res.end(text);
}

/** REST-JSON error (SageMaker runtime): the type travels in `x-amzn-ErrorType`. */
export function sendRestJsonError(res: ServerResponse, error: AwsError): void {
  const text = JSON.stringify({ ErrorCode: error.code, Message: error.message, message: error.message, ...error.extra });
  res.writeHead(error.status, {
    ...baseHeaders('application/json', Buffer.byteLength(text)),
    'x-amzn-errortype': error.code,
  });
  res.end(text);
}

/** REST-XML error (S3). */
export function sendXmlError(res: ServerResponse, error: AwsError): void {
  const requestId = randomUUID();
  const text =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code>` +
    `<Message>${error.message}</Message><RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(error.status, { ...baseHeaders('application/xml', Buffer.byteLength(text)), 'x-amz-request-id': requestId });
  res.end(text);
}
