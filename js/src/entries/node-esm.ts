// Node, ES module: the WebAssembly module is instantiated synchronously on import.
import { readFileSync } from 'node:fs';
import { initSync as wasmInitSync } from '../../wasm/payplan.js';
import { markReady } from '../api.js';

wasmInitSync({ module: readFileSync(new URL('./payplan_bg.wasm', import.meta.url)) });
markReady();

export * from '../public.js';
export { init, initSync } from './ready.js';
