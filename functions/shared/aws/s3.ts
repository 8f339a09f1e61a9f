import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { splitS3Uri } from '../domain/model-artifact';
import type { ObjectFacts } from '../domain/views';
import type { AwsEnv } from '../runtime/env';
import { traced } from '../runtime/tracing';
import { clientOptions } from './client-options';
import { awsCall, awsCallIfPresent } from './translate-error';

/** Counting stops here: enough to tell "wrote something" from "wrote nothing" without paging forever. */
const MAX_LISTED_PAGES = 100;

/** The S3 calls the pipeline makes, by s3:// URI. */
export class S3Adapter {
  constructor(private readonly client: S3Client) {}

  /** The object's ETag and user metadata, or null when there is none (needs s3:ListBucket, else S3 answers 403). */
  async headObject(uri: string): Promise<ObjectFacts | null> {
    const out = await awsCallIfPresent('HeadObject', () => this.client.send(new HeadObjectCommand(splitS3Uri(uri))));
    return out === null ? null : { etag: out.ETag ?? null, metadata: out.Metadata ?? {} };
  }

  /**
   * Server-side copy (at most 5 GB, S3's single-request limit). With `metadata` the copy carries exactly that
   * user metadata (MetadataDirective REPLACE); without, the source's (COPY). Copying is idempotent.
   * The source's object tags are not copied (TaggingDirective REPLACE, no tags): S3's default copies them,
   * which needs s3:GetObjectTagging on the source and s3:PutObjectTagging on the copy, and a model archive's
   * tags in the data scientists' bucket mean nothing under a shared endpoint's prefix.
   */
  async copyObject(from: string, to: string, metadata?: Record<string, string>): Promise<void> {
    const source = splitS3Uri(from);
    const copySource = `${source.Bucket}/${source.Key.split('/').map(encodeURIComponent).join('/')}`;
    await awsCall('CopyObject', () =>
      this.client.send(
        new CopyObjectCommand({
          ...splitS3Uri(to),
          CopySource: copySource,
          TaggingDirective: 'REPLACE',
          ...(metadata ? { MetadataDirective: 'REPLACE', Metadata: metadata } : { MetadataDirective: 'COPY' }),
        }),
      ),
    );
  }

  /** Deletes the object; one that is already gone counts as deleted. */
  async deleteObject(uri: string): Promise<void> {
    await awsCallIfPresent('DeleteObject', () => this.client.send(new DeleteObjectCommand(splitS3Uri(uri))));
  }

  async putObject(uri: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await awsCall('PutObject', () => this.client.send(new PutObjectCommand({ ...splitS3Uri(uri), Body: body, ContentType: contentType })));
  }

  /** The object's text, or null when there is none yet. */
  async readIfPresent(uri: string): Promise<string | null> {
    const out = await awsCallIfPresent('GetObject', () => this.client.send(new GetObjectCommand(splitS3Uri(uri))));
    if (out === null) return null;
    return out.Body ? await out.Body.transformToString() : '';
  }

  /**
   * The object's bytes, or null when there is none; `tooBig` when it is over `maxBytes` (known from its
   * length before the body is read, so a huge object costs one request, not its download).
   */
  async readBytes(uri: string, maxBytes: number): Promise<Uint8Array | null | { tooBig: number }> {
    const out = await awsCallIfPresent('GetObject', () => this.client.send(new GetObjectCommand(splitS3Uri(uri))));
    if (out === null) return null;
    if (out.ContentLength !== undefined && out.ContentLength > maxBytes) {
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return { tooBig: out.ContentLength };
    }
    return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
  }

  /** How many objects are under the prefix (counting stops after MAX_LISTED_PAGES pages). */
  async countObjects(listing: { Bucket: string; Prefix: string }): Promise<number> {
    let count = 0;
    let token: string | undefined;
    for (let page = 0; page < MAX_LISTED_PAGES; page += 1) {
      const out = await awsCall('ListObjectsV2', () => this.client.send(new ListObjectsV2Command({ ...listing, ContinuationToken: token })));
      count += out.KeyCount ?? out.Contents?.length ?? 0;
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
      if (token === undefined) break;
    }
    return count;
  }
}

export const s3 = (env: AwsEnv): S3Adapter => new S3Adapter(traced(new S3Client(clientOptions(env))));
