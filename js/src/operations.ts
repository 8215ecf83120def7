import { runOperation as wasmRun } from '../wasm/payplan_ops.js';
import { toJson } from './api.js';
import { PayplanError, toPayplanError } from './errors.js';
import type {
  Allocation,
  AllocationRequest,
  BalanceRequest,
  BalanceResult,
  Breakdown,
  BreakdownRequest,
  CsvImport,
  CsvImportRequest,
  Design,
  DesignRequest,
  LeaderboardRequest,
  MetricsReport,
  MetricsRequest,
  Pacing,
  PacingRequest,
  Rank,
  Rollup,
  RollupRequest,
} from './generated.js';

// The operations live in their own WebAssembly module (payplan_ops_bg.wasm), so that plan
// evaluation alone (`payplan`) stays small for CRM widgets.

let ready = false;

/** @internal Marks the operations module as instantiated (the entry points call this). */
export function markOperationsReady(): void {
  ready = true;
}

/** Whether the operations module is instantiated (always true in Node). */
export function isReady(): boolean {
  return ready;
}

/** The quota-planning, metrics and territory operations, by name (see {@link runOperationJson}). */
export type OperationName =
  | 'metrics'
  | 'leaderboard'
  | 'allocateQuota'
  | 'rollupQuota'
  | 'breakDownQuota'
  | 'paceQuota'
  | 'designPlan'
  | 'balanceTerritories'
  | 'transactionsFromCsv';

/**
 * Runs an operation on a JSON request and returns the result as JSON text: exactly the bytes of the
 * native crate's `payplan::ops::run_json`.
 *
 * @throws {PayplanError} `PARSE_ERROR` (with the JSON pointer of the bad value), `UNKNOWN_OPERATION`,
 *   or the operation's own error codes.
 */
export function runOperationJson(operation: OperationName, requestJson: string): string {
  if (!ready) {
    throw new PayplanError(
      'NOT_INITIALIZED',
      'the operations module is not initialized: in a browser, `await init()` from `payplan/operations` (or call `initSync(bytes)`) first',
    );
  }
  try {
    return wasmRun(operation, requestJson);
  } catch (e) {
    throw toPayplanError(e);
  }
}

function run<T>(operation: OperationName, request: unknown): T {
  return JSON.parse(runOperationJson(operation, toJson(request, `${operation} request`))) as T;
}

/**
 * Sales metrics over a window and a scope (a payee, a team or everyone): attainment, win rates,
 * conversion, deal size, sales cycle, acquisition cost, lead response, growth, pipeline coverage,
 * activities, CSAT. A metric whose denominator is empty is `null` ("none"), never NaN.
 */
export function computeMetrics(request: MetricsRequest | string): MetricsReport {
  return run('metrics', request);
}

/** Ranks payees by a metric, best first; equal values share a rank (1, 1, 3), ordered by payee id. */
export function leaderboard(request: LeaderboardRequest | string): Rank[] {
  return run('leaderboard', request);
}

/**
 * Top-down quota allocation of a (possibly over-assigned) target across teams and payees by
 * weights, with minimums and maximums; rounded to a unit by largest remainder so that the
 * allocations add up exactly.
 */
export function allocateQuota(request: AllocationRequest | string): Allocation {
  return run('allocateQuota', request);
}

/** Bottom-up roll-up of quotas compared with top-down targets (gap and ratio per node). */
export function rollupQuota(request: RollupRequest | string): Rollup {
  return run('rollupQuota', request);
}

/** An annual quota broken down into quarters, months, weeks or days (seasonality, business or calendar days). */
export function breakDownQuota(request: BreakdownRequest | string): Breakdown {
  return run('breakDownQuota', request);
}

/** Pacing to date: expected attainment, gaps, run rate needed and projection to period end. */
export function paceQuota(request: PacingRequest | string): Pacing {
  return run('paceQuota', request);
}

/** Plan design figures: on-target earnings, implied commission rate, pay mix, quota-to-OTE ratio. */
export function designPlan(request: DesignRequest | string): Design {
  return run('designPlan', request);
}

/** Assigns accounts to payees so that potential is as even as possible, respecting fixed owners. */
export function balanceTerritories(request: BalanceRequest | string): BalanceResult {
  return run('balanceTerritories', request);
}

/**
 * Reads CSV text into transactions exactly as the command line's `payplan evaluate --transactions
 * deals.csv --map ... --where ...` reads a file (the same code: cell formats, column map, row
 * filters, error codes `CSV_MISSING_COLUMN`, `CSV_BAD_VALUE`... with the JSON pointer of the row).
 * The result, `{ transactions }`, is itself valid evaluation inputs. Amounts stay decimal strings.
 *
 * @example
 * const { transactions } = transactionsFromCsv({
 *   csv: await file.text(),
 *   map: 'id=opportunity_id,owner=sales_agent,amount=close_value',
 *   where: { deal_stage: 'Won' },
 * });
 */
export function transactionsFromCsv(request: CsvImportRequest | string): CsvImport {
  return run('transactionsFromCsv', request);
}
