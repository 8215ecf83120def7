// Lays out the npm package in dist/ from the wasm-bindgen output in wasm/ (made by
// ../scripts/build-wasm.sh): one bundle per runtime, the .wasm file, and the type declarations.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// The API imports the preview module's glue (../wasm/payplan_preview.js, a superset); an entry over
// another module is bundled against that module's glue (`glue` in ../wasm/`glue`.js) instead.
const glueOf = (glue) => ({
  name: `${glue}-glue`,
  setup(b) {
    b.onResolve({ filter: /wasm\/payplan_preview\.js$/ }, (args) => ({ path: join(args.resolveDir, args.path.replace('payplan_preview.js', `${glue}.js`)) }));
  },
});
// The plain entries: the plan-evaluation module. Its Node entries load payplan_node_bg.wasm: the
// plan-evaluation module with the batch kernel (summaries in integer arithmetic, the same bytes;
// ../src/engine/batch.rs). Browsers load payplan_bg.wasm, which leaves the kernel out to keep its
// download within budget.
const plainGlue = glueOf('payplan');
const nodeGlue = glueOf('payplan_node');
// wasm-bindgen's glue copies a string into WebAssembly memory one character at a time in
// JavaScript until the first non-ASCII one (about 35 ms for a 12.5 MB inputs document in Node 20);
// `TextEncoder.encodeInto` writes the same UTF-8 bytes in about 8 ms. Every bundle gets the glue
// with that loop replaced (the same bytes: the loop's rest already used `encodeInto`). The glue
// comes from the wasm-bindgen CLI pinned in ../Cargo.lock; a build whose glue differs fails here.
const asciiLoop = `    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }`;
const encodeHead = `    const head = cachedTextEncoder.encodeInto(arg, mem.subarray(ptr, ptr + len));
    offset = head.written;
    if (head.read !== len) {
        arg = arg.slice(head.read);`;
const fastStrings = {
  name: 'fast-strings',
  setup(b) {
    b.onLoad({ filter: /wasm[\\/]payplan[a-z_]*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes(asciiLoop)) throw new Error(`${args.path}: wasm-bindgen's string copy changed; update fastStrings in js/scripts/build.mjs`);
      return { contents: text.replace(asciiLoop, encodeHead), loader: 'js' };
    });
  },
};
const base = { bundle: true, target: 'es2022', logLevel: 'warning', legalComments: 'none' };
const common = { ...base, plugins: [plainGlue, fastStrings], define: { WASM_FILE: '"payplan_bg.wasm"' } };
const nodeCommon = { ...base, plugins: [nodeGlue, fastStrings], define: { WASM_FILE: '"payplan_node_bg.wasm"' } };
// payplan/preview: the same entries over the preview module; its Node entries load
// payplan_preview_node_bg.wasm, the preview module with the batch kernel built for speed (the
// keystroke path's p99 about halves; BENCHMARKS.md "Preview latency"), browsers the size-built one.
const preview = { ...base, plugins: [fastStrings], define: { WASM_FILE: '"payplan_preview_bg.wasm"' } };
const previewNode = { ...base, plugins: [glueOf('payplan_preview_node'), fastStrings], define: { WASM_FILE: '"payplan_preview_node_bg.wasm"' } };
const entry = (name) => join(root, 'src', 'entries', name);
await Promise.all([
  build({ ...nodeCommon, entryPoints: [entry('node-esm.ts')], outfile: join(dist, 'node.mjs'), format: 'esm', platform: 'node' }),
  build({ ...nodeCommon, entryPoints: [entry('node-cjs.ts')], outfile: join(dist, 'node.cjs'), format: 'cjs', platform: 'node', define: { ...nodeCommon.define, 'import.meta.url': 'undefined' } }),
  build({ ...common, entryPoints: [entry('web.ts')], outfile: join(dist, 'web.mjs'), format: 'esm', platform: 'browser' }),
  build({ ...common, entryPoints: [entry('inline.ts')], outfile: join(dist, 'inline.mjs'), format: 'esm', platform: 'neutral', loader: { '.wasm': 'base64' } }),
  build({ ...common, entryPoints: [entry('inline.ts')], outfile: join(dist, 'inline.cjs'), format: 'cjs', platform: 'neutral', loader: { '.wasm': 'base64' }, define: { ...common.define, 'import.meta.url': 'undefined' } }),
  build({ ...common, entryPoints: [entry('ops-node-esm.ts')], outfile: join(dist, 'operations.node.mjs'), format: 'esm', platform: 'node' }),
  build({ ...common, entryPoints: [entry('ops-node-cjs.ts')], outfile: join(dist, 'operations.node.cjs'), format: 'cjs', platform: 'node', define: { ...common.define, 'import.meta.url': 'undefined' } }),
  build({ ...common, entryPoints: [entry('ops-web.ts')], outfile: join(dist, 'operations.web.mjs'), format: 'esm', platform: 'browser' }),
  build({ ...previewNode, entryPoints: [entry('node-esm.ts')], outfile: join(dist, 'preview.node.mjs'), format: 'esm', platform: 'node' }),
  build({ ...previewNode, entryPoints: [entry('node-cjs.ts')], outfile: join(dist, 'preview.node.cjs'), format: 'cjs', platform: 'node', define: { ...previewNode.define, 'import.meta.url': 'undefined' } }),
  build({ ...preview, entryPoints: [entry('web.ts')], outfile: join(dist, 'preview.web.mjs'), format: 'esm', platform: 'browser' }),
]);
copyFileSync(join(root, 'wasm', 'payplan_bg.wasm'), join(dist, 'payplan_bg.wasm'));
copyFileSync(join(root, 'wasm', 'payplan_node_bg.wasm'), join(dist, 'payplan_node_bg.wasm'));
copyFileSync(join(root, 'wasm', 'payplan_ops_bg.wasm'), join(dist, 'payplan_ops_bg.wasm'));
copyFileSync(join(root, 'wasm', 'payplan_preview_bg.wasm'), join(dist, 'payplan_preview_bg.wasm'));
copyFileSync(join(root, 'wasm', 'payplan_preview_node_bg.wasm'), join(dist, 'payplan_preview_node_bg.wasm'));
// the package's command line (`npx payplan validate ...`): the Node example of
// ../examples/node-validate, shipped as it is. It imports `payplan` by name, which from inside the
// package resolves to the package itself (self-reference through "exports").
mkdirSync(join(dist, 'bin'));
copyFileSync(join(root, '..', 'examples', 'node-validate', 'payplan.mjs'), join(dist, 'bin', 'payplan.mjs'));
chmodSync(join(dist, 'bin', 'payplan.mjs'), 0o755);
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });

const size = (f) => {
  const b = readFileSync(join(dist, f));
  return `${f.padEnd(29)} ${String(statSync(join(dist, f)).size).padStart(9)} B raw ${String(gzipSync(b, { level: 9 }).length).padStart(8)} B gzip`;
};
console.log(['payplan_bg.wasm', 'payplan_node_bg.wasm', 'payplan_preview_bg.wasm', 'payplan_preview_node_bg.wasm', 'payplan_ops_bg.wasm', 'web.mjs', 'preview.web.mjs', 'node.mjs', 'node.cjs', 'inline.mjs', 'operations.web.mjs'].map(size).join('\n'));

// The size budget of the plan-evaluation module (issue 4: at most 150 KB gzip): a build over it
// fails, so that growth is noticed when it happens rather than in a later measurement.
const BUDGET = 150_000;
const core = gzipSync(readFileSync(join(dist, 'payplan_bg.wasm')), { level: 9 }).length;
if (core > BUDGET) {
  console.error(`payplan_bg.wasm is ${core} B gzip, over its budget of ${BUDGET} B: make it smaller (see BENCHMARKS.md)`);
  process.exit(1);
}
