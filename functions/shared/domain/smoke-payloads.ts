import { InvalidSettings } from '../errors';
import type { ModelPackage } from './model-package';
import { smokePayloadSchema, type ReleaseSettings, type SmokePayload } from './settings';

/**
 * Where a release's smoke payloads come from. A real package cannot carry JSON in its metadata
 * (CustomerMetadataProperties values are 256 characters of letters, digits, spaces and `_.:/=+-@`), so a
 * package names an S3 object instead: a JSON Lines file (`smoke.payloadsUrl`), or, failing that, its own
 * `SamplePayloadUrl` archive. Inline JSON (`smoke.payloads`) is for stage defaults and manual overrides.
 * The payloads themselves never enter the execution state (up to 1 MB of them would overflow its 256 KB).
 */
export type SmokeSource =
  | { from: 'none' }
  /** The payloads themselves are in the settings (`settings.smoke.payloads`), not copied here. */
  | { from: 'smoke.payloads'; count: number }
  | { from: 'smoke.payloadsUrl'; url: string }
  /** Every file of the package's sample archive is one request body, sent as its first supported content type. */
  | { from: 'SamplePayloadUrl'; url: string; contentType: string };

/** At most this many smoke requests, wherever they come from. */
export const MAX_SMOKE_PAYLOADS = 20;
/** A JSON Lines file of smoke payloads is at most this big. */
export const MAX_SMOKE_FILE_BYTES = 1024 * 1024;
/** A package's sample payload archive (compressed) is at most this big. */
export const MAX_SAMPLE_ARCHIVE_BYTES = 10 * 1024 * 1024;

/** A smoke request as sent: a sample archive's files may be binary, so the body may be bytes. */
export type SmokeRequest = Omit<SmokePayload, 'body'> & { body: string | Uint8Array };

/**
 * The smoke source of a release. The highest settings layer that names payloads wins (settings.ts merges
 * `smoke.payloads` and `smoke.payloadsUrl` as one setting); with neither, the package's sample payloads.
 */
export function smokeSourceFor(settings: ReleaseSettings, pkg: Pick<ModelPackage, 'samplePayloadUrl' | 'supportedContentTypes'>): SmokeSource {
  if (settings.smoke.payloadsUrl !== undefined) return { from: 'smoke.payloadsUrl', url: settings.smoke.payloadsUrl };
  // Inline payloads, even none: `smoke.payloads=[]` in an override is how an operator skips the smoke test.
  if (settings.smoke.payloads !== undefined) return { from: 'smoke.payloads', count: settings.smoke.payloads.length };
  const sampleUrl = pkg.samplePayloadUrl ?? null;
  if (sampleUrl !== null) {
    if (!/^s3:\/\/[a-z0-9.-]{3,63}\/.*[^/]$/.test(sampleUrl)) throw new InvalidSettings(`SamplePayloadUrl ${sampleUrl}: not the s3:// URI of an object; the smoke test cannot read it`);
    const contentType = pkg.supportedContentTypes[0];
    if (contentType === undefined) {
      throw new InvalidSettings(`SamplePayloadUrl ${sampleUrl}: the package names no SupportedContentTypes to send its sample payloads as; set smoke.payloadsUrl instead`);
    }
    return { from: 'SamplePayloadUrl', url: sampleUrl, contentType };
  }
  return { from: 'none' };
}

/**
 * The plan's smoke source. A plan written before sources existed carried its payloads inline in the
 * settings (possibly none), and is read that way: a release in flight across an upgrade keeps going.
 */
export function smokeSourceOfPlan(plan: { smoke?: SmokeSource | undefined; settings: ReleaseSettings }): SmokeSource {
  return plan.smoke ?? { from: 'smoke.payloads', count: plan.settings.smoke.payloads?.length ?? 0 };
}

/** How the source reads in a reason or the timeline. */
export function describeSmokeSource(source: SmokeSource): string {
  switch (source.from) {
    case 'none':
      return 'no smoke payloads configured';
    case 'smoke.payloads':
      return `${source.count} inline smoke.payloads`;
    case 'smoke.payloadsUrl':
      return `smoke.payloadsUrl ${source.url}`;
    case 'SamplePayloadUrl':
      return `the package's SamplePayloadUrl ${source.url} (as ${source.contentType})`;
  }
}

/**
 * Parses a JSON Lines file of smoke payloads: one `{contentType, body, accept?, expect?}` object per line,
 * blank lines ignored. Every bad line is named, so one fix run finds them all.
 */
export function parseSmokePayloadLines(text: string, url: string): SmokePayload[] {
  const payloads: SmokePayload[] = [];
  const problems: string[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      problems.push(`line ${index + 1}: not JSON`);
      continue;
    }
    const parsed = smokePayloadSchema.safeParse(value);
    if (parsed.success) payloads.push(parsed.data);
    else problems.push(`line ${index + 1}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join(', ')}`);
  }
  if (payloads.length + problems.length > MAX_SMOKE_PAYLOADS) problems.push(`at most ${MAX_SMOKE_PAYLOADS} payloads, found ${payloads.length + problems.length}`);
  if (problems.length === 0 && payloads.length === 0) problems.push('no payloads (one JSON object per line)');
  if (problems.length > 0) throw new InvalidSettings(`smoke.payloadsUrl ${url}: ${problems.join('; ')}`);
  return payloads;
}

/** One regular file of a tar archive. */
export interface TarEntry {
  name: string;
  body: Uint8Array;
}

const BLOCK = 512;

function tarString(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
}

function tarOctal(block: Uint8Array, offset: number, length: number): number {
  const text = tarString(block, offset, length).trim();
  return text.length === 0 ? 0 : Number.parseInt(text, 8);
}

/** A tar header's checksum: the byte sum with the checksum field itself read as spaces. */
function headerChecksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (header[i] ?? 0);
  return sum;
}

/**
 * The regular files of an (uncompressed) ustar/GNU/pax tar archive, in archive order. Directories, links,
 * pax headers and macOS resource forks (`._name`) are skipped; GNU long names are honoured. Pure, so the
 * archive rules are tested without S3.
 */
export function readTarEntries(archive: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | null = null;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const sizeField = tarString(header, 124, 12).trim();
    if (!/^[0-7]+$/.test(sizeField) || tarOctal(header, 148, 8) !== headerChecksum(header)) throw new Error(`not a tar archive (bad header at byte ${offset})`);
    const size = Number.parseInt(sizeField, 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const prefix = tarString(header, 257, 6).startsWith('ustar') ? tarString(header, 345, 155) : '';
    const headerName = prefix.length > 0 ? `${prefix}/${tarString(header, 0, 100)}` : tarString(header, 0, 100);
    const dataStart = offset + BLOCK;
    if (dataStart + size > archive.length) throw new Error(`tar archive truncated in ${headerName}`);
    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = tarString(data, 0, data.length);
      continue;
    }
    const name = longName ?? headerName;
    longName = null;
    const baseName = name.split('/').pop() ?? name;
    if ((type === '0' || type === '\0') && !baseName.startsWith('._') && baseName.length > 0) entries.push({ name, body: data.slice() });
    // Only the first MAX_SMOKE_PAYLOADS are ever sent: copying the rest would only cost memory.
    if (entries.length >= MAX_SMOKE_PAYLOADS) break;
  }
  return entries;
}

/** The smoke requests of a package's sample archive (already decompressed): one per file, at most MAX_SMOKE_PAYLOADS. */
export function samplePayloadRequests(entries: TarEntry[], source: Extract<SmokeSource, { from: 'SamplePayloadUrl' }>): SmokeRequest[] {
  if (entries.length === 0) throw new InvalidSettings(`SamplePayloadUrl ${source.url}: the archive holds no files`);
  return entries.slice(0, MAX_SMOKE_PAYLOADS).map((entry) => ({ contentType: source.contentType, body: entry.body }));
}
