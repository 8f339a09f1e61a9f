/**
 * Build and package only when the sources changed. `npm run simulate` used to bundle 26 handlers and run
 * `osls package` (about 30 s) before every run; the packaged template and bundles depend only on the
 * files hashed here, so a run whose inputs hash as the last successful package reuses it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PACKAGED_TEMPLATE, PROJECT_ROOT } from './packaged-template';

/** What the bundles and the packaged template are made from. */
export const PACKAGE_INPUTS = ['functions', 'statemachines', 'resources', 'scripts/build.ts', 'serverless.yml', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** Where the hash of the inputs of the last successful package is kept (beside what it describes). */
const HASH_FILE = join(PROJECT_ROOT, '.serverless', 'source-hash');

function filesUnder(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [path];
  return readdirSync(full, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
    .flatMap((e) => filesUnder(root, join(path, e.name)));
}

/** One hash over the inputs' paths and contents (order-independent of the file system's listing order). */
export function sourceHash(root: string, inputs: readonly string[] = PACKAGE_INPUTS): string {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((i) => filesUnder(root, i)).sort()) {
    hash.update(relative(root, join(root, file)));
    hash.update('\0');
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Whether the packaged template and every bundle exist and were made from these exact inputs. */
export function packageIsCurrent(root = PROJECT_ROOT, hashFile = HASH_FILE, template = PACKAGED_TEMPLATE): boolean {
  if (!existsSync(hashFile) || !existsSync(template)) return false;
  const functions = readdirSync(join(root, 'functions'), { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'shared');
  if (!functions.every((f) => existsSync(join(root, 'dist', 'functions', f.name, 'index.js')))) return false;
  return readFileSync(hashFile, 'utf8').trim() === sourceHash(root);
}

/** The commands that need the packaged template and bundles (`--list` and `--help` need neither). */
export function needsPackage(argv: readonly string[]): boolean {
  return !argv.some((a) => a === '--list' || a === '--help' || a === '-h');
}

/**
 * Builds and packages unless the last package is current. Its output goes to stderr, so that what a
 * command prints on stdout (`--json`, `--serve`'s first line) is only its own.
 */
export function ensurePackaged(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): { rebuilt: boolean; seconds: number } {
  const started = Date.now();
  if (packageIsCurrent()) return { rebuilt: false, seconds: 0 };
  log('sources changed since the last package: building and packaging (npm run package)');
  // The build's own output goes to stderr too (file descriptor 2 for both of its streams).
  const result = spawnSync('npm', ['run', 'package', '--silent'], { cwd: PROJECT_ROOT, stdio: ['ignore', 2, 2], env: process.env });
  if (result.status !== 0) throw new Error(`npm run package failed (exit ${result.status ?? 'signal'})`);
  return { rebuilt: true, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/** Records the inputs' hash as the last successful package's (`npm run package` ends with this). */
export function recordPackageHash(root = PROJECT_ROOT, hashFile = HASH_FILE): void {
  writeFileSync(hashFile, `${sourceHash(root)}\n`);
}

if (require.main === module && process.argv.includes('--record')) recordPackageHash();
