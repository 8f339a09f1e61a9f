import { gzipSync } from 'node:zlib';

/**
 * A gzip-compressed ustar archive of text files, as a data scientist's `tar czf` would make for a
 * package's SamplePayloadUrl. Only what seeding needs: regular files, names up to 100 characters.
 */
export function tarGz(files: { name: string; body: string | Uint8Array }[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const file of files) {
    const body = typeof file.body === 'string' ? new TextEncoder().encode(file.body) : file.body;
    if (file.name.length > 100) throw new Error(`tar name over 100 characters: ${file.name}`);
    const header = new Uint8Array(512);
    const put = (offset: number, text: string) => header.set(new TextEncoder().encode(text), offset);
    put(0, file.name);
    put(100, '0000644\0');
    put(108, '0000000\0');
    put(116, '0000000\0');
    put(124, `${body.length.toString(8).padStart(11, '0')}\0`);
    put(136, `${Math.floor(Date.UTC(2026, 0, 1) / 1000).toString(8).padStart(11, '0')}\0`);
    put(148, '        ');
    put(156, '0');
    put(257, 'ustar\0');
    put(263, '00');
    const checksum = header.reduce((sum, b) => sum + b, 0);
    put(148, `${checksum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(header, body, new Uint8Array((512 - (body.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const tar = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const block of blocks) {
    tar.set(block, offset);
    offset += block.length;
  }
  return gzipSync(tar);
}
