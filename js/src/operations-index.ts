/**
 * payplan/operations: quota planning (allocation, roll-up, breakdown, pacing, plan design), sales
 * metrics and leaderboards, and territory balancing, in a WebAssembly module of their own.
 *
 * @example
 * import { allocateQuota } from 'payplan/operations';
 * const allocation = allocateQuota({ target: '1000000', unit: '1000', nodes: [{ id: 'a' }, { id: 'b' }] });
 *
 * @packageDocumentation
 */
export * from './generated.js';
export type { PayplanErrorDetails } from './errors.js';
export type { OperationName } from './operations.js';
export * from './operations-public.js';

/** What {@link init} accepts: the `.wasm` file's URL, a fetch `Response`, its bytes or a compiled module. */
export type InitInput = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/**
 * Instantiates the operations module (browsers). Without an argument `payplan_ops_bg.wasm` is
 * fetched next to the script. In Node the module is ready on import and this resolves at once.
 */
export declare function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** Instantiates the operations module synchronously from its bytes or a compiled module. */
export declare function initSync(module: BufferSource | WebAssembly.Module): void;
