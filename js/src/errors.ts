import type { Diagnostic } from './generated.js';

/** Details carried by a {@link PayplanError}, depending on its code. */
export interface PayplanErrorDetails {
  /** For `INVALID_PLAN`: every problem of the plan (errors and warnings). */
  diagnostics?: Diagnostic[];
  /** For `UNKNOWN_PERIOD`: the requested period and the plan's periods. */
  period?: string;
  known?: string[];
  /** For `TRANSACTION_REJECTED` (strict mode): the transaction and why it was rejected. */
  transaction?: string;
  reasonCode?: string;
  /** For `PARSE_ERROR`: which document could not be read (`plan`, `inputs`). */
  document?: string;
  /** For `DECIMAL_OVERFLOW`: what was being computed. */
  context?: string;
}

/**
 * Every error the package throws. `code` is stable (match on it); `path` is a JSON pointer into the
 * plan or inputs where the problem is, when there is one; `details` carries data such as the
 * diagnostics of an invalid plan.
 *
 * @example
 * try {
 *   compilePlan(plan);
 * } catch (e) {
 *   if (e instanceof PayplanError && e.code === 'INVALID_PLAN') {
 *     for (const d of e.details.diagnostics ?? []) console.log(d.path, d.message);
 *   }
 * }
 */
// Every entry of the package (`payplan`, `payplan/preview`, `payplan/operations`, `payplan/inline`)
// is a bundle of its own with its own copy of this class; a registered symbol brands the errors so
// that `instanceof PayplanError` holds whichever entry threw and whichever entry's class is asked.
const BRAND: unique symbol = Symbol.for('payplan.PayplanError');

export class PayplanError extends Error {
  /** Stable machine code, for example `INVALID_PLAN`, `PARSE_ERROR`, `UNKNOWN_PERIOD`. */
  readonly code: string;
  /** JSON pointer into the plan or inputs (for example `/components/0/tiers/1/from`), or null. */
  readonly path: string | null;
  /** Structured details; see {@link PayplanErrorDetails}. */
  readonly details: PayplanErrorDetails;

  constructor(code: string, message: string, path: string | null = null, details: PayplanErrorDetails = {}) {
    super(message);
    this.name = 'PayplanError';
    this.code = code;
    this.path = path;
    this.details = details;
    Object.setPrototypeOf(this, new.target.prototype);
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for a PayplanError thrown by any entry of the package (each bundles its own class). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}

/** Turns what the WebAssembly module threw (the error as JSON text) into a PayplanError. */
export function toPayplanError(thrown: unknown): PayplanError {
  if (thrown instanceof PayplanError) return thrown;
  if (typeof thrown === 'string') {
    try {
      const e = JSON.parse(thrown) as { code: string; message: string; path: string | null; details: PayplanErrorDetails };
      return new PayplanError(e.code, e.message, e.path ?? null, e.details ?? {});
    } catch {
      return new PayplanError('INTERNAL', thrown);
    }
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new PayplanError('INTERNAL', message);
}
