#!/usr/bin/env node
// payplan: validate plan files and evaluate a plan on a CSV (or JSON) of transactions, from Node.
//
// The example of a Node user of the npm package: it uses only the package's public API
// (`payplan` and `payplan/operations`) and ships as the package's `bin`, so that after
// `npm install payplan` it runs as `npx payplan validate plans/*.json`. Its options and output
// follow the Rust command line (`cargo run --features cli -- validate|evaluate`), and CSV files are
// read by the engine's own CSV import (`transactionsFromCsv`), so both read a file the same way.
//
// No amount is computed here: money stays a decimal string from the file to the screen; this
// script only lays the engine's figures out (thousands separators, ratios shown as percentages).
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';

const HELP = `Usage:
  payplan validate [--format text|json] PLAN...
  payplan evaluate --plan PLAN --transactions FILE --period P [options]

Commands:
  validate   Check plan files; print every problem with its code and JSON pointer.
             Exit status: 0 no errors (warnings are fine), 1 a plan has errors, 2 a file cannot be read.
  evaluate   Evaluate a plan for a period and print a statement summary per payee.
             Exit status: 0 done, 1 the plan or the transactions are invalid, 2 usage or file errors.

Options of evaluate:
  --plan FILE            the plan (JSON)
  --transactions FILE    a .csv file, or a .json file with an array of transactions or {"transactions": [...]}
  --period P             a period of the plan's calendar, for example Q1 or M03
  --map SPEC             CSV column map field=header,..., for example id=opportunity_id,amount=close_value
  --where COLUMN=VALUE   keep only the CSV rows whose column equals the value (repeatable; all must hold)
  --inputs FILE          other inputs as JSON (closed statements, scores, events, options); the
                         transactions of --transactions are added to its transactions
  --strict               stop at the first transaction that would be rejected
  --json                 print the evaluation as JSON (the engine's bytes) instead of the summary
  --pretty               with --json, indent the JSON

Examples:
  payplan validate plans/ae.json plans/se.json
  payplan evaluate --plan plans/ae.json --transactions deals.csv --period Q1
  payplan evaluate --plan crm-plan.json --transactions sales_pipeline.csv --period Q1 \\
    --map id=opportunity_id,owner=sales_agent,amount=close_value,closeDate=close_date --where deal_stage=Won

Errors are printed as \`error CODE at PATH: message\`, where PATH is a JSON pointer into the document.`;

/** A problem with the command line or a file: exit status 2. */
class UsageError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function loadPayplan() {
  try {
    const [core, operations] = await Promise.all([import('payplan'), import('payplan/operations')]);
    return { ...core, ...operations };
  } catch (e) {
    throw new UsageError(
      'NOT_BUILT',
      `the payplan package cannot be loaded (${e.message.split('\n')[0]}); in the payplan repository, build it first with ./scripts/build-wasm.sh`,
    );
  }
}

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError('IO_ERROR', `cannot read \`${path}\`: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// formatting (display only: the strings the engine returned, laid out)

/** "1234567.5" -> "1,234,567.5" (string manipulation only). */
export function groupThousands(decimal) {
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(decimal);
  if (!m) return decimal;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] ?? '');
}

/**
 * Rounds decimal text half-even to `places` decimals, for display ("34444.4444" -> "34444.44").
 * Exact: BigInt on the digits, never a float.
 */
export function roundDecimal(decimal, places) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!m) return decimal;
  const [, sign, int, frac = ''] = m;
  let kept = BigInt(int + frac.padEnd(places, '0').slice(0, places));
  const rest = frac.slice(places);
  if (/[1-9]/.test(rest)) {
    const first = Number(rest[0]);
    if (first > 5 || (first === 5 && (/[1-9]/.test(rest.slice(1)) || kept % 2n === 1n))) kept += 1n;
  }
  const digits = kept.toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return sign && /[1-9]/.test(text) ? `-${text}` : text;
}

/** A ratio ("1.35") as a percentage ("135%"): x 100, half-even to 2 decimals, no trailing zeros (as the Rust demo). */
export function ratioToPercent(ratio) {
  if (ratio === null || ratio === undefined) return 'n/a';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(ratio);
  if (!m) return ratio;
  const [, sign, int, frac = ''] = m;
  // moving the point two places right is exact on the digits
  const shifted = `${sign}${(int + frac.padEnd(2, '0').slice(0, 2)).replace(/^0+(?=\d)/, '')}${frac.length > 2 ? `.${frac.slice(2)}` : ''}`;
  const rounded = roundDecimal(shifted, 2);
  return `${rounded.includes('.') ? rounded.replace(/\.?0+$/, '') : rounded}%`;
}

const pad = (s, n) => String(s).padEnd(n);
const padLeft = (s, n) => String(s).padStart(n);
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `error CODE at PATH: message`, as the Rust CLI prints it (the message without the location it repeats). */
function errorLine(e) {
  let message = e.message;
  if (e.path) {
    for (const repeated of [`invalid input at ${e.path}: `, `limit exceeded at ${e.path}: `]) {
      if (message.startsWith(repeated)) message = message.slice(repeated.length);
    }
    message = message.replace(` could not be read at ${e.path}: `, ' could not be read: ');
  }
  return e.path ? `error ${e.code} at ${e.path}: ${message}` : `error ${e.code}: ${message}`;
}

// ---------------------------------------------------------------------------------------------
// validate

function summary(diagnostics) {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (errors === 0) return warnings === 0 ? 'ok' : `ok (${plural(warnings, 'warning')})`;
  return warnings === 0 ? plural(errors, 'error') : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

async function validate(argv, out) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) return out.log(HELP), 0;
  if (!['text', 'json'].includes(values.format)) throw new UsageError('USAGE_ERROR', `--format must be text or json, not \`${values.format}\``);
  if (positionals.length === 0) throw new UsageError('USAGE_ERROR', 'validate needs at least one plan file');
  const { validatePlan } = await loadPayplan();
  let unreadable = false;
  let invalid = false;
  const reports = [];
  for (const file of positionals) {
    let diagnostics;
    try {
      diagnostics = validatePlan(readText(file));
      invalid ||= diagnostics.some((d) => d.severity === 'error');
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      unreadable = true;
      diagnostics = [{ severity: 'error', code: e.code, path: '', message: e.message }];
    }
    reports.push({ file, diagnostics });
  }
  if (values.format === 'json') {
    out.log(JSON.stringify(reports, null, 2));
  } else {
    for (const { file, diagnostics } of reports) {
      for (const d of diagnostics) {
        out.log(d.path ? `${file}: ${d.severity} ${d.code} at ${d.path}: ${d.message}` : `${file}: ${d.severity} ${d.code}: ${d.message}`);
      }
      out.log(`${file}: ${summary(diagnostics)}`);
    }
  }
  return unreadable ? 2 : invalid ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// evaluate

function readTransactions(path, map, where, transactionsFromCsv) {
  const text = readText(path);
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return transactionsFromCsv({ csv: text, map, where }).transactions;
  if (map !== undefined || Object.keys(where).length > 0) {
    throw new UsageError('USAGE_ERROR', `--map and --where apply to CSV transactions only, and \`${path}\` is not a .csv file`);
  }
  if (ext !== '.json') {
    throw new UsageError('UNSUPPORTED_FILE_TYPE', `cannot tell the format of \`${path}\`: transaction files must end in .csv or .json`);
  }
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError('PARSE_ERROR', `\`${path}\` is not JSON: ${e.message}`);
  }
  // numbers stay numbers here: the engine refuses a number where a decimal string is required,
  // with the JSON pointer of the value
  if (Array.isArray(doc)) return doc;
  if (doc && Array.isArray(doc.transactions)) return doc.transactions;
  throw new UsageError('PARSE_ERROR', `\`${path}\` must hold an array of transactions or {"transactions": [...]}`);
}

/** The statement summary: one block per payee, then the accounting of every transaction. */
export function renderSummary(ev, plan) {
  const lines = [];
  const planName = plan.name ? `${plan.name} (${plan.id}${plan.version ? ` ${plan.version}` : ''})` : plan.id;
  lines.push(`${planName}: ${ev.period.id} (${ev.period.start} to ${ev.period.end}), amounts in ${ev.currency}`);
  const amountWidth = 14;
  for (const st of ev.statements) {
    lines.push('');
    lines.push(`${st.name ? `${st.name} (${st.payee})` : st.payee}, ${st.role}: payout ${groupThousands(st.payout)}`);
    for (const m of st.measures) {
      const quota = m.period.quota === null || m.period.quota === undefined ? 'no quota' : `quota ${groupThousands(roundDecimal(m.period.quota, 2))}`;
      lines.push(
        `  ${pad(m.measure, 18)} ${padLeft(groupThousands(m.period.value), amountWidth)}  of ${quota}: attainment ${ratioToPercent(m.period.attainment)}` +
          ` (year to date ${ratioToPercent(m.yearToDate.attainment)})`,
      );
    }
    for (const c of st.components) {
      const bands = c.lines.flatMap((l) => l.bands);
      const top = bands.reduce((best, b) => (best === null || b.band > best.band ? b : best), null);
      const reached = top && c.type === 'tiered' ? `, band ${top.band} reached (${top.rate})` : '';
      lines.push(`  ${pad(c.component, 18)} ${padLeft(groupThousands(c.amount), amountWidth)}  ${plural(c.lines.length, 'line')}${reached}`);
      for (const step of c.steps) lines.push(`  ${pad('', 18)} ${padLeft(groupThousands(step.amount), amountWidth)}  ${step.kind}: ${step.trace}`);
    }
    for (const a of st.adjustments) {
      lines.push(`  ${pad(a.kind, 18)} ${padLeft(groupThousands(a.amount), amountWidth)}  ${a.trace}`);
    }
    lines.push(`  ${pad('earnings', 18)} ${padLeft(groupThousands(st.earnings), amountWidth)}`);
    lines.push(`  ${pad('payout', 18)} ${padLeft(groupThousands(st.payout), amountWidth)}`);
    const b = st.balances;
    const owed = [
      [b.drawBalance, 'draw owed'],
      [b.heldBack, 'held back'],
      [b.carriedForward, 'carried forward'],
    ].filter(([v]) => !/^-?0(\.0+)?$/.test(v));
    if (owed.length) lines.push(`  balances: ${owed.map(([v, what]) => `${what} ${groupThousands(v)}`).join(', ')}`);
    for (const w of st.warnings ?? []) lines.push(`  warning ${w.code}: ${w.message}`);
  }
  const a = ev.accounting;
  lines.push('');
  lines.push(
    `accounting: ${a.input.count} transactions in = ${a.credited.count} credited (${a.creditedInPeriod.count} this period) + ` +
      `${a.excluded.count} excluded + ${a.rejected.count} rejected: ${a.balanced ? 'balanced' : 'NOT BALANCED'}`,
  );
  const shown = 5;
  for (const r of (ev.rejected ?? []).slice(0, shown)) lines.push(`  rejected ${r.transaction}: ${r.code} at ${r.path}: ${r.message}`);
  if ((ev.rejected ?? []).length > shown) lines.push(`  ... and ${ev.rejected.length - shown} more rejected (--json lists them all)`);
  for (const x of (ev.excluded ?? []).slice(0, shown)) {
    const why = x.reasons[0];
    lines.push(`  excluded ${x.transaction}: ${why ? `${why.code}: ${why.message}` : 'no rule credits it'}`);
  }
  if ((ev.excluded ?? []).length > shown) lines.push(`  ... and ${ev.excluded.length - shown} more excluded (--json lists them all)`);
  return lines.join('\n');
}

async function evaluate(argv, out) {
  const { values } = parseArgs({
    args: argv,
    options: {
      plan: { type: 'string' },
      transactions: { type: 'string' },
      period: { type: 'string' },
      map: { type: 'string' },
      where: { type: 'string', multiple: true, default: [] },
      inputs: { type: 'string' },
      strict: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      pretty: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return out.log(HELP), 0;
  for (const required of ['plan', 'transactions', 'period']) {
    if (!values[required]) throw new UsageError('USAGE_ERROR', `evaluate needs --${required} (see payplan --help)`);
  }
  const where = {};
  for (const filter of values.where) {
    const i = filter.indexOf('=');
    if (i < 0) throw new UsageError('USAGE_ERROR', `--where \`${filter}\` is not of the form column=value (for example deal_stage=Won)`);
    const [column, value] = [filter.slice(0, i).trim(), filter.slice(i + 1).trim()];
    if (column in where && where[column] !== value) {
      throw new UsageError('USAGE_ERROR', `--where gives column \`${column}\` two values; no row can match both`);
    }
    where[column] = value;
  }
  const { compilePlan, transactionsFromCsv } = await loadPayplan();
  const planText = readText(values.plan);
  const inputs = values.inputs ? JSON.parse(readText(values.inputs)) : {};
  const transactions = readTransactions(values.transactions, values.map, where, transactionsFromCsv);
  inputs.transactions = [...(inputs.transactions ?? []), ...transactions];
  if (values.strict) inputs.options = { ...(inputs.options ?? {}), strict: true };

  const plan = compilePlan(planText);
  try {
    const json = plan.evaluateJson(JSON.stringify(inputs), values.period);
    if (values.json) {
      out.log(values.pretty ? JSON.stringify(JSON.parse(json), null, 2) : json);
    } else {
      out.log(renderSummary(JSON.parse(json), JSON.parse(planText)));
      for (const w of plan.warnings) out.error(`${values.plan}: ${w.severity} ${w.code} at ${w.path}: ${w.message}`);
    }
  } finally {
    plan.free();
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------

/** Runs the command line; returns the exit status. `out` has `log` and `error` (console by default). */
export async function main(argv, out = console) {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return await validate(rest, out);
      case 'evaluate':
        return await evaluate(rest, out);
      case '--version':
      case '-V': {
        const { version } = await loadPayplan();
        out.log(`payplan ${version()}`);
        return 0;
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.log(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError('USAGE_ERROR', `unknown command \`${command}\`; the commands are validate and evaluate (see payplan --help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      out.error(errorLine(e));
      return 2;
    }
    if (e && e.name === 'PayplanError') {
      out.error(errorLine(e));
      for (const d of e.details?.diagnostics ?? []) out.error(`  ${d.severity} ${d.code} at ${d.path}: ${d.message}`);
      return 1;
    }
    if (e && e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      out.error(`error USAGE_ERROR: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

// run when executed (directly, through node_modules/.bin or npx), not when imported
const invokedAs = process.argv[1] ? (await import('node:fs')).realpathSync(process.argv[1]) : '';
if (invokedAs === (await import('node:url')).fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
