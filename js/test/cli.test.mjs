// The package's command line (examples/node-validate/payplan.mjs, shipped as dist/bin/payplan.mjs
// and the package's `bin`), run for real as child processes: validating good, bad and unreadable
// plans (output lines and exit codes), and evaluating the sample plan on the sample CSV and on the
// real CRM export (skipped with a message where ../shared/data/crm is absent). The figures were
// checked by hand and against the Rust CLI (`cargo run --features cli -- evaluate ...`).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const jsRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(jsRoot, '..');
const bin = join(jsRoot, 'dist', 'bin', 'payplan.mjs');
const crmDir = join(repo, '..', 'shared', 'data', 'crm');

/** Runs the bin from the repository root; resolves to { code, stdout, stderr } whatever the exit status. */
function payplan(args, cwd = repo) {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 60_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, stdout, stderr });
    });
  });
}

test('the shipped bin is the example, byte for byte', () => {
  assert.ok(existsSync(bin), 'js/dist/bin/payplan.mjs is missing: run ./scripts/build-wasm.sh first');
  assert.equal(readFileSync(bin, 'utf8'), readFileSync(join(repo, 'examples', 'node-validate', 'payplan.mjs'), 'utf8'));
});

test('validate: a good plan, a plan with warnings only, exit 0', async () => {
  const r = await payplan(['validate', 'examples/plans/account-executive.json', 'examples/node-validate/plans/warnings.json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    'examples/plans/account-executive.json: ok\n' +
      'examples/node-validate/plans/warnings.json: warning EMPTY_FILTER_LIST at /components/1/filter/regions: the `regions` list is empty, so this filter matches nothing; remove it or list values\n' +
      'examples/node-validate/plans/warnings.json: ok (1 warning)\n',
  );
  assert.equal(r.stderr, '');
});

test('validate: every error of a bad plan with its code and JSON pointer, exit 1', async () => {
  const r = await payplan(['validate', 'examples/plans/account-executive.json', 'examples/node-validate/plans/broken.json', 'examples/node-validate/plans/number-amount.json']);
  assert.equal(r.code, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.deepEqual(lines, [
    'examples/plans/account-executive.json: ok',
    'examples/node-validate/plans/broken.json: error UNKNOWN_PAYEE at /quotas/1/payee: quota for unknown payee `ae-bob`',
    'examples/node-validate/plans/broken.json: error UNKNOWN_MEASURE at /components/0/measure: `booking` is not a measure of this plan (known measures: `bookings`, `team-bookings`)',
    'examples/node-validate/plans/broken.json: error TIER_GAP at /components/0/tiers/1/from: band 1 starts at 1.2 but band 0 ends at 1.0; a band must start where the previous one ends',
    'examples/node-validate/plans/broken.json: error WINDOW_DATES at /components/1/window/to: the window ends on 2025-01-01, before it starts on 2025-03-31; `to` must be on or after `from`',
    'examples/node-validate/plans/broken.json: 4 errors',
    'examples/node-validate/plans/number-amount.json: error PARSE_ERROR at /components/0/caps/0/amount: the plan could not be read: invalid type: integer `25000`, expected a decimal string such as "1250.00" (JSON numbers are refused so that no amount passes through binary floating point)',
    'examples/node-validate/plans/number-amount.json: 1 error',
  ]);

  const json = await payplan(['validate', '--format', 'json', 'examples/node-validate/plans/broken.json']);
  assert.equal(json.code, 1);
  const [report] = JSON.parse(json.stdout);
  assert.equal(report.file, 'examples/node-validate/plans/broken.json');
  assert.deepEqual(
    report.diagnostics.map((d) => [d.severity, d.code, d.path]),
    [
      ['error', 'UNKNOWN_PAYEE', '/quotas/1/payee'],
      ['error', 'UNKNOWN_MEASURE', '/components/0/measure'],
      ['error', 'TIER_GAP', '/components/0/tiers/1/from'],
      ['error', 'WINDOW_DATES', '/components/1/window/to'],
    ],
  );
});

test('validate and evaluate: unreadable files and usage errors exit 2', async () => {
  const missing = await payplan(['validate', 'examples/plans/account-executive.json', 'no-such-plan.json']);
  assert.equal(missing.code, 2);
  assert.match(missing.stdout, /^no-such-plan\.json: error IO_ERROR: cannot read `no-such-plan\.json`: no such file$/m);
  assert.match(missing.stdout, /^examples\/plans\/account-executive\.json: ok$/m, 'the other files are still checked');

  for (const args of [[], ['frobnicate'], ['validate'], ['evaluate', '--plan', 'examples/plans/account-executive.json'], ['validate', '--colour', 'x.json']]) {
    const r = await payplan(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  }
  const where = await payplan(['evaluate', '--plan', 'examples/plans/account-executive.json', '--transactions', 'examples/data/deals-2025.csv', '--period', 'Q1', '--where', 'segment']);
  assert.equal(where.code, 2);
  assert.equal(where.stderr, 'error USAGE_ERROR: --where `segment` is not of the form column=value (for example deal_stage=Won)\n');
  const help = await payplan(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /payplan validate \[--format text\|json\] PLAN\.\.\./);
});

const EVALUATE_Q1 = ['evaluate', '--plan', 'examples/plans/account-executive.json', '--transactions', 'examples/data/deals-2025.csv', '--period', 'Q1'];

test('evaluate: the sample plan on the sample CSV, a statement summary with hand-checked figures', async () => {
  const r = await payplan(EVALUATE_Q1);
  assert.equal(r.code, 0, r.stderr);
  const out = r.stdout;
  // Ana: 270,000 on a 200,000 quota = 135%; 200,000 x 8% + 70,000 x 12% = 24,400; D-101 SPIFF 500
  assert.match(out, /^Ana Lima \(ae-ana\), AE: payout 24,900\.00$/m);
  assert.match(out, /^ {2}bookings +270,000\.00 {2}of quota 200,000\.00: attainment 135% \(year to date 135%\)$/m);
  assert.match(out, /^ {2}commission +24,400\.00 {2}3 lines, band 1 reached \(1\.5 x 8%\)$/m);
  // Ben starts on Feb 15: quota 34,444.44; 15,000 (half of D-105) + 12,000.50 = 27,000.50 (78.39%);
  // 8% = 2,160.04, SPIFF half of 500; the recoverable draw tops 2,410.04 up to 6,000
  assert.match(out, /^Ben Okafor \(ae-ben\), AE: payout 6,000\.00$/m);
  assert.match(out, /^ {2}bookings +27,000\.50 {2}of quota 34,444\.44: attainment 78\.39% \(year to date 78\.39%\)$/m);
  assert.match(out, /^ {2}drawTopUp +3,589\.96 {2}net earnings 2410\.04 are below the recoverable draw of 6000/m);
  assert.match(out, /^ {2}balances: draw owed 3,589\.96$/m);
  // Chen: 80,000 + 15,000 + 60,000 = 155,000 (77.5%) x 8% = 12,400 + 250 SPIFF
  assert.match(out, /^Chen Wei \(ae-chen\), AE: payout 12,650\.00$/m);
  // Maya: 1% of each of the team's 8 credit lines; D-106's 120.005 rounds half-even to 120.00
  assert.match(out, /^Maya Patel \(mgr-maya\), Manager: payout 4,520\.00$/m);
  assert.match(out, /^accounting: 8 transactions in = 7 credited \(7 this period\) \+ 1 excluded \+ 0 rejected: balanced$/m);
  assert.match(out, /^ {2}excluded D-108: OUT_OF_RANGE: credit date 2025-04-02 is after the evaluated period Q1$/m);
});

test('evaluate --json prints the engine bytes; Q2 claws D-107 back', async () => {
  const r = await payplan([...EVALUATE_Q1.slice(0, -1), 'Q2', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').length, 2, 'one line of compact JSON');
  const ev = JSON.parse(r.stdout);
  const ana = ev.statements.find((s) => s.payee === 'ae-ana');
  // D-107 (20,000, closed Mar 28, paid 20,000 x 12% = 2,400 in Q1) is cancelled on Apr 20, within 90 days
  const clawback = ana.adjustments.find((a) => a.kind === 'clawback');
  assert.equal(clawback.transaction, 'D-107');
  assert.equal(clawback.amount, '-2400.00');
});

test('evaluate: a bad CSV cell and an invalid plan exit 1 with the code and the pointer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'payplan-cli-'));
  try {
    const csv = join(dir, 'deals.csv');
    writeFileSync(csv, 'id,owner,amount,close_date\nD-1,ae-ana,"1,054.00",2025-01-20\n');
    const bad = await payplan(['evaluate', '--plan', 'examples/plans/account-executive.json', '--transactions', csv, '--period', 'Q1']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error CSV_BAD_VALUE at \/transactions\/0\/amount: line 2, column amount: `1,054\.00` is not a decimal amount/);

    const invalid = await payplan(['evaluate', '--plan', 'examples/node-validate/plans/broken.json', '--transactions', 'examples/data/deals-2025.csv', '--period', 'Q1']);
    assert.equal(invalid.code, 1);
    const lines = invalid.stderr.trimEnd().split('\n');
    assert.match(lines[0], /^error INVALID_PLAN/);
    assert.equal(lines.length, 5, invalid.stderr);
    assert.equal(lines[3], '  error TIER_GAP at /components/0/tiers/1/from: band 1 starts at 1.2 but band 0 ends at 1.0; a band must start where the previous one ends');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('evaluate: the real CRM export with --map and --where', async (t) => {
  if (!existsSync(join(crmDir, 'sales_pipeline.csv'))) {
    t.skip(`SKIPPED: ${crmDir} is absent; this test needs the CRM export`);
    return;
  }
  // a plan for the export's 35 agents (AE) and their 6 managers, as tests/crm.rs builds it
  const teams = readFileSync(join(crmDir, 'sales_teams.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const managers = [...new Set(teams.map(([, manager]) => manager))].sort();
  const plan = {
    schemaVersion: 1,
    id: 'crm-2017',
    currency: 'USD',
    calendar: { yearStart: '2017-01-01', periodType: 'quarter' },
    payees: [
      ...managers.map((m) => ({ id: m, role: 'Manager' })),
      ...teams.map(([agent, manager]) => ({ id: agent, role: 'AE', reportsTo: [{ manager }] })),
    ],
    measures: [
      { id: 'bookings', filter: { rules: ['won'] } },
      { id: 'team-bookings', filter: { rules: ['team'] } },
    ],
    quotas: teams.map(([agent]) => ({ payee: agent, measure: 'bookings', annual: '300000' })),
    crediting: { creditDate: 'close', rules: [{ type: 'direct', id: 'won' }, { type: 'rollup', id: 'team', levels: 1 }] },
    components: [
      { id: 'commission', type: 'tiered', roles: ['AE'], measure: 'bookings', basis: 'attainment',
        tiers: [{ from: '0', to: '1', rate: { percent: '5' } }, { from: '1', rate: { percent: '8' } }] },
      { id: 'override', type: 'rate', roles: ['Manager'], measure: 'team-bookings', rate: { percent: '1' } },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'payplan-crm-'));
  try {
    const planPath = join(dir, 'crm-plan.json');
    writeFileSync(planPath, JSON.stringify(plan, null, 2));
    const args = ['evaluate', '--plan', planPath, '--transactions', join(crmDir, 'sales_pipeline.csv'), '--period', 'Q1',
      '--map', 'id=opportunity_id,owner=sales_agent,amount=close_value,closeDate=close_date', '--where', 'deal_stage=Won'];
    const started = Date.now();
    const r = await payplan(args);
    t.diagnostic(`8,800 rows, ${plan.payees.length} payees: ${Date.now() - started} ms`);
    assert.equal(r.code, 0, r.stderr);
    // the 4,238 won deals are read; Q1 credits those that closed in Q1 (1,134,672 in all, tests/crm.rs)
    assert.match(r.stdout, /^accounting: 4238 transactions in = \d+ credited \(\d+ this period\) \+ \d+ excluded \+ 0 rejected: balanced$/m);
    // Darcel Schlecht: 112,255 on a 75,000 quarter quota: 75,000 x 5% + 37,255 x 8% = 6,730.40
    assert.match(r.stdout, /^Darcel Schlecht, AE: payout 6,730\.40$/m);
    assert.match(r.stdout, /^ {2}bookings +112,255\.00 {2}of quota 75,000\.00: attainment 149\.67% /m);
    const json = JSON.parse((await payplan([...args, '--json'])).stdout);
    assert.equal(json.accounting.creditedInPeriod.amounts.USD, '1134672.00');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
