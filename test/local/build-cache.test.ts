/**
 * `npm run simulate` packages only when the sources changed, and never for --list or --help.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needsPackage, packageIsCurrent, recordPackageHash, sourceHash } from '../../local/build-cache';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'build-cache-'));
  mkdirSync(join(root, 'functions', 'smoke-test'), { recursive: true });
  mkdirSync(join(root, 'dist', 'functions', 'smoke-test'), { recursive: true });
  mkdirSync(join(root, '.serverless'));
  writeFileSync(join(root, 'functions', 'smoke-test', 'handler.ts'), 'export const handler = 1;\n');
  writeFileSync(join(root, 'serverless.yml'), 'service: x\n');
  writeFileSync(join(root, 'dist', 'functions', 'smoke-test', 'index.js'), '');
  writeFileSync(join(root, '.serverless', 'template.json'), '{}');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const current = () => packageIsCurrent(root, join(root, '.serverless', 'source-hash'), join(root, '.serverless', 'template.json'));

describe('the package cache', () => {
  it('is current after a package, and stale once a source changes', () => {
    // Act
    const before = current();
    recordPackageHash(root, join(root, '.serverless', 'source-hash'));
    const after = current();
    writeFileSync(join(root, 'functions', 'smoke-test', 'handler.ts'), 'export const handler = 2;\n');

    // Assess
    expect(before).toBe(false);
    expect(after).toBe(true);
    expect(current()).toBe(false);
  });

  it('is stale when a bundle is missing, whatever the hash says', () => {
    recordPackageHash(root, join(root, '.serverless', 'source-hash'));
    rmSync(join(root, 'dist', 'functions', 'smoke-test', 'index.js'));
    expect(current()).toBe(false);
  });

  it('hashes contents and paths, not timestamps: the same files hash the same', () => {
    const first = sourceHash(root);
    writeFileSync(join(root, 'serverless.yml'), 'service: x\n');
    expect(sourceHash(root)).toBe(first);
    writeFileSync(join(root, 'functions', 'smoke-test', 'other.ts'), '');
    expect(sourceHash(root)).not.toBe(first);
  });

  it.each([
    [['--list'], false],
    [['--help'], false],
    [['-h'], false],
    [[], true],
    [['--scenario', 'realtime-canary-promote', '--json'], true],
    [['--serve'], true],
  ])('simulate %j needs the package: %s', (argv, needed) => {
    expect(needsPackage(argv)).toBe(needed);
  });
});
