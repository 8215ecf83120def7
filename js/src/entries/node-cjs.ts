// Node, CommonJS: the WebAssembly module is instantiated synchronously on require.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync as wasmInitSync } from '../../wasm/payplan.js';
import { markReady } from '../api.js';

wasmInitSync({ module: readFileSync(join(__dirname, 'payplan_bg.wasm')) });
markReady();

export * from '../public.js';
export { init, initSync } from './ready.js';
