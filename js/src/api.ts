// The preview module's glue is a superset of the plan-evaluation module's: the `payplan` entries
// bundle this file against ../wasm/payplan.js instead (scripts/build.mjs), where `openSession` is
// absent and says so.
import './dispose.js';
import { WasmPlan, WasmSession, validatePlan as wasmValidate, version as wasmVersion } from '../wasm/payplan_preview.js';
import { PayplanError, toPayplanError } from './errors.js';
import type { ModuleCopy, TransactionTable } from './table.js';
import type { Diagnostic, Evaluation, Inputs, Period, Plan, Preview, SessionSummary, Statement, Transaction } from './generated.js';

let ready = false;

/** @internal Marks the WebAssembly module as instantiated (the entry points call this). */
export function markReady(): void {
  ready = true;
}

/** Whether the WebAssembly module is instantiated (always true in Node and with `payplan/inline`). */
export function isReady(): boolean {
  return ready;
}

function ensureReady(): void {
  if (!ready) {
    throw new PayplanError(
      'NOT_INITIALIZED',
      'the WebAssembly module is not initialized: in a browser, `await init()` (or call `initSync(bytes)`) before using payplan',
    );
  }
}

/** The Node modules' evaluation of a {@link TransactionTable} (the browser modules leave it out). */
interface ColumnsHandle {
  readColumns(refs: Uint32Array, text: string): ModuleCopy | undefined;
  evaluateReadColumns(columns: ModuleCopy, inputs: string, period: string): string;
}

/** @internal */
export function toJson(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch (e) {
    throw new PayplanError('PARSE_ERROR', `${what} could not be turned into JSON: ${(e as Error).message}`, '', { document: what });
  }
}

/**
 * Checks a plan and returns every problem found, errors and warnings, each with a stable `code`,
 * a JSON-pointer `path` into the plan and a `message`. Never throws for a bad plan: a document
 * that cannot be read gives one `PARSE_ERROR` diagnostic.
 *
 * @example
 * const problems = validatePlan(plan).filter((d) => d.severity === 'error');
 */
export function validatePlan(plan: Plan | string): Diagnostic[] {
  ensureReady();
  return JSON.parse(wasmValidate(toJson(plan, 'plan'))) as Diagnostic[];
}

/**
 * A plan compiled once inside the WebAssembly module, ready to evaluate any number of times.
 *
 * It holds memory inside the module: call {@link CompiledPlan.free} when done (or declare it with
 * `using` so that it is freed at the end of the scope). A compiled plan that is never freed is
 * released when it is garbage collected, but not at a time you choose.
 */
export class CompiledPlan {
  #inner: WasmPlan | null;
  // read from the module on first use, not when compiling: turning them into JSON runs code
  // (the serializer) that WebAssembly compiles on its first call, a cost at cold start that a
  // program which never reads them need not pay (see js/bench/cold-start.mjs)
  #periods: Period[] | undefined;
  #warnings: Diagnostic[] | undefined;

  /** @internal use {@link compilePlan} */
  constructor(inner: WasmPlan) {
    this.#inner = inner;
  }

  /** The plan's periods, in order. */
  get periods(): Period[] {
    this.#periods ??= JSON.parse(this.#handle().periods()) as Period[];
    return this.#periods;
  }

  /** The plan's validation warnings (a compiled plan has no errors). */
  get warnings(): Diagnostic[] {
    this.#warnings ??= JSON.parse(this.#handle().warnings()) as Diagnostic[];
    return this.#warnings;
  }

  #handle(): WasmPlan {
    if (!this.#inner) throw new PayplanError('FREED', 'this compiled plan was freed; compile the plan again');
    return this.#inner;
  }

  /**
   * Evaluates the inputs for a period and returns the statements, the accounting of every
   * transaction and the traces. Amounts are decimal strings.
   *
   * @throws {PayplanError} `PARSE_ERROR` (with the JSON pointer of the bad value, for example a
   *   number where a decimal string is required), `UNKNOWN_PERIOD`, `CLOSED_PERIOD`,
   *   `TRANSACTION_REJECTED` (strict mode), `DECIMAL_OVERFLOW`.
   */
  evaluate(inputs: Inputs | string, period: string): Evaluation {
    return JSON.parse(this.evaluateJson(toJson(inputs, 'inputs'), period)) as Evaluation;
  }

  /**
   * Like {@link CompiledPlan.evaluate}, with the inputs as JSON text and the evaluation returned as
   * JSON text: exactly the bytes the native Rust crate produces for the same inputs.
   */
  evaluateJson(inputsJson: string, period: string): string {
    const handle = this.#handle();
    try {
      return handle.evaluate(inputsJson, period);
    } catch (e) {
      throw toPayplanError(e);
    }
  }

  /**
   * Evaluates the transactions of a {@link TransactionTable} for a period, with the other inputs
   * (options, closed statements, scores, metrics...) in `inputs`: the very evaluation that
   * {@link CompiledPlan.evaluate} gives for the same transactions as a list, to the byte.
   *
   * In Node, a summary (`options.detail: 'summary'`) is read from the table's columns and
   * credited in place, faster than the same rows as JSON (see BENCHMARKS.md); full detail (and
   * everything in browsers, whose module leaves that code out to stay small) is evaluated as the
   * list.
   *
   * @example
   * const table = TransactionTable.from(transactions);
   * const q1 = plan.evaluateTable(table, 'Q1', { options: { detail: 'summary' } });
   *
   * @throws {PayplanError} `TRANSACTIONS_TWICE` when `inputs` has transactions of its own, and
   *   what {@link CompiledPlan.evaluate} throws.
   */
  evaluateTable(table: TransactionTable, period: string, inputs: Omit<Inputs, 'transactions'> = {}): Evaluation {
    return JSON.parse(this.evaluateTableJson(table, period, inputs)) as Evaluation;
  }

  /** Like {@link CompiledPlan.evaluateTable}, with the evaluation returned as JSON text. */
  evaluateTableJson(table: TransactionTable, period: string, inputs: Omit<Inputs, 'transactions'> = {}): string {
    const handle = this.#handle();
    const given = (inputs as Inputs).transactions;
    if (given !== undefined && given !== null) {
      throw new PayplanError(
        'TRANSACTIONS_TWICE',
        `${table.length} transactions came in the table and ${Array.isArray(given) ? given.length : 'more'} in the inputs; give them all one way`,
        '/transactions',
      );
    }
    const rest = toJson(inputs, 'inputs');
    try {
      // (the Node modules: the table's columns read into the module once for this plan, then
      // evaluated in place as often as asked; browsers' module, without the kernel, gets the list)
      const kernel = handle as Partial<ColumnsHandle>;
      const { readColumns, evaluateReadColumns } = kernel;
      if (typeof readColumns === 'function' && typeof evaluateReadColumns === 'function') {
        const columns = table.copyFor(handle, () => {
          const { refs, text } = table.wire();
          return readColumns.call(handle, refs, text);
        });
        if (columns !== null) return evaluateReadColumns.call(handle, columns, rest, period);
      }
      return handle.evaluate(toJson({ ...inputs, transactions: table.rows }, 'inputs'), period);
    } catch (e) {
      throw toPayplanError(e);
    }
  }

  /**
   * Opens a live preview session for one payee and period: the payee's transactions and running
   * state stay inside the engine, so that previewing a deal on every keystroke costs work
   * proportional to the bands it crosses, not to the payee's history. The session keeps its own
   * copy of the plan: it stays usable after this plan is freed. Free it when done.
   *
   * Sessions live in the `payplan/preview` entry (its own WebAssembly module, so that plain
   * evaluation stays small): `import { compilePlan } from 'payplan/preview'`.
   *
   * @example
   * using session = plan.openSession({ transactions }, 'ae-ana', 'Q1');
   * const p = session.preview({ id: 'deal-42', owner: 'ae-ana', amount: '100000', closeDate: '2025-03-20' });
   * p.payout.change; // '10000.00'
   *
   * @throws {PayplanError} `NOT_AVAILABLE` when the plan was compiled through `payplan` rather than
   *   `payplan/preview`, `UNKNOWN_PAYEE`, `UNKNOWN_PERIOD`, and what {@link CompiledPlan.evaluate} throws.
   */
  openSession(inputs: Inputs | string, payee: string, period: string): PreviewSession {
    const handle = this.#handle();
    if (typeof (handle as Partial<WasmPlan>).openSession !== 'function') {
      throw new PayplanError(
        'NOT_AVAILABLE',
        "live preview sessions are in the 'payplan/preview' entry (a WebAssembly module of its own): import { compilePlan } from 'payplan/preview'",
      );
    }
    try {
      return new PreviewSession(handle.openSession(toJson(inputs, 'inputs'), payee, period));
    } catch (e) {
      throw toPayplanError(e);
    }
  }

  /**
   * Releases the plan's memory in the WebAssembly module. Calling it twice is harmless. The
   * {@link CompiledPlan.periods} and {@link CompiledPlan.warnings} stay readable.
   */
  free(): void {
    if (this.#inner) {
      // the periods and warnings stay readable after the plan is freed
      void this.periods;
      void this.warnings;
    }
    this.#inner?.free();
    this.#inner = null;
  }

  /** Same as {@link CompiledPlan.free}, for `using plan = compilePlan(...)`. */
  [Symbol.dispose](): void {
    this.free();
  }
}

/**
 * Parses and validates a plan (an object or JSON text) and compiles it.
 *
 * @throws {PayplanError} `PARSE_ERROR` or `INVALID_PLAN` (with every diagnostic in `details`).
 * @example
 * const plan = compilePlan(planJson);
 * try {
 *   const q1 = plan.evaluate({ transactions }, 'Q1');
 *   console.log(q1.statements[0].payout); // "22500.00"
 * } finally {
 *   plan.free();
 * }
 */
export function compilePlan(plan: Plan | string, options?: CompileOptions): CompiledPlan {
  ensureReady();
  const text = toJson(plan, 'plan');
  try {
    if (options?.limits === undefined) return new CompiledPlan(WasmPlan.compile(text));
    // (no limit: Infinity, which JSON would write as null, the default)
    const limits = JSON.stringify(options.limits, (_, v) => (v === Infinity ? Number.MAX_SAFE_INTEGER : v));
    return new CompiledPlan(WasmPlan.compileWithLimits(text, limits));
  } catch (e) {
    throw toPayplanError(e);
  }
}

/**
 * Limits on what a compiled plan reads and evaluates. Each has a safe default, generous for real
 * plans and data; going over one is a {@link PayplanError} `LIMIT_EXCEEDED` whose `path` points
 * at the first item over it. A limit left out keeps its default; `Infinity` is no limit.
 *
 * @example
 * // a nightly job over up to 2 million transactions per call (about 250 MB of JSON; WebAssembly
 * // memory is at most 4 GiB, so ask for summaries: `options: { detail: 'summary' }` in the inputs)
 * const compiled = compilePlan(plan, { limits: { maxTransactions: 2_000_000, maxInputsBytes: 2 ** 29 } });
 */
export interface Limits {
  /** Largest plan text, in bytes (default 16 MiB). */
  maxPlanBytes?: number;
  /** Largest inputs text (or transactions text), in bytes (default 256 MiB). */
  maxInputsBytes?: number;
  /** Deepest nesting of JSON arrays and objects (default 64, at most 127). */
  maxDepth?: number;
  /** Longest JSON string or object key, in bytes (default 65,536). */
  maxStringBytes?: number;
  /** Most components in a plan (default 500). */
  maxComponents?: number;
  /** Most items in one table of a component: tier bands, curve points, levels... (default 1,000). */
  maxBands?: number;
  /** Most payees in a plan (default 100,000). */
  maxPayees?: number;
  /** Most measures in a plan (default 500). */
  maxMeasures?: number;
  /** Most periods of a custom calendar (default 400). */
  maxPeriods?: number;
  /** Most transactions in one call: an evaluation or a session (default 1,000,000). */
  maxTransactions?: number;
  /**
   * Most cells of the state an evaluation keeps for the plan's payees: payees × (measures ×
   * periods + components) (default 10,000,000, about 800 MB at most). Every other limit allows a
   * plan whose evaluation would need gigabytes, which a WebAssembly instance cannot recover from.
   */
  maxCells?: number;
}

/** Options of {@link compilePlan}. */
export interface CompileOptions {
  /**
   * Limits for the plan text and for every evaluation and session of the compiled plan (see
   * {@link Limits}); a non-integer or an unknown name is a `PARSE_ERROR` at its path.
   */
  limits?: Limits;
}

/** Compiles, evaluates and frees in one call (compile once with {@link compilePlan} to evaluate often). */
export function evaluate(plan: Plan | string, inputs: Inputs | string, period: string): Evaluation {
  const compiled = compilePlan(plan);
  try {
    return compiled.evaluate(inputs, period);
  } finally {
    compiled.free();
  }
}

/** The engine's version (the Rust crate's). */
export function version(): string {
  ensureReady();
  return wasmVersion();
}


/**
 * What the deal being edited does to the payee's pay, compactly: the result of
 * {@link PreviewSession.previewAmount}, the keystroke path. Money and ratios are decimal strings,
 * exact to the cent (the same figures as a full {@link PreviewSession.preview}).
 */
export interface DealPreview {
  /** How it was computed: `incremental` from the session's running state, `replay` by re-evaluating. */
  mode: 'incremental' | 'replay';
  /** Whether the deal credits the payee in the session's period (when not, every change is zero). */
  credited: boolean;
  /** The payout after the change (`"22500.00"`). */
  payout: string;
  /** The change in payout (`"10500.00"`, negative with a `-`). */
  payoutChange: string;
  /** The change in earnings (the components' sum, before adjustments and payout rounding). */
  earningsChange: string;
  /** The change of each component's pay, by component id, in plan order. */
  components: Record<string, string>;
  /** The attainment after the change of each measure with a quota, by measure id (`"1.25"` is 125%). */
  attainment: Record<string, string>;
  /** The tier tables whose reached band changes (band indices from 0; `null` below the first band). */
  bandsCrossed: { component: string; from: number | null; to: number | null }[];
}

/** The fields of the deal being edited that {@link PreviewSession.previewAmount} can change besides the amount. */
export interface DealChange {
  /** A new close date, `YYYY-MM-DD`. */
  closeDate?: string;
  /** A new product. */
  product?: string;
}

function band(s: string): number | null {
  return s === '-' ? null : Number(s);
}

/** An id of the compact text (whose separators it carries percent-encoded). */
function id(s: string): string {
  return s.indexOf('%') < 0 ? s : decodeURIComponent(s);
}

/** The `id=value,...` list of `text` from `from` to `to`. */
function pairs(text: string, from: number, to: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = from;
  while (i < to) {
    let end = text.indexOf(',', i);
    if (end < 0 || end > to) end = to;
    const eq = text.indexOf('=', i);
    out[id(text.slice(i, eq))] = text.slice(eq + 1, end);
    i = end + 1;
  }
  return out;
}

/**
 * Reads the text of {@link PreviewSession.previewAmountText} into a {@link DealPreview}.
 *
 * @example
 * parseDealPreview('i|1|22500.00|10500.00|10500.00|commission=10000.00,platform-spiff=500.00|bookings=1.25|commission=0>1')
 * // { mode: 'incremental', credited: true, payout: '22500.00', payoutChange: '10500.00', ...,
 * //   bandsCrossed: [{ component: 'commission', from: 0, to: 1 }] }
 */
export function parseDealPreview(text: string): DealPreview {
  // (scanned in place rather than split: half the time of the keystroke path's JavaScript side)
  const n = text.length;
  const ends: number[] = [];
  for (let i = 0, k = 0; k < 7; k++) {
    const j = text.indexOf('|', i);
    ends.push(j < 0 ? n : j);
    i = j < 0 ? n : j + 1;
  }
  const start = (k: number) => (k === 0 ? 0 : Math.min(ends[k - 1] + 1, n));
  const field = (k: number) => text.slice(start(k), ends[k]);
  const bandsCrossed: DealPreview['bandsCrossed'] = [];
  for (let i = start(7); i < n; ) {
    let end = text.indexOf(',', i);
    if (end < 0) end = n;
    const eq = text.indexOf('=', i);
    const gt = text.indexOf('>', eq);
    bandsCrossed.push({ component: id(text.slice(i, eq)), from: band(text.slice(eq + 1, gt)), to: band(text.slice(gt + 1, end)) });
    i = end + 1;
  }
  return {
    mode: field(0) === 'i' ? 'incremental' : 'replay',
    credited: field(1) === '1',
    payout: field(2),
    payoutChange: field(3),
    earningsChange: field(4),
    components: pairs(text, start(5), ends[5]),
    attainment: pairs(text, start(6), ends[6]),
    bandsCrossed,
  };
}

/**
 * A live preview session (see {@link CompiledPlan.openSession}): what a deal being edited does to
 * one payee's pay in one period. Previews change nothing; `upsert` and `remove` change the
 * session's transactions. Every figure equals a full evaluation of the same transactions.
 */
export class PreviewSession {
  #inner: WasmSession | null;

  /** @internal */
  constructor(inner: WasmSession) {
    this.#inner = inner;
  }

  #handle(): WasmSession {
    if (!this.#inner) throw new PayplanError('FREED', 'this session was freed; open a new one');
    return this.#inner;
  }

  #call(f: (h: WasmSession) => string): string {
    const h = this.#handle();
    try {
      return f(h);
    } catch (e) {
      throw toPayplanError(e);
    }
  }

  /**
   * What adding `transaction` (or replacing the one with the same id) would do: the change per
   * component, in earnings and payout, the new attainment, the bands crossed and the deal's pay
   * lines with their trace.
   *
   * @throws {PayplanError} `PARSE_ERROR` for a malformed transaction (a number where a decimal
   *   string is required, say), `TRANSACTION_REJECTED` when the plan rejects it (no close date...).
   */
  preview(transaction: Transaction | string): Preview {
    return JSON.parse(this.previewJson(toJson(transaction, 'transaction'))) as Preview;
  }

  /** {@link PreviewSession.preview} with JSON text in and out (the fastest path). */
  previewJson(transactionJson: string): string {
    return this.#call((h) => h.preview(transactionJson));
  }

  /**
   * Sets the deal being edited, for the keystroke path: then {@link PreviewSession.previewAmount}
   * previews it with a new amount on every keystroke. Nothing changes in the session. A deal the
   * session already holds (same id) is previewed as a replacement.
   *
   * @example
   * session.edit({ id: 'deal-42', owner: 'ae-ana', amount: '0', closeDate: '2025-03-20', product: 'Platform', type: 'new' });
   * input.oninput = () => {
   *   const p = session.previewAmount(input.value);       // e.g. '100000'
   *   label.textContent = `this deal pays you ${p.payoutChange}`; // '10500.00'
   * };
   * details.onclick = () => show(session.previewEdited().lines); // the trace, on demand
   *
   * @throws {PayplanError} `PARSE_ERROR` for a malformed deal, `TRANSACTION_REJECTED` when the plan rejects it.
   */
  edit(transaction: Transaction | string): void {
    const json = toJson(transaction, 'transaction');
    const h = this.#handle();
    try {
      h.edit(json);
    } catch (e) {
      throw toPayplanError(e);
    }
  }

  /**
   * What the deal being edited (see {@link PreviewSession.edit}) does with `amount`, a decimal
   * string as typed (`'1840.50'`), and optionally a new close date or product: the payout, its
   * change, the change per component, attainment and bands crossed. The deal keeps the new fields
   * for the next call. Exact: the same figures as {@link PreviewSession.preview} of the deal.
   * The fast path (a few microseconds) covers a deal whose amount alone changes; a new date or
   * product costs one crediting of the deal on that call.
   *
   * @throws {PayplanError} `NO_EDIT` before `edit`, `INVALID_AMOUNT` (at `/amount`) for an amount
   *   that is not a decimal string, `INVALID_DATE`, and what {@link PreviewSession.preview} throws.
   */
  previewAmount(amount: string, change?: DealChange): DealPreview {
    return parseDealPreview(this.previewAmountText(amount, change));
  }

  /**
   * {@link PreviewSession.previewAmount} as compact text, the fastest call (read it with
   * {@link parseDealPreview}): `mode|credited|payout|payout change|earnings change|components|attainment|bands`,
   * for example `i|1|22500.00|10500.00|10500.00|commission=10000.00,platform-spiff=500.00|bookings=1.25|commission=0>1`.
   */
  previewAmountText(amount: string, change?: DealChange): string {
    const h = this.#handle();
    try {
      return h.previewAmount(amount, change?.closeDate ?? '', change?.product ?? '');
    } catch (e) {
      throw toPayplanError(e);
    }
  }

  /**
   * The full preview of the deal being edited with its last amount: pay lines and their trace,
   * measure figures, band rates (the on-demand half of the keystroke path).
   *
   * @throws {PayplanError} `NO_EDIT` before {@link PreviewSession.edit}.
   */
  previewEdited(): Preview {
    return JSON.parse(this.#call((h) => h.previewEdited())) as Preview;
  }

  /** What removing the transaction `id` would do. @throws {PayplanError} `UNKNOWN_TRANSACTION`. */
  previewRemove(id: string): Preview {
    return JSON.parse(this.#call((h) => h.previewRemove(id))) as Preview;
  }

  /** Adds `transaction`, or replaces the one with the same id; returns what it changed. */
  upsert(transaction: Transaction | string): Preview {
    const json = toJson(transaction, 'transaction');
    return JSON.parse(this.#call((h) => h.upsert(json))) as Preview;
  }

  /** Removes the transaction `id`; returns what it changed. @throws {PayplanError} `UNKNOWN_TRANSACTION`. */
  remove(id: string): Preview {
    return JSON.parse(this.#call((h) => h.remove(id))) as Preview;
  }

  /** The current figures: pay per component, earnings, payout, measures, bands reached. */
  summary(): SessionSummary {
    return JSON.parse(this.#call((h) => h.summary())) as SessionSummary;
  }

  /** The payee's full statement for the period, with every line and trace. */
  statement(): Statement {
    return JSON.parse(this.#call((h) => h.statement())) as Statement;
  }

  /** Releases the session's memory inside the WebAssembly instance. Safe to call twice. */
  free(): void {
    this.#inner?.free();
    this.#inner = null;
  }

  [Symbol.dispose](): void {
    this.free();
  }
}
