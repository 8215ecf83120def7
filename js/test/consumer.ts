// A TypeScript consumer of the whole public API, with explicit types. It imports the package by its
// name: tsconfig.consumer.json resolves 'payplan' with `moduleResolution: NodeNext` through
// js/package.json's own `exports` (a package may import itself by name), so the `types` conditions
// and dist/types/*.d.ts are checked exactly as a user's project sees them.
//
// types.test.mjs type-checks it (`tsc --strict --noEmit`) and also runs it against the built
// package (CommonJS, so through dist/node.cjs): it throws when a value is not the expected one.
import {
  CompiledPlan,
  PayplanError,
  PreviewSession,
  TransactionTable,
  compilePlan,
  evaluate,
  init,
  initSync,
  isReady,
  validatePlan,
  version,
} from 'payplan';
import type {
  ComponentResult,
  DecimalString,
  Diagnostic,
  Evaluation,
  InitInput,
  Inputs,
  IsoDate,
  PayLine,
  PayplanErrorDetails,
  Period,
  Preview,
  SessionSummary,
  Plan,
  Statement,
  Transaction,
} from 'payplan';
import * as inline from 'payplan/inline';
import * as previewEntry from 'payplan/preview';
import type * as web from 'payplan/web';

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`consumer check failed: ${message}`);
}

// The sample plan (examples/plans/account-executive.json) as a typed literal: the generated `Plan`
// type accepts the real document.
export const samplePlan: Plan = {
  schemaVersion: 1,
  id: 'ae-fy2025',
  name: 'Account Executive Plan FY2025',
  version: '2025.1',
  currency: 'USD',
  rounding: { mode: 'halfEven', stage: 'line' },
  calendar: { yearStart: '2025-01-01', periodType: 'quarter' },
  payees: [
    { id: 'mgr-maya', name: 'Maya Patel', role: 'Manager' },
    { id: 'ae-ana', name: 'Ana Lima', role: 'AE', reportsTo: [{ manager: 'mgr-maya' }] },
    { id: 'ae-ben', name: 'Ben Okafor', role: 'AE', start: '2025-02-15', reportsTo: [{ manager: 'mgr-maya' }] },
    { id: 'ae-chen', name: 'Chen Wei', role: 'AE', reportsTo: [{ manager: 'mgr-maya' }] },
  ],
  measures: [
    { id: 'bookings', kind: 'amount', filter: { rules: ['deal-credit'] } },
    { id: 'team-bookings', kind: 'amount', filter: { rules: ['team-rollup'] } },
  ],
  quotas: [
    { payee: 'ae-ana', measure: 'bookings', annual: '800000' },
    { payee: 'ae-ben', measure: 'bookings', annual: '800000', ramp: ['0.25', '0.5', '0.75'] },
    { payee: 'ae-chen', measure: 'bookings', annual: '800000' },
    { payee: 'mgr-maya', measure: 'team-bookings', annual: '2400000' },
  ],
  crediting: {
    creditDate: 'close',
    rules: [
      { type: 'split', id: 'deal-credit', mustTotal: '100' },
      { type: 'rollup', id: 'team-rollup', levels: 1 },
    ],
  },
  components: [
    {
      id: 'commission',
      name: 'Commission with accelerators',
      type: 'tiered',
      roles: ['AE'],
      measure: 'bookings',
      basis: 'attainment',
      method: 'marginal',
      scope: 'period',
      baseRate: { percent: '8' },
      tiers: [
        { from: '0', to: '1.0', rate: { multiplier: '1' } },
        { from: '1.0', to: '1.5', rate: { multiplier: '1.5' } },
        { from: '1.5', rate: { multiplier: '2' } },
      ],
      caps: [{ amount: '25000', per: 'period', excess: 'carryForward' }],
    },
    {
      id: 'platform-spiff',
      name: 'Q1 new-logo Platform SPIFF',
      type: 'spiff',
      roles: ['AE'],
      measure: 'bookings',
      filter: { products: ['Platform'], types: ['new'] },
      window: { from: '2025-01-01', to: '2025-03-31' },
      rate: { perDeal: '500' },
    },
    {
      id: 'team-override',
      name: 'Manager override on team bookings',
      type: 'rate',
      roles: ['Manager'],
      measure: 'team-bookings',
      rate: { percent: '1' },
    },
  ],
  payments: {
    draws: [
      {
        id: 'ramp-draw',
        payees: ['ae-ben'],
        kind: 'recoverable',
        amount: '6000',
        periods: ['Q1', 'Q2'],
        recovery: { maxPercent: '50' },
      },
    ],
    clawback: { windowDays: 90, mode: 'full', attainment: 'keep' },
  },
};

const amount1: DecimalString = '150000';
const closeDate1: IsoDate = '2025-01-20';
const deals: Transaction[] = [
  { id: 'D-1', owner: 'ae-ana', amount: amount1, closeDate: closeDate1, product: 'Platform', type: 'new' },
  { id: 'D-2', owner: 'ae-ana', amount: '100000', closeDate: '2025-02-20', product: 'Platform', type: 'renewal' },
];
const inputs: Inputs = { transactions: deals };

// money is a decimal string, never a JS number
const badDeal: Transaction = {
  id: 'D-3',
  // @ts-expect-error a JS number is not a DecimalString
  amount: 150000,
};

export async function main(): Promise<string[]> {
  const report: string[] = [];

  // ready state and initialization (no-ops in Node, where the module is ready on import)
  const ready: boolean = isReady();
  check(ready, 'isReady() in Node');
  const initialized: Promise<void> = init();
  await initialized;
  const wasmUrl: InitInput = new URL('https://example.com/payplan_bg.wasm');
  check(typeof wasmUrl === 'object', 'InitInput accepts a URL');
  initSync(new Uint8Array(0));
  const engine: string = version();
  check(/^\d+\.\d+\.\d+/.test(engine), `version() ${engine}`);

  // validate: no diagnostics for the sample, two errors for a broken copy
  const clean: Diagnostic[] = validatePlan(samplePlan);
  check(clean.length === 0, `the sample plan has ${clean.length} diagnostics`);
  const broken: Plan = structuredClone(samplePlan);
  broken.quotas![0]!.payee = 'nobody';
  const problems: Diagnostic[] = validatePlan(JSON.stringify(broken));
  const firstError: Diagnostic | undefined = problems.find((d: Diagnostic) => d.severity === 'error');
  check(firstError?.code === 'UNKNOWN_PAYEE' && firstError.path === '/quotas/0/payee', `validatePlan: ${JSON.stringify(problems)}`);

  // compile once, evaluate, dispose at the end of the scope with `using`
  let payout: DecimalString;
  let scoped: CompiledPlan | undefined;
  {
    using plan: CompiledPlan = compilePlan(samplePlan);
    scoped = plan;
    const periods: Period[] = plan.periods;
    check(periods.map((p: Period) => p.id).join(',') === 'Q1,Q2,Q3,Q4', 'periods');
    const warnings: Diagnostic[] = plan.warnings;
    check(warnings.length === 0, 'warnings');

    const q1: Evaluation = plan.evaluate(inputs, 'Q1');
    const ana: Statement | undefined = q1.statements.find((s: Statement) => s.payee === 'ae-ana');
    const table: TransactionTable = TransactionTable.from(inputs.transactions ?? []);
    const fromTable: string = plan.evaluateTableJson(table, 'Q1', {});
    check(fromTable === plan.evaluateJson(JSON.stringify(inputs), 'Q1'), 'a table evaluates as the list');
    check(plan.evaluateTable(table, 'Q1').statements.length === q1.statements.length && table.length === table.rows.length, 'evaluateTable');
    table.free();
    check(ana !== undefined, 'a statement for ae-ana');
    payout = ana.payout;
    const commission: ComponentResult = ana.components[0]!;
    const line: PayLine = commission.lines[1]!;
    check(commission.amount === '22000.00', `commission ${commission.amount}`);
    check(line.trace === 'D-2 credit 100000.00: 50000.00 in band 0 at 1 x 8% + 50000.00 in band 1 at 1.5 x 8% = 10000.00', line.trace);

    const json: string = plan.evaluateJson(JSON.stringify(inputs), 'Q1');
    check(JSON.stringify(JSON.parse(json)) === JSON.stringify(q1), 'evaluateJson and evaluate agree');

    // typed errors; the same instance keeps working
    try {
      plan.evaluate({ transactions: [badDeal] }, 'Q1');
      check(false, 'a number amount was accepted');
    } catch (e: unknown) {
      check(e instanceof PayplanError, 'a PayplanError');
      const code: string = e.code;
      const path: string | null = e.path;
      const details: PayplanErrorDetails = e.details;
      check(code === 'PARSE_ERROR' && path === '/transactions/0/amount', `${code} ${path}`);
      check(details.document === undefined || details.document === 'inputs', `details ${JSON.stringify(details)}`);
    }
    try {
      plan.evaluate(inputs, 'Q9');
      check(false, 'an unknown period was accepted');
    } catch (e: unknown) {
      check(e instanceof PayplanError && e.code === 'UNKNOWN_PERIOD', String(e));
      const known: string[] | undefined = e.details.known;
      check(known?.join(',') === 'Q1,Q2,Q3,Q4', `details.known ${String(known)}`);
    }
    check(plan.evaluate(inputs, 'Q1').statements.length === 4, 'the instance works after errors');
  }
  check(payout === '22500.00', `Ana's payout ${payout}`);
  try {
    scoped.evaluate(inputs, 'Q1');
    check(false, '`using` did not free the plan at the end of its scope');
  } catch (e: unknown) {
    check(e instanceof PayplanError && e.code === 'FREED', String(e));
  }
  report.push(`compilePlan/using: ae-ana ${payout}`);

  // an invalid plan: INVALID_PLAN with every diagnostic in details
  try {
    compilePlan(broken);
    check(false, 'an invalid plan compiled');
  } catch (e: unknown) {
    check(e instanceof PayplanError && e.code === 'INVALID_PLAN', String(e));
    const diagnostics: Diagnostic[] = e.details.diagnostics ?? [];
    check(diagnostics.length === problems.length, 'INVALID_PLAN carries every diagnostic');
  }

  // explicit free(); twice is harmless; a freed plan throws FREED
  const explicit: CompiledPlan = compilePlan(JSON.stringify(samplePlan));
  explicit.free();
  explicit.free();
  try {
    explicit.evaluate(inputs, 'Q1');
    check(false, 'a freed plan evaluated');
  } catch (e: unknown) {
    check(e instanceof PayplanError && e.code === 'FREED', String(e));
  }

  // one-shot evaluate, with JSON text
  const once: Evaluation = evaluate(JSON.stringify(samplePlan), JSON.stringify(inputs), 'Q1');
  report.push(`evaluate: ${once.statements.length} statements, accounting balanced ${once.accounting.balanced}`);
  check(once.accounting.balanced && once.accounting.input.amounts['USD'] === '250000.00', 'accounting');

  // a live preview session
  const sessionPlan: CompiledPlan = previewEntry.compilePlan(samplePlan);
  const session: PreviewSession = sessionPlan.openSession(inputs, 'ae-ana', 'Q1');
  const deal: Transaction = { id: 'D-9', owner: 'ae-ana', amount: '10000', closeDate: '2025-03-30' };
  const preview: Preview = session.preview(deal);
  const change: DecimalString = preview.payout.change;
  const crossed: number | null | undefined = preview.bandsCrossed[0]?.to;
  const mode: 'incremental' | 'replay' = preview.mode;
  session.upsert(deal);
  const summary: SessionSummary = session.summary();
  report.push(`preview: ${change} (${mode}, band ${crossed ?? 'none'}), payout now ${summary.payout}`);
  check(summary.payout === preview.payout.after, 'session summary after upsert');
  session.free();
  sessionPlan.free();

  // the other entries share the declarations
  const inlinePlan: inline.CompiledPlan = inline.compilePlan(samplePlan);
  inlinePlan.free();
  const webInit: typeof web.init = init;
  const webInitSync: typeof web.initSync = initSync;
  check(typeof webInit === 'function' && typeof webInitSync === 'function', 'payplan/web init');

  return report;
}
