// The JavaScript batch-throughput benchmark's data and its two hand-written baselines (issue 6).
//
// - `benchPlan(payees)`: the sample plan widened to `payees` account executives under one manager,
//   exactly as `examples/bench_native.rs` does (same ids, same quotas, payments removed).
// - `generateTransactions(...)`: a port of the crate's sample generator (`src/sample.rs`
//   `generate`, SplitMix64): the same configuration gives the same transactions as the Rust
//   generator, so the native benchmark, the package and both baselines all see the same data.
// - `evaluateDecimal(plan, transactions)` and `evaluateFloat(plan, transactions)`: what a CRM
//   developer would write by hand for this one plan, with decimal.js and with plain numbers. They
//   implement the engine's documented semantics for the plan's mechanics (see the comments below)
//   and return one statement per payee: payout, component amounts and pay lines.
import Decimal from 'decimal.js';

// ---------------------------------------------------------------------------------------------
// The plan

/** The sample plan with `payees` AEs (`ae-00000`...) under one manager `mgr`, payments removed. */
export function benchPlan(samplePlan, payees) {
  const plan = structuredClone(samplePlan);
  const id = (i) => `ae-${String(i).padStart(5, '0')}`;
  plan.payees = [{ id: 'mgr', role: 'Manager' }];
  plan.quotas = [{ payee: 'mgr', measure: 'team-bookings', annual: String(payees * 800_000) }];
  for (let i = 0; i < payees; i++) {
    plan.payees.push({ id: id(i), role: 'AE', reportsTo: [{ manager: 'mgr' }] });
    plan.quotas.push({ payee: id(i), measure: 'bookings', annual: '800000' });
  }
  plan.payments = {};
  return plan;
}

/** The AE ids of a bench plan, in order. */
export function aeIds(payees) {
  return Array.from({ length: payees }, (_, i) => `ae-${String(i).padStart(5, '0')}`);
}

// ---------------------------------------------------------------------------------------------
// The generator: `src/sample.rs` ported exactly

const MASK64 = (1n << 64n) - 1n;

/** SplitMix64, as `payplan::sample::Rng`. */
export class Rng {
  constructor(seed) {
    this.state = BigInt(seed) & MASK64;
  }
  nextU64() {
    this.state = (this.state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = this.state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  }
  /** A number in `0..n` (0 when `n` is 0). */
  below(n) {
    return n === 0 ? 0 : Number(this.nextU64() % BigInt(n));
  }
}

const DAY_MS = 86_400_000;

/**
 * `payplan::sample::generate`: the same settings (and the same defaults) give the same
 * transactions, as JSON-ready objects (amounts as decimal strings with two decimals).
 */
export function generateTransactions({
  seed = 2025,
  count = 120,
  owners = ['ae-ana', 'ae-ben', 'ae-chen'],
  from = '2025-01-01',
  days = 365,
  products = ['Platform', 'Analytics', 'Support'],
  amountRange = [2_000, 40_000],
  splitEvery = 10,
  cancelEvery = 25,
} = {}) {
  const rng = new Rng(seed);
  const types = ['new', 'renewal', 'upsell'];
  const [lo, hi] = amountRange;
  const start = Date.parse(`${from}T00:00:00Z`);
  const dateCache = new Map();
  const date = (offset) => {
    let s = dateCache.get(offset);
    if (s === undefined) {
      s = new Date(start + offset * DAY_MS).toISOString().slice(0, 10);
      dateCache.set(offset, s);
    }
    return s;
  };
  const out = [];
  for (let i = 0; i < count; i++) {
    const owner = owners[rng.below(owners.length)] ?? '';
    const cents = lo * 100 + rng.below((hi - lo) * 100 + 1);
    const closeDay = rng.below(Math.max(days, 1));
    const product = products[rng.below(products.length)];
    const type = types[rng.below(3)];
    const t = { id: '', owner, amount: centsToString(cents), closeDate: date(closeDay) };
    if (product !== undefined) t.product = product;
    if (type !== undefined) t.type = type;
    if (splitEvery > 0 && rng.below(splitEvery) === 0 && owners.length > 1) {
      const others = owners.filter((o) => o !== owner);
      const other = others[rng.below(owners.length - 1)] ?? '';
      t.splits = [
        { payee: owner, percent: '50' },
        { payee: other, percent: '50' },
      ];
    }
    if (cancelEvery > 0 && rng.below(cancelEvery) === 0) {
      t.cancellationDate = date(closeDay + 10 + rng.below(111));
    }
    out.push({ day: closeDay, t });
  }
  // Rust's sort_by_key is stable, and so is Array.prototype.sort
  out.sort((a, b) => a.day - b.day);
  return out.map(({ t }, i) => {
    t.id = `S-${String(i + 1).padStart(5, '0')}`;
    return t;
  });
}

function centsToString(cents) {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// What both baselines read from the plan: its numbers, not its mechanics (those are hand-written
// for this plan, as a CRM developer would).

function planSettings(plan) {
  const periods = 4; // quarters
  const q1 = { from: '2025-01-01', to: '2025-03-31' };
  const commission = plan.components.find((c) => c.id === 'commission');
  const spiff = plan.components.find((c) => c.id === 'platform-spiff');
  const override = plan.components.find((c) => c.id === 'team-override');
  const quota = new Map(
    plan.quotas.filter((q) => q.measure === 'bookings').map((q) => [q.payee, q.annual]),
  );
  const manager = new Map();
  for (const p of plan.payees) if (p.reportsTo?.length) manager.set(p.id, p.reportsTo[0].manager);
  return {
    periods,
    q1,
    payees: plan.payees,
    quota, // annual, per AE
    manager,
    basePercent: commission.baseRate.percent,
    tiers: commission.tiers.map((t) => ({ from: t.from, to: t.to, multiplier: t.rate.multiplier })),
    cap: commission.caps[0].amount,
    spiff: {
      products: spiff.filter.products,
      types: spiff.filter.types,
      from: spiff.window.from,
      to: spiff.window.to,
      perDeal: spiff.rate.perDeal,
    },
    overridePercent: override.rate.percent,
  };
}

/**
 * Credit lines of Q1 per payee, in the engine's processing order (credit date, then transaction id
 * as a string: `S-100000` sorts before `S-99999`). A deal with `splits` credits each participant
 * their percentage (the split rule); without, the owner gets 100%. Each AE line rolls up, whole,
 * to the AE's manager (one roll-up line per split participant).
 */
function creditLines(s, transactions) {
  const inQ1 = transactions.filter((t) => t.closeDate >= s.q1.from && t.closeDate <= s.q1.to);
  inQ1.sort((a, b) =>
    a.closeDate < b.closeDate ? -1 : a.closeDate > b.closeDate ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  const lines = new Map(); // payee -> [{ t, share }], share in percent
  const push = (payee, line) => {
    let l = lines.get(payee);
    if (!l) lines.set(payee, (l = []));
    l.push(line);
  };
  for (const t of inQ1) {
    const parts = t.splits?.length ? t.splits : [{ payee: t.owner, percent: '100' }];
    for (const p of parts) {
      push(p.payee, { t, percent: p.percent, rollup: false });
      const m = s.manager.get(p.payee);
      if (m !== undefined) push(m, { t, percent: p.percent, rollup: true });
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// decimal.js

const D = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_EVEN });
const cents = (x) => x.toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);

/**
 * Q1 statements of the bench plan with decimal.js: exact arithmetic, each pay line rounded half-even
 * to cents (the plan's `rounding`), as the engine does.
 */
export function evaluateDecimal(plan, transactions) {
  const s = planSettings(plan);
  const byPayee = creditLines(s, transactions);
  const base = new D(s.basePercent).div(100);
  const tierRates = s.tiers.map((t) => base.mul(t.multiplier));
  const cap = new D(s.cap);
  const perDeal = new D(s.spiff.perDeal);
  const overrideRate = new D(s.overridePercent).div(100);
  const statements = [];
  for (const payee of s.payees) {
    const lines = byPayee.get(payee.id) ?? [];
    const components = [];
    if (payee.role === 'AE') {
      // commission: marginal tiers on period attainment; bounds in money (attainment x quota),
      // half-open bands, the running credit split across the bands it crosses; one rounding per line
      const quota = new D(s.quota.get(payee.id)).div(s.periods);
      const bounds = s.tiers.map((t) => [new D(t.from).mul(quota), t.to === undefined ? null : new D(t.to).mul(quota)]);
      let pos = new D(0);
      let total = new D(0);
      const payLines = [];
      for (const l of lines) {
        const credit = new D(l.t.amount).mul(l.percent).div(100);
        const end = pos.plus(credit);
        let amt = new D(0);
        for (let b = 0; b < bounds.length; b++) {
          const [from, to] = bounds[b];
          const lo = b === 0 ? pos : D.max(pos, from); // the first band also covers anything below it
          const hi = to === null ? end : D.min(end, to);
          if (hi.gt(lo)) amt = amt.plus(hi.minus(lo).mul(tierRates[b]));
        }
        pos = end;
        const paid = cents(amt);
        total = total.plus(paid);
        payLines.push({ transaction: l.t.id, credit, amount: paid });
      }
      // period cap: the excess is carried forward (to Q2; nothing is carried into Q1)
      const capped = D.min(total, cap);
      components.push({ component: 'commission', amount: capped, carriedForward: total.minus(capped), lines: payLines });
      // SPIFF: per deal, on Platform new-logo deals credited in the window; a split deal pays each
      // participant their share of the deal
      let spiff = new D(0);
      const spiffLines = [];
      for (const l of lines) {
        const t = l.t;
        if (t.closeDate < s.spiff.from || t.closeDate > s.spiff.to) continue;
        if (!s.spiff.products.includes(t.product) || !s.spiff.types.includes(t.type)) continue;
        const paid = cents(perDeal.mul(l.percent).div(100));
        spiff = spiff.plus(paid);
        spiffLines.push({ transaction: t.id, amount: paid });
      }
      components.push({ component: 'platform-spiff', amount: spiff, lines: spiffLines });
    } else {
      // manager override: 1% of every rolled-up line, each line rounded
      let total = new D(0);
      const payLines = [];
      for (const l of lines) {
        const credit = new D(l.t.amount).mul(l.percent).div(100);
        const paid = cents(credit.mul(overrideRate));
        total = total.plus(paid);
        payLines.push({ transaction: l.t.id, credit, amount: paid });
      }
      components.push({ component: 'team-override', amount: total, lines: payLines });
    }
    const payout = components.reduce((a, c) => a.plus(c.amount), new D(0));
    statements.push({ payee: payee.id, payout: payout.toFixed(2), components, credits: lines.length });
  }
  return { statements };
}

// ---------------------------------------------------------------------------------------------
// Plain numbers

const round2 = (x) => Math.round(x * 100) / 100;

/**
 * The same code with JavaScript numbers (binary floating point), rounding each pay line with
 * `Math.round(x * 100) / 100` as a typical hand-written version would.
 */
export function evaluateFloat(plan, transactions) {
  const s = planSettings(plan);
  const byPayee = creditLines(s, transactions);
  const base = Number(s.basePercent) / 100;
  const tierRates = s.tiers.map((t) => base * Number(t.multiplier));
  const cap = Number(s.cap);
  const perDeal = Number(s.spiff.perDeal);
  const overrideRate = Number(s.overridePercent) / 100;
  const statements = [];
  for (const payee of s.payees) {
    const lines = byPayee.get(payee.id) ?? [];
    const components = [];
    if (payee.role === 'AE') {
      const quota = Number(s.quota.get(payee.id)) / s.periods;
      const bounds = s.tiers.map((t) => [Number(t.from) * quota, t.to === undefined ? Infinity : Number(t.to) * quota]);
      let pos = 0;
      let total = 0;
      const payLines = [];
      for (const l of lines) {
        const credit = (Number(l.t.amount) * Number(l.percent)) / 100;
        const end = pos + credit;
        let amt = 0;
        for (let b = 0; b < bounds.length; b++) {
          const [from, to] = bounds[b];
          const lo = b === 0 ? pos : Math.max(pos, from);
          const hi = Math.min(end, to);
          if (hi > lo) amt += (hi - lo) * tierRates[b];
        }
        pos = end;
        const paid = round2(amt);
        total += paid;
        payLines.push({ transaction: l.t.id, credit, amount: paid });
      }
      const capped = Math.min(total, cap);
      components.push({ component: 'commission', amount: capped, carriedForward: total - capped, lines: payLines });
      let spiff = 0;
      const spiffLines = [];
      for (const l of lines) {
        const t = l.t;
        if (t.closeDate < s.spiff.from || t.closeDate > s.spiff.to) continue;
        if (!s.spiff.products.includes(t.product) || !s.spiff.types.includes(t.type)) continue;
        const paid = round2((perDeal * Number(l.percent)) / 100);
        spiff += paid;
        spiffLines.push({ transaction: t.id, amount: paid });
      }
      components.push({ component: 'platform-spiff', amount: spiff, lines: spiffLines });
    } else {
      let total = 0;
      const payLines = [];
      for (const l of lines) {
        const credit = (Number(l.t.amount) * Number(l.percent)) / 100;
        const paid = round2(credit * overrideRate);
        total += paid;
        payLines.push({ transaction: l.t.id, credit, amount: paid });
      }
      components.push({ component: 'team-override', amount: total, lines: payLines });
    }
    const payout = components.reduce((a, c) => a + c.amount, 0);
    statements.push({ payee: payee.id, payout: payout.toFixed(2), components, credits: lines.length });
  }
  return { statements };
}

// ---------------------------------------------------------------------------------------------

/**
 * Statements whose payout differs from the engine's: `{ count, examples }` (up to 5 examples of
 * `{ payee, engine, baseline }`). `engine` is the package's `statements` (payouts as strings).
 */
export function payoutDifferences(engineStatements, baselineStatements, keep = 5) {
  const mine = new Map(baselineStatements.map((s) => [s.payee, s.payout]));
  let count = 0;
  const examples = [];
  for (const s of engineStatements) {
    const b = mine.get(s.payee);
    if (b !== s.payout) {
      count++;
      if (examples.length < keep) examples.push({ payee: s.payee, engine: s.payout, baseline: b });
    }
  }
  if (mine.size !== engineStatements.length) count += Math.abs(mine.size - engineStatements.length);
  return { count, examples };
}

/**
 * Pay lines (per payee, component and line, in order) whose amount differs from the engine's:
 * `{ count, total }`.
 */
export function payLineDifferences(engineStatements, baselineStatements) {
  const mine = new Map(baselineStatements.map((s) => [s.payee, s]));
  let count = 0;
  let total = 0;
  for (const s of engineStatements) {
    const b = mine.get(s.payee);
    for (const c of s.components) {
      const bc = b?.components.find((x) => x.component === c.component);
      c.lines.forEach((l, i) => {
        total++;
        const bl = bc?.lines[i];
        if (!bl || bl.transaction !== l.transaction || bl.amount.toFixed(2) !== l.amount) count++;
      });
    }
  }
  return { count, total };
}
