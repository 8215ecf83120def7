import './dispose.js';
import type { Transaction } from './generated.js';

/** The place of an absent string. */
const NONE = 0xffffffff;

/** The fields whose values go by number (each distinct string once), in the order of a row's
 * references (`#numbered` and `TransactionColumns::from_wire` in the Rust crate); then come the
 * lengths of the row's id and amount. */
const NUMBERED = [
  'owner',
  'currency',
  'product',
  'type',
  'region',
  'closeDate',
  'bookingDate',
  'invoiceDate',
  'paymentDate',
  'cancellationDate',
] as const;

/** The references of a row: its numbered fields, then its id's and its amount's `length`. */
const WIDTH = NUMBERED.length + 2;

/** @internal A table's columns read into a WebAssembly module for one plan (`WasmColumns`). */
export interface ModuleCopy {
  free(): void;
}

/**
 * Transactions kept in columns, for evaluating many of them fast: each owner, currency, product,
 * type, region and date is stored once and referred to by number, and the whole table crosses into
 * WebAssembly as a few typed arrays and one short JSON text instead of one object per transaction.
 * {@link CompiledPlan.evaluateTable} evaluates it and gives the very evaluation that
 * {@link CompiledPlan.evaluate} gives for the same transactions, to the byte.
 *
 * Build it once (from your objects, a CSV reader, a grid) and evaluate it as often as you like: for
 * several periods, or after pushing the day's new deals. A transaction with fields beyond the usual
 * ones and splits (a quantity, a refund amount, attributes), or with a value of another type than
 * a string, is kept whole and read as `evaluate` reads it, so every error is the same too.
 *
 * The table keeps a reference to each transaction pushed: change a transaction after pushing it and
 * the table does not see it.
 *
 * In Node, the first evaluation of a table by a plan reads its columns into the WebAssembly module
 * (about 130 bytes a transaction), and later evaluations by that plan use them as they are, without
 * reading them again. Pushing a row, or {@link TransactionTable.free}, releases those copies (the
 * next evaluation reads the table again); so does garbage collection of the table.
 *
 * @example
 * const table = TransactionTable.from(transactions);
 * const q1 = plan.evaluateTable(table, 'Q1', { options: { detail: 'summary' } });
 * const q2 = plan.evaluateTable(table, 'Q2', { options: { detail: 'summary' } });
 */
export class TransactionTable {
  #rows: Transaction[] = [];
  #strings: string[] = [];
  #numbers = new Map<string, number>();
  // (absent until set: every slot starts as NONE, so a row sets only the fields it has)
  #refs = new Uint32Array(WIDTH * 256).fill(NONE);
  /** Per field, the last value numbered and its number (consecutive rows often share a product or a type). */
  #lastValue: (string | undefined)[] = NUMBERED.map(() => undefined);
  #lastNumber: number[] = NUMBERED.map(() => 0);
  #ids: string[] = [];
  #amounts: string[] = [];
  #whole: [number, Transaction][] = [];
  /** Each split: its row, its participant's string number and its percent. */
  #splits: [number, number, string][] = [];
  #text: string | undefined;
  /** Per plan handle, the columns read into its module (`null` where the module declined them). */
  #copies = new WeakMap<object, ModuleCopy | null>();
  /** The same copies, to release them. */
  #held: ModuleCopy[] = [];

  /** A table of these transactions, in order. */
  static from(transactions: Iterable<Transaction>): TransactionTable {
    const table = new TransactionTable();
    for (const t of transactions) table.push(t);
    return table;
  }

  /** The number of transactions. */
  get length(): number {
    return this.#rows.length;
  }

  /** The transactions, in the order pushed. */
  get rows(): readonly Transaction[] {
    return this.#rows;
  }

  /** Adds a transaction as the last row. */
  push(transaction: Transaction): void {
    const row = this.#rows.length;
    this.#rows.push(transaction);
    this.#text = undefined;
    if (this.#held.length > 0) this.free();
    const width = WIDTH;
    if (this.#refs.length < (row + 1) * width) {
      const grown = new Uint32Array(this.#refs.length * 2).fill(NONE);
      grown.set(this.#refs);
      this.#refs = grown;
    }
    const at = row * width;
    if (!this.#numbered(transaction, at)) {
      // (a whole row: no numbers, and an empty id and amount in the compact form's strings)
      this.#refs.fill(NONE, at, at + NUMBERED.length);
      this.#refs[at + NUMBERED.length] = 0;
      this.#refs[at + NUMBERED.length + 1] = 0;
      this.#whole.push([row, transaction]);
    }
  }

  /**
   * Numbers the usual fields of `t` into the references at `at`: whether it has only those (as
   * strings, or null), with its id and amount pushed.
   */
  #numbered(t: Transaction, at: number): boolean {
    // (a plain object, whose keys are all its own: what JSON.stringify writes is what is read here)
    if (typeof t !== 'object' || t === null || Object.getPrototypeOf(t) !== Object.prototype) return false;
    const { id, amount } = t;
    if (typeof id !== 'string' || typeof amount !== 'string') return false;
    const refs = this.#refs;
    let splits: readonly unknown[] | undefined;
    for (const key in t) {
      let slot: number;
      switch (key) {
        case 'id':
        case 'amount':
          continue;
        case 'splits': {
          const value = (t as unknown as Record<string, unknown>)[key];
          if (!Array.isArray(value)) return false;
          splits = value;
          continue;
        }
        case 'owner': slot = 0; break;
        case 'currency': slot = 1; break;
        case 'product': slot = 2; break;
        case 'type': slot = 3; break;
        case 'region': slot = 4; break;
        case 'closeDate': slot = 5; break;
        case 'bookingDate': slot = 6; break;
        case 'invoiceDate': slot = 7; break;
        case 'paymentDate': slot = 8; break;
        case 'cancellationDate': slot = 9; break;
        default:
          return false;
      }
      const value = (t as unknown as Record<string, unknown>)[key];
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string') return false;
      if (value === this.#lastValue[slot]) {
        refs[at + slot] = this.#lastNumber[slot]!;
        continue;
      }
      const n = this.#number(value);
      this.#lastValue[slot] = value;
      this.#lastNumber[slot] = n;
      refs[at + slot] = n;
    }
    if (splits !== undefined && !this.#split(splits, at / WIDTH)) return false;
    this.#ids.push(id);
    this.#amounts.push(amount);
    refs[at + NUMBERED.length] = id.length;
    refs[at + NUMBERED.length + 1] = amount.length;
    return true;
  }

  /** The number of a distinct string, added when new. */
  #number(value: string): number {
    let n = this.#numbers.get(value);
    if (n === undefined) {
      n = this.#strings.length;
      this.#strings.push(value);
      this.#numbers.set(value, n);
    }
    return n;
  }

  /**
   * Adds the splits of row `row` when each is a plain `{ payee, percent }` of two strings:
   * whether they were.
   */
  #split(splits: readonly unknown[], row: number): boolean {
    const shares: [number, number, string][] = [];
    for (const s of splits) {
      if (typeof s !== 'object' || s === null || Object.getPrototypeOf(s) !== Object.prototype) return false;
      let payee: unknown;
      let percent: unknown;
      for (const key in s) {
        if (key === 'payee') payee = (s as { payee: unknown }).payee;
        else if (key === 'percent') percent = (s as { percent: unknown }).percent;
        else return false;
      }
      if (typeof payee !== 'string' || typeof percent !== 'string') return false;
      shares.push([row, this.#number(payee), percent]);
    }
    for (const x of shares) this.#splits.push(x);
    return true;
  }

  /**
   * Releases the copies of the table's columns that evaluations read into WebAssembly modules (see
   * the class notes). The table stays usable: the next evaluation reads it again.
   */
  free(): void {
    for (const copy of this.#held) copy.free();
    this.#held = [];
    this.#copies = new WeakMap();
  }

  /** Same as {@link TransactionTable.free}, for `using`. */
  [Symbol.dispose](): void {
    this.free();
  }

  /**
   * @internal The columns read into the module of plan handle `handle`: read by `read` on first
   * use and kept (`null` when the module declined them: the table then goes as a list).
   */
  copyFor(handle: object, read: () => ModuleCopy | undefined): ModuleCopy | null {
    let copy = this.#copies.get(handle);
    if (copy === undefined) {
      copy = read() ?? null;
      this.#copies.set(handle, copy);
      if (copy !== null) this.#held.push(copy);
    }
    return copy;
  }

  /**
   * @internal The compact form the WebAssembly module reads (`TransactionColumns::from_wire` in
   * the Rust crate): twelve numbers a row (ten string numbers, the id's and the amount's length),
   * and the rest as JSON text, with the ids end to end in one string and the amounts in another.
   */
  wire(): { refs: Uint32Array; text: string } {
    this.#text ??= JSON.stringify({
      strings: this.#strings,
      ids: this.#ids.join(''),
      amounts: this.#amounts.join(''),
      splits: this.#splits,
      whole: this.#whole,
    });
    return { refs: this.#refs.subarray(0, this.#rows.length * WIDTH), text: this.#text };
  }
}
