// The runtime API every entry point exports (each entry adds its own `init` and `initSync`).
export {
  CompiledPlan,
  PreviewSession,
  compilePlan,
  evaluate,
  parseDealPreview,
  validatePlan,
  version,
  isReady,
} from './api.js';
export type { CompileOptions, DealChange, DealPreview, Limits } from './api.js';
export { PayplanError } from './errors.js';
export { TransactionTable } from './table.js';
