import type { AwsEnv } from '../runtime/env';
import type { S3Adapter } from './s3';

/** The S3 reads a step makes only for some releases (smoke payload files). */
export type S3Reader = Pick<S3Adapter, 'readBytes'>;

/**
 * An S3 reader whose SDK client is loaded on its first read. PrepareDeployment and PreviewRelease read S3
 * only for a release whose smoke payloads are a file; loading the S3 client at cold start for every
 * release would cost each of them about 25 ms.
 */
export const s3OnDemand = (env: AwsEnv): S3Reader => {
  let adapter: S3Adapter | undefined;
  return {
    readBytes: async (uri, maxBytes) => {
      // Required here, not imported at the top, so the S3 client's modules are evaluated only when read.
      adapter ??= (require('./s3') as typeof import('./s3')).s3(env);
      return adapter.readBytes(uri, maxBytes);
    },
  };
};
