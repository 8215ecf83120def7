// payplan/operations for Node, ES module: instantiated synchronously on import.
import { readFileSync } from 'node:fs';
import { initSync as wasmInitSync } from '../../wasm/payplan_ops.js';
import { markOperationsReady } from '../operations.js';

wasmInitSync({ module: readFileSync(new URL('./payplan_ops_bg.wasm', import.meta.url)) });
markOperationsReady();

export * from '../operations-public.js';
export { init, initSync } from './ready.js';
