// The WebAssembly bytes are embedded in this file, for bundlers and edge runtimes that cannot
// fetch or read a `.wasm` file. Instantiated synchronously on import.
import bytes from '../../wasm/payplan_bg.wasm';
import { initSync as wasmInitSync } from '../../wasm/payplan.js';
import { markReady } from '../api.js';

wasmInitSync({ module: bytes });
markReady();

export {
  allocateQuota, balanceTerritories, breakDownQuota, computeMetrics, designPlan, leaderboard, paceQuota, rollupQuota, runOperationJson, 
  CompiledPlan,
  compilePlan,
  evaluate,
  validatePlan,
  version,
  isReady,
} from '../api.js';
export { PayplanError } from '../errors.js';
export { init, initSync } from './ready.js';
