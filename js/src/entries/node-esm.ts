// Node, ES module: the WebAssembly module is instantiated synchronously on import.
import { readFileSync } from 'node:fs';
// the preview module's glue; scripts/build.mjs bundles the plain entries against payplan_node.js instead
import { initSync as wasmInitSync } from '../../wasm/payplan_preview.js';
import { markReady } from '../api.js';

// the module file, set by scripts/build.mjs: payplan_node_bg.wasm (with the batch kernel), or
// payplan_preview_node_bg.wasm for payplan/preview (the same with live preview sessions)
declare const WASM_FILE: string;

wasmInitSync({ module: readFileSync(new URL(`./${WASM_FILE}`, import.meta.url)) });
markReady();

export * from '../public.js';
export { init, initSync } from './ready.js';
