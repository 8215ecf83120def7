// The WebAssembly bytes are embedded in this file, for bundlers and edge runtimes that cannot
// fetch or read a `.wasm` file. Instantiated synchronously on import.
import bytes from '../../wasm/payplan_bg.wasm';
import { initSync as wasmInitSync } from '../../wasm/payplan.js';
import { markReady } from '../api.js';

wasmInitSync({ module: bytes });
markReady();

export * from '../public.js';
export { init, initSync } from './ready.js';
