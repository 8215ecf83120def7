// payplan/preview: the same API as payplan, with live preview sessions (CompiledPlan.openSession).
// Node, CommonJS: the WebAssembly module is instantiated synchronously on require.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync as wasmInitSync } from '../../wasm/payplan_preview.js';
import { markReady } from '../api.js';

wasmInitSync({ module: readFileSync(join(__dirname, 'payplan_preview_bg.wasm')) });
markReady();

export * from '../public.js';
export { init, initSync } from './ready.js';
