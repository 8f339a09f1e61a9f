/**
 * Bundles each step handler (functions/<step>/handler.ts) into dist/functions/<step>/index.js with
 * esbuild. serverless.yml packages those folders, and the local simulation loads the very same files,
 * so what is simulated is what is deployed.
 */
import { build } from 'esbuild';
import { readdirSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const FUNCTIONS_DIR = join(__dirname, '..', 'functions');
export const DIST_DIR = join(__dirname, '..', 'dist', 'functions');

export function stepDirectories(): string[] {
  return readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(FUNCTIONS_DIR, d.name, 'handler.ts')))
    .map((d) => d.name)
    .sort();
}

async function main(): Promise<void> {
  rmSync(DIST_DIR, { recursive: true, force: true });
  const steps = stepDirectories();
  const started = Date.now();
  await Promise.all(
    steps.map((step) =>
      build({
        entryPoints: [join(FUNCTIONS_DIR, step, 'handler.ts')],
        outfile: join(DIST_DIR, step, 'index.js'),
        bundle: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        // The SDK's ES modules, not its single-file CommonJS builds: only the ESM builds tree-shake, which
        // keeps each client's unused commands and schemas (hundreds of KB) out of every bundle.
        mainFields: ['module', 'main'],
        // Those builds load Node built-ins with import() (node:http, node:async_hooks): compiled to require(),
        // so every bundle is plain CommonJS, which any host loads, jest's module sandbox included.
        supported: { 'dynamic-import': false },
        minify: true,
        // Error names are literals already, so keepNames would only add a call per function to every cold
        // start. The linked source map turns a minified stack trace back into source lines when needed
        // (node --enable-source-maps); it is not enabled in Lambda, where it costs tens of ms per cold start.
        keepNames: false,
        sourcemap: 'linked',
        legalComments: 'none',
        logLevel: 'warning',
      }),
    ),
  );
  console.log(`built ${steps.length} handlers into dist/functions in ${Date.now() - started} ms`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
