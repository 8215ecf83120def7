// Node, CommonJS: the WebAssembly module is instantiated synchronously on require.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// the preview module's glue; scripts/build.mjs bundles the plain entries against payplan_node.js instead
import { initSync as wasmInitSync } from '../../wasm/payplan_preview.js';
import { markReady } from '../api.js';

// the module file, set by scripts/build.mjs: payplan_node_bg.wasm (with the batch kernel), or
// payplan_preview_node_bg.wasm for payplan/preview (the same with live preview sessions)
declare const WASM_FILE: string;

wasmInitSync({ module: readFileSync(join(__dirname, WASM_FILE)) });
markReady();

export * from '../public.js';
export { init, initSync } from './ready.js';
