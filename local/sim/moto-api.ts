import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client, GetObjectCommand, PutObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { AwsError } from './http';
import { parseJsonObject, str, type Json, type JsonObject } from './json';

export const ACCOUNT_ID = '123456789012';

const credentials = { accessKeyId: 'simulator', secretAccessKey: 'simulator' };

/**
 * The simulator's own line to moto: it bypasses the proxy (so injected faults never
 * hit the simulator's bookkeeping) and talks raw JSON for SageMaker to keep moto's
 * exact shapes (epoch-second timestamps, unknown members) for pass-through.
 */
export class MotoApi {
  readonly cloudwatch: CloudWatchClient;
  readonly s3: S3Client;
  readonly events: EventBridgeClient;

  constructor(
    readonly endpoint: string,
    readonly region: string,
  ) {
    const common = { region, endpoint, credentials, maxAttempts: 3 };
    // moto 5.2.1 cannot read gzip request bodies, which the SDK sends for large PutMetricData.
    this.cloudwatch = new CloudWatchClient({ ...common, disableRequestCompression: true });
    this.s3 = new S3Client({ ...common, forcePathStyle: true });
    this.events = new EventBridgeClient(common);
  }

  async sagemaker(operation: string, input: Json): Promise<JsonObject> {
    const day = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    const res = await fetch(`${this.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `SageMaker.${operation}`,
        // moto picks the service from the credential scope; the signature is not checked.
        authorization: `AWS4-HMAC-SHA256 Credential=simulator/${day}/${this.region}/sagemaker/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify(input),
    });
    const body = parseJsonObject(await res.text());
    if (!res.ok) {
      throw new AwsError(str(body, '__type') ?? 'ValidationException', str(body, 'Message') ?? str(body, 'message') ?? '', res.status);
    }
    return body;
  }

  async getText(s3Uri: string): Promise<string> {
    const { bucket, key } = parseS3Uri(s3Uri);
    const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return out.Body ? await out.Body.transformToString() : '';
  }

  async putText(s3Uri: string, body: string, contentType: string): Promise<void> {
    const { bucket, key } = parseS3Uri(s3Uri);
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  }

  /** Keys (full s3:// URIs) under a prefix, in lexical order like S3 lists them. */
  async list(s3Prefix: string): Promise<string[]> {
    const { bucket, key } = parseS3Uri(s3Prefix);
    const uris: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) uris.push(`s3://${bucket}/${o.Key}`);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return uris;
  }

  destroy(): void {
    this.cloudwatch.destroy();
    this.s3.destroy();
    this.events.destroy();
  }
}

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new AwsError('ValidationException', `Invalid S3 URI: ${uri}`);
  return { bucket: m[1] ?? '', key: m[2] ?? '' };
}

export function joinS3(prefix: string, name: string): string {
  return `${prefix.replace(/\/+$/, '')}/${name.replace(/^\/+/, '')}`;
}

/** SageMaker lowercases the resource name in endpoint/transform-job ARNs. */
export function sagemakerArn(region: string, type: string, name: string): string {
  return `arn:aws:sagemaker:${region}:${ACCOUNT_ID}:${type}/${name.toLowerCase()}`;
}
