// The WebAssembly bytes are embedded in this file, for bundlers and edge runtimes that cannot
// fetch or read a `.wasm` file. Instantiated synchronously on import.
import base64 from '../../wasm/payplan_bg.wasm';
import { initSync as wasmInitSync } from '../../wasm/payplan.js';
import { markReady } from '../api.js';

wasmInitSync({ module: decodeBase64(base64) });
markReady();

/**
 * The embedded bytes. A native decoder where the runtime has one (`Uint8Array.fromBase64`, or
 * Node's and Bun's `Buffer`): decoding the 580 KB of text in JavaScript took 7 to 10 ms of the
 * cold start in Node 20 (js/bench/cold-start.mjs), the native one 0.3 ms.
 */
function decodeBase64(text: string): Uint8Array {
  const native = Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array };
  if (typeof native.fromBase64 === 'function') return native.fromBase64(text);
  const buffer = (globalThis as { Buffer?: { from(s: string, encoding: 'base64'): Uint8Array } }).Buffer;
  if (typeof buffer?.from === 'function') return buffer.from(text, 'base64');
  const table = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  const n = text.length;
  const bytes = new Uint8Array(((n * 3) >> 2) - (text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0));
  for (let i = 0, j = 0; i < n; i += 4) {
    const a = table[text.charCodeAt(i)]!;
    const b = table[text.charCodeAt(i + 1)]!;
    const c = table[text.charCodeAt(i + 2)]!;
    const d = table[text.charCodeAt(i + 3)]!;
    bytes[j++] = (a << 2) | (b >> 4);
    if (j < bytes.length) bytes[j++] = ((b << 4) | (c >> 2)) & 255;
    if (j < bytes.length) bytes[j++] = ((c << 6) | d) & 255;
  }
  return bytes;
}

export * from '../public.js';
export { init, initSync } from './ready.js';
