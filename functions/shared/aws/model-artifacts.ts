import { CopyObjectCommand, DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { splitS3Uri } from '../domain/model-artifact';
import { s3Client } from './clients';
import { awsCall, isNotFound, translateAwsError } from './translate-error';

export interface ObjectFacts {
  etag: string | null;
  metadata: Record<string, string>;
}

/** The object's ETag and user metadata, or null when there is none (needs s3:ListBucket, else S3 answers 403). */
export async function headObject(uri: string): Promise<ObjectFacts | null> {
  try {
    const out = await s3Client().send(new HeadObjectCommand(splitS3Uri(uri)));
    return { etag: out.ETag ?? null, metadata: out.Metadata ?? {} };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw translateAwsError('HeadObject', error);
  }
}

/**
 * Server-side copy (at most 5 GB, S3's single-request limit). With `metadata` the copy carries exactly that
 * user metadata (MetadataDirective REPLACE); without, the source's (COPY). Copying is idempotent.
 */
export async function copyObject(from: string, to: string, metadata?: Record<string, string>): Promise<void> {
  const source = splitS3Uri(from);
  const copySource = `${source.Bucket}/${source.Key.split('/').map(encodeURIComponent).join('/')}`;
  await awsCall('CopyObject', () =>
    s3Client().send(
      new CopyObjectCommand({
        ...splitS3Uri(to),
        CopySource: copySource,
        ...(metadata ? { MetadataDirective: 'REPLACE', Metadata: metadata } : { MetadataDirective: 'COPY' }),
      }),
    ),
  );
}

/** Deletes the object; one that is already gone counts as deleted. */
export async function deleteObject(uri: string): Promise<void> {
  try {
    await s3Client().send(new DeleteObjectCommand(splitS3Uri(uri)));
  } catch (error) {
    if (isNotFound(error)) return;
    throw translateAwsError('DeleteObject', error);
  }
}
