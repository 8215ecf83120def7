// Browsers (and bundlers): `await init()` fetches `payplan_bg.wasm` (payplan/preview:
// `payplan_preview_bg.wasm`) next to this script, or takes
// the URL, a Response, the bytes or a compiled module; `initSync(bytes)` instantiates at once.
// the preview module's glue; scripts/build.mjs bundles the plain entries against payplan.js instead
import wasmInit, { initSync as wasmInitSync } from '../../wasm/payplan_preview.js';
import { isReady, markReady } from '../api.js';

type InitInput = string | URL | Request | Response | BufferSource | WebAssembly.Module;

let pending: Promise<void> | null = null;

export function init(input?: InitInput | Promise<InitInput>): Promise<void> {
  if (isReady()) return Promise.resolve();
  pending ??= (input === undefined ? wasmInit() : wasmInit({ module_or_path: input })).then(() => markReady());
  return pending;
}

export function initSync(module: BufferSource | WebAssembly.Module): void {
  if (isReady()) return;
  wasmInitSync({ module });
  markReady();
}

export * from '../public.js';
