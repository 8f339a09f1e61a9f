import { build } from 'esbuild';
(async () => {
const r = await build({ entryPoints: [process.argv[2]!], bundle: true, platform: 'node', target: 'node22', format: 'cjs', mainFields: ['module', 'main'], minify: true, keepNames: process.env.KEEP === '1', write: false, metafile: true, outfile: '/tmp/x.js', logLevel: 'silent' });
const out = Object.values(r.metafile.outputs)[0]!;
console.log('total', out.bytes);
const want = process.argv[3];
if (want) for (const [f, i] of Object.entries(r.metafile.inputs)) for (const imp of i.imports) if (imp.path.includes(want)) console.log(imp.path, '<-', f);
const byPkg = new Map<string, number>();
for (const [file, info] of Object.entries(out.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  const key = m ? m[1]! : file;
  byPkg.set(key, (byPkg.get(key) ?? 0) + info.bytesInOutput);
}
for (const [k, v] of [...byPkg].sort((a,b)=>b[1]-a[1]).slice(0,15)) console.log(String(v).padStart(9), k);
})().catch(e => { console.error(e); process.exit(1); });
