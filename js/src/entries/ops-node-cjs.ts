// payplan/operations for Node, CommonJS: instantiated synchronously on require.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync as wasmInitSync } from '../../wasm/payplan_ops.js';
import { markOperationsReady } from '../operations.js';

wasmInitSync({ module: readFileSync(join(__dirname, 'payplan_ops_bg.wasm')) });
markOperationsReady();

export * from '../operations-public.js';
export { init, initSync } from './ready.js';
