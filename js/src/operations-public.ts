// The runtime API of `payplan/operations` (each entry adds its own `init` and `initSync`).
export {
  allocateQuota,
  balanceTerritories,
  breakDownQuota,
  computeMetrics,
  designPlan,
  leaderboard,
  paceQuota,
  rollupQuota,
  runOperationJson,
  transactionsFromCsv,
  isReady,
} from './operations.js';
export { PayplanError } from './errors.js';
