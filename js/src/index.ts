/**
 * payplan: exact, explainable sales-compensation plan evaluation, compiled to WebAssembly.
 *
 * @example
 * import { compilePlan } from 'payplan';
 * const plan = compilePlan(planJson);
 * const result = plan.evaluate({ transactions }, 'Q1');
 * plan.free();
 *
 * @packageDocumentation
 */
export * from './generated.js';
export type { PayplanErrorDetails } from './errors.js';
export * from './public.js';

/** What {@link init} accepts: the `.wasm` file's URL, a fetch `Response`, its bytes or a compiled module. */
export type InitInput = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/**
 * Instantiates the WebAssembly module (browsers). Without an argument the `.wasm` file is fetched
 * next to the script. In Node and with `payplan/inline` the module is ready on import and this
 * resolves at once.
 */
export declare function init(input?: InitInput | Promise<InitInput>): Promise<void>;

/** Instantiates the WebAssembly module synchronously from its bytes or a compiled module. */
export declare function initSync(module: BufferSource | WebAssembly.Module): void;
