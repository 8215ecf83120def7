// payplan/preview: the same API as payplan, with live preview sessions (CompiledPlan.openSession).
// Node, ES module: the WebAssembly module is instantiated synchronously on import.
import { readFileSync } from 'node:fs';
import { initSync as wasmInitSync } from '../../wasm/payplan_preview.js';
import { markReady } from '../api.js';

wasmInitSync({ module: readFileSync(new URL('./payplan_preview_bg.wasm', import.meta.url)) });
markReady();

export * from '../public.js';
export { init, initSync } from './ready.js';
