// payplan/operations for browsers: `await init()` fetches `payplan_ops_bg.wasm` next to this
// script, or takes the URL, a Response, the bytes or a compiled module.
import wasmInit, { initSync as wasmInitSync } from '../../wasm/payplan_ops.js';
import { isReady, markOperationsReady } from '../operations.js';

type InitInput = string | URL | Request | Response | BufferSource | WebAssembly.Module;

let pending: Promise<void> | null = null;

export function init(input?: InitInput | Promise<InitInput>): Promise<void> {
  if (isReady()) return Promise.resolve();
  pending ??= (input === undefined ? wasmInit() : wasmInit({ module_or_path: input })).then(() => markOperationsReady());
  return pending;
}

export function initSync(module: BufferSource | WebAssembly.Module): void {
  if (isReady()) return;
  wasmInitSync({ module });
  markOperationsReady();
}

export * from '../operations-public.js';
