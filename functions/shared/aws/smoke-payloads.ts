import { gunzipSync } from 'node:zlib';
import { AwsRequestRejected, InvalidSettings } from '../errors';
import type { ReleasePlan } from '../domain/release-plan';
import { MAX_SAMPLE_ARCHIVE_BYTES, MAX_SMOKE_FILE_BYTES, parseSmokePayloadLines, readTarEntries, samplePayloadRequests, smokeSourceOfPlan, type SmokeRequest } from '../domain/smoke-payloads';
import type { S3Reader } from './s3-on-demand';

/** Reads the object, refusing a missing or oversized one with a message naming the setting. */
async function readSource(s3: S3Reader, setting: string, url: string, maxBytes: number): Promise<Uint8Array> {
  let bytes: Awaited<ReturnType<S3Reader['readBytes']>>;
  try {
    bytes = await s3.readBytes(url, maxBytes);
  } catch (error) {
    // A refusal to read is a settings problem the operator can act on, not an AWS outage.
    if (error instanceof AwsRequestRejected && /AccessDenied|Forbidden/.test(error.message)) {
      throw new InvalidSettings(`${setting} ${url}: access denied; the pipeline reads smoke payloads only from the locations the stage param smokePayloadLocations names`);
    }
    throw error;
  }
  if (bytes === null) throw new InvalidSettings(`${setting} ${url}: no such object`);
  if ('tooBig' in bytes) throw new InvalidSettings(`${setting} ${url}: ${bytes.tooBig} bytes, at most ${maxBytes}`);
  return bytes;
}

/**
 * The smoke requests of a release, read from wherever its plan says (functions/shared/domain/smoke-payloads.ts).
 * Read by the pre-flight steps, so a missing or malformed file refuses the release before anything is
 * created, and again by SmokeTest, which sends what the file says at that moment.
 */
export async function loadSmokeRequests(s3: S3Reader, plan: Pick<ReleasePlan, 'smoke' | 'settings'>): Promise<SmokeRequest[]> {
  const source = smokeSourceOfPlan(plan);
  switch (source.from) {
    case 'none':
      return [];
    case 'smoke.payloads':
      return plan.settings.smoke.payloads ?? [];
    case 'smoke.payloadsUrl': {
      const bytes = await readSource(s3, 'smoke.payloadsUrl', source.url, MAX_SMOKE_FILE_BYTES);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        throw new InvalidSettings(`smoke.payloadsUrl ${source.url}: not UTF-8 text (one JSON object per line)`);
      }
      return parseSmokePayloadLines(text, source.url);
    }
    case 'SamplePayloadUrl': {
      const bytes = await readSource(s3, 'SamplePayloadUrl', source.url, MAX_SAMPLE_ARCHIVE_BYTES);
      let entries;
      try {
        entries = readTarEntries(gunzipSync(bytes, { maxOutputLength: MAX_SAMPLE_ARCHIVE_BYTES * 2 }));
      } catch (error) {
        const tooBig = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
        throw new InvalidSettings(`SamplePayloadUrl ${source.url}: ${tooBig ? `over ${(MAX_SAMPLE_ARCHIVE_BYTES * 2) / 1024 / 1024} MB uncompressed` : `not a gzip-compressed tar archive (${(error as Error).message})`}`);
      }
      return samplePayloadRequests(entries, source);
    }
  }
}
