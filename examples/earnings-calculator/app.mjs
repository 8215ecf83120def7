// The earnings calculator: a rep picks a plan, enters or imports deals, and sees what they pay.
// Everything is computed by the payplan package in the browser: `payplan` evaluates the plan,
// `payplan/operations` reads CSV files (the engine's own CSV import, as the command line). This
// file only builds inputs from the form (amounts stay the strings typed) and shows results.
import { init, compilePlan, PayplanError, version } from '/payplan/web.mjs';
import { init as initOperations, transactionsFromCsv } from '/payplan/operations.web.mjs';
import { money, percentOf, ratioToPercent, roundDecimal } from './format.mjs';

const PLANS = [{ label: 'Account Executive Plan FY2025', url: '/plans/account-executive.json' }];
const TYPES = ['new', 'renewal', 'upsell'];
const CURVE_PERCENTS = Array.from({ length: 41 }, (_, i) => i * 5); // 0%, 5%, ... 200%

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  e.append(...children);
  return e;
};

const state = {
  planDoc: null, // the plan as parsed JSON (names, payees, products)
  plan: null, // the CompiledPlan
  deals: [], // { id, closeDate, amount, product, type, splitWith } as typed (strings)
  nextId: 1,
  lastEvaluation: null,
};

// ---------------------------------------------------------------------------------------------
// plan, rep, period

async function loadPlan(text, label) {
  let doc;
  let compiled;
  try {
    doc = JSON.parse(text);
    compiled = compilePlan(text);
  } catch (e) {
    const lines = e instanceof PayplanError ? [`${e.code}${e.path ? ` at ${e.path}` : ''}: ${e.message}`, ...(e.details?.diagnostics ?? []).map((d) => `${d.code} at ${d.path}: ${d.message}`)] : [String(e.message)];
    setStatus('plan-status', `${label} cannot be used: ${lines.join(' · ')}`, true);
    return;
  }
  state.plan?.free();
  state.plan = compiled;
  state.planDoc = doc;
  const rep = $('rep');
  rep.replaceChildren(...doc.payees.map((p) => el('option', { value: p.id }, `${p.name ?? p.id} (${p.role})`)));
  const firstAe = doc.payees.find((p) => p.role !== 'Manager') ?? doc.payees[0];
  if (firstAe) rep.value = firstAe.id;
  const period = $('period');
  period.replaceChildren(...compiled.periods.map((p) => el('option', { value: p.id }, `${p.id} (${p.start} to ${p.end})`)));
  const warnings = compiled.warnings.length ? ` · ${compiled.warnings.length} warning(s): ${compiled.warnings.map((w) => w.code).join(', ')}` : '';
  setStatus('plan-status', `${doc.name ?? doc.id}: ${doc.payees.length} payees, ${doc.components.length} components, amounts in ${doc.currency}${warnings}`);
  recompute();
}

function setStatus(id, text, isError = false) {
  const p = $(id);
  p.textContent = text;
  p.classList.toggle('error', isError);
}

// ---------------------------------------------------------------------------------------------
// deals

function addDeal(deal = {}) {
  const period = state.plan?.periods.find((p) => p.id === $('period').value);
  state.deals.push({
    id: deal.id ?? `D-${state.nextId++}`,
    closeDate: deal.closeDate ?? period?.start ?? '',
    amount: deal.amount ?? '',
    product: deal.product ?? '',
    type: deal.type ?? 'new',
    splitWith: deal.splitWith ?? '',
  });
  renderDeals();
  recompute();
}

function renderDeals() {
  const products = [...new Set((state.planDoc?.components ?? []).flatMap((c) => c.filter?.products ?? []))];
  const others = (state.planDoc?.payees ?? []).filter((p) => p.id !== $('rep').value);
  const rows = state.deals.map((d, i) => {
    const input = (field, attrs = {}) =>
      el('input', { ...attrs, value: d[field], 'data-field': field, oninput: (e) => { d[field] = e.target.value.trim(); recompute(); } });
    const select = (field, options) => {
      const s = el('select', { 'data-field': field, onchange: (e) => { d[field] = e.target.value; recompute(); } },
        ...options.map(([value, label]) => el('option', { value }, label)));
      s.value = d[field];
      return s;
    };
    return el('tr', { 'data-row': String(i) },
      el('td', {}, input('id', { size: 9, 'aria-label': 'deal id' })),
      el('td', {}, input('closeDate', { type: 'date', 'aria-label': 'close date' })),
      el('td', { class: 'num' }, input('amount', { inputmode: 'decimal', size: 12, placeholder: '0.00', 'aria-label': 'amount', pattern: '-?[0-9]+(\\.[0-9]+)?' })),
      el('td', {}, input('product', { list: 'products', size: 11, 'aria-label': 'product' })),
      el('td', {}, select('type', TYPES.map((t) => [t, t]))),
      el('td', {}, select('splitWith', [['', '—'], ...others.map((p) => [p.id, `${p.name ?? p.id} 50/50`])])),
      el('td', {}, el('button', { type: 'button', class: 'quiet', 'aria-label': `remove ${d.id}`, onclick: () => { state.deals.splice(i, 1); renderDeals(); recompute(); } }, '×')),
    );
  });
  $('deals').tBodies[0].replaceChildren(...rows);
  let list = $('products');
  if (!list) document.body.append((list = el('datalist', { id: 'products' })));
  list.replaceChildren(...products.map((p) => el('option', { value: p })));
}

/** The evaluation inputs: the rep's deals as typed; a split deal gives each side 50%. */
function inputsFor(rep, deals) {
  return {
    transactions: deals.map((d) => {
      const t = { id: d.id, owner: rep, amount: d.amount };
      if (d.closeDate) t.closeDate = d.closeDate;
      if (d.product) t.product = d.product;
      if (d.type) t.type = d.type;
      if (d.splitWith) t.splits = [{ payee: rep, percent: '50' }, { payee: d.splitWith, percent: '50' }];
      return t;
    }),
  };
}

async function importCsv(file) {
  const rep = $('rep').value;
  try {
    const map = $('csv-map').value.trim();
    const { transactions } = transactionsFromCsv({ csv: await file.text(), ...(map ? { map } : {}) });
    // the rep's rows (or rows without an owner)
    const mine = transactions.filter((t) => !t.owner || t.owner === rep);
    for (const t of mine) {
      const other = (t.splits ?? []).find((s) => s.payee !== rep);
      state.deals.push({ id: t.id, closeDate: t.closeDate ?? '', amount: t.amount, product: t.product ?? '', type: t.type ?? 'new', splitWith: other?.payee ?? '' });
    }
    setStatus('deals-status', `${file.name}: ${transactions.length} rows read, ${mine.length} deals of ${rep} added`);
  } catch (e) {
    setStatus('deals-status', `${file.name}: ${e.code ?? 'ERROR'}${e.path ? ` at ${e.path}` : ''}: ${e.message}`, true);
  }
  renderDeals();
  recompute();
}

// ---------------------------------------------------------------------------------------------
// results

function recompute() {
  if (!state.plan) return;
  const rep = $('rep').value;
  const period = $('period').value;
  for (const tr of $('deals').tBodies[0].rows) tr.classList.remove('invalid');
  let ev;
  try {
    ev = state.plan.evaluate(inputsFor(rep, state.deals), period);
  } catch (e) {
    // a bad cell: the engine names it by its JSON pointer, /transactions/<row>/<field>
    const m = /^\/transactions\/(\d+)\/(\w+)/.exec(e.path ?? '');
    if (m) $('deals').tBodies[0].rows[Number(m[1])]?.classList.add('invalid');
    setStatus('deals-status', `${e.code ?? 'ERROR'}${e.path ? ` at ${e.path}` : ''}: ${e.message}`, true);
    document.body.dataset.state = 'error';
    return;
  }
  state.lastEvaluation = ev;
  const st = ev.statements.find((s) => s.payee === rep);
  const rejected = (ev.rejected ?? []).map((r) => `${r.transaction} rejected: ${r.code}: ${r.message}`);
  const excluded = (ev.excluded ?? []).map((x) => `${x.transaction} not counted: ${x.reasons[0]?.message ?? 'no rule credits it'}`);
  setStatus('deals-status', [...rejected, ...excluded].join(' · ') || `${state.deals.length} deal(s)`, rejected.length > 0);
  renderStatement(st, ev);
  renderCurve(st, rep, period);
  document.body.dataset.state = 'ready';
  document.body.dataset.evaluations = String(Number(document.body.dataset.evaluations ?? 0) + 1);
}

/** The measure the first tiered component is on (or the rep's first measure). */
function mainMeasure(st) {
  const components = state.planDoc.components.filter((c) => !c.roles || c.roles.includes(st.role));
  const id = (components.find((c) => c.type === 'tiered') ?? components[0])?.measure;
  return st.measures.find((m) => m.measure === id) ?? st.measures[0];
}

function renderStatement(st, ev) {
  $('payout').textContent = `${money(st.payout)} ${ev.currency}`;
  $('earnings').textContent = money(st.earnings);
  const m = mainMeasure(st);
  $('attainment').textContent = m ? ratioToPercent(m.period.attainment) : 'n/a';
  $('attainment-detail').textContent = m
    ? `${money(m.period.value)} of ${m.period.quota == null ? 'no quota' : money(roundDecimal(m.period.quota, 2))} ${m.measure}; year to date ${ratioToPercent(m.yearToDate.attainment)}`
    : '';

  // the band reached: the highest band any line of a tiered component reached
  let top = null;
  for (const c of st.components.filter((c) => c.type === 'tiered')) {
    for (const b of c.lines.flatMap((l) => l.bands)) if (!top || b.band > top.band) top = { ...b, component: c.component };
  }
  const tiers = top ? state.planDoc.components.find((c) => c.id === top.component)?.tiers?.[top.band] : null;
  // numbered from 0, as in the trace
  $('band').textContent = top ? top.rate : '–';
  $('band-detail').textContent = top ? `band ${top.band}${tiers ? `: from ${ratioToPercent(tiers.from)}${tiers.to ? ` to ${ratioToPercent(tiers.to)}` : ' up'}` : ''}` : 'no tiered pay yet';

  const names = Object.fromEntries(state.planDoc.components.map((c) => [c.id, c.name ?? c.id]));
  const rows = st.components.map((c) => {
    const bands = [...new Set(c.lines.flatMap((l) => l.bands.map((b) => b.band)))];
    const detail = [`${c.lines.length} line(s)`, bands.length && c.type === 'tiered' ? `bands ${bands.join(', ')}` : '', ...c.steps.map((s) => `${s.kind} ${money(s.amount)}`)].filter(Boolean).join(' · ');
    return el('tr', { 'data-component': c.component }, el('td', {}, names[c.component] ?? c.component), el('td', { class: 'num amount' }, money(c.amount)), el('td', { class: 'detail' }, detail));
  });
  for (const a of st.adjustments) {
    rows.push(el('tr', { 'data-adjustment': a.kind, class: 'adjustment' }, el('td', {}, a.kind), el('td', { class: 'num amount' }, money(a.amount)), el('td', { class: 'detail' }, a.trace)));
  }
  rows.push(el('tr', { class: 'total' }, el('td', {}, 'Payout'), el('td', { class: 'num amount' }, money(st.payout)), el('td', {}, '')));
  $('components').tBodies[0].replaceChildren(...rows);

  const trace = [];
  for (const c of st.credits) trace.push(['credit', c.trace]);
  for (const c of st.components) {
    for (const l of c.lines) trace.push([c.component, l.trace]);
    for (const s of c.steps) trace.push([c.component, s.trace]);
  }
  for (const a of st.adjustments) trace.push([a.kind, a.trace]);
  $('trace').replaceChildren(...trace.map(([what, text]) => el('li', {}, el('span', { class: 'tag' }, what), ' ', text)));
}

/**
 * The payout curve: the engine evaluates one deal of q x p% for p = 0, 5, ... 200 (q the rep's
 * quota this period) and returns the payout and the attainment of each. Coordinates are floats
 * only to place points on the screen; the labels show the engine's strings.
 */
function renderCurve(st, rep, period) {
  const box = $('curve');
  const m = mainMeasure(st);
  if (!m || m.period.quota == null || /^0(\.0+)?$/.test(m.period.quota)) {
    box.replaceChildren(el('p', { class: 'hint' }, 'No quota this period: no curve.'));
    return;
  }
  // the deal closes on the period's last day, when a rep who started during the period is in role
  const end = state.plan.periods.find((p) => p.id === period).end;
  const points = CURVE_PERCENTS.map((p) => {
    const deal = { id: 'curve', owner: rep, amount: percentOf(m.period.quota, p), closeDate: end };
    const s = state.plan.evaluate({ transactions: [deal] }, period).statements.find((x) => x.payee === rep);
    const mm = s.measures.find((x) => x.measure === m.measure);
    return { percent: p, attainment: mm.period.attainment ?? '0', payout: s.payout };
  });
  const W = 460, H = 260, L = 64, R = 14, T = 14, B = 36;
  const maxPayout = Math.max(...points.map((p) => Number(p.payout)), Number(st.payout), 1);
  const yMax = niceCeil(maxPayout);
  const x = (ratio) => L + (Math.min(Number(ratio), 2.1) / 2.1) * (W - L - R);
  const y = (amount) => T + (1 - Number(amount) / yMax) * (H - T - B);
  const NS = 'http://www.w3.org/2000/svg';
  const svg = (tag, attrs = {}, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `payout against attainment, 0% to 200% of quota ${m.period.quota}` });
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    root.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }), svg('text', { x: L - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, v.toLocaleString('en-US')));
  }
  for (const r of [0, 0.5, 1, 1.5, 2]) {
    root.append(svg('line', { x1: x(r), x2: x(r), y1: T, y2: H - B, class: r === 1 ? 'grid quota' : 'grid' }), svg('text', { x: x(r), y: H - B + 16, class: 'axis', 'text-anchor': 'middle' }, `${r * 100}%`));
  }
  root.append(svg('text', { x: (L + W - R) / 2, y: H - 4, class: 'axis title', 'text-anchor': 'middle' }, 'attainment'));
  root.append(svg('polyline', { points: points.map((p) => `${x(p.attainment).toFixed(1)},${y(p.payout).toFixed(1)}`).join(' '), class: 'curve' }));
  for (const p of points) {
    const c = svg('circle', { cx: x(p.attainment), cy: y(p.payout), r: 2.2, class: 'point', 'data-percent': p.percent, 'data-attainment': p.attainment, 'data-payout': p.payout });
    c.append(svg('title', {}, `${ratioToPercent(p.attainment)} of quota: payout ${money(p.payout)}`));
    root.append(c);
  }
  const you = svg('circle', { cx: x(m.period.attainment ?? '0'), cy: y(st.payout), r: 6, class: 'you', 'data-attainment': m.period.attainment ?? '', 'data-payout': st.payout });
  you.append(svg('title', {}, `you: ${ratioToPercent(m.period.attainment)}, payout ${money(st.payout)}`));
  root.append(you);
  box.replaceChildren(root);
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const k of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (k * p >= v) return k * p;
  return 10 * p;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  await Promise.all([init(), initOperations()]);
  $('plan').replaceChildren(...PLANS.map((p, i) => el('option', { value: String(i) }, p.label)));
  $('plan').addEventListener('change', async (e) => loadPlan(await (await fetch(PLANS[Number(e.target.value)].url)).text(), PLANS[Number(e.target.value)].label));
  $('plan-file').addEventListener('change', async (e) => {
    const f = e.target.files[0];
    if (f) await loadPlan(await f.text(), f.name);
    e.target.value = '';
  });
  $('rep').addEventListener('change', () => { renderDeals(); recompute(); });
  $('period').addEventListener('change', recompute);
  $('add-deal').addEventListener('click', () => addDeal());
  $('clear-deals').addEventListener('click', () => { state.deals = []; renderDeals(); recompute(); });
  $('csv-file').addEventListener('change', async (e) => {
    const f = e.target.files[0];
    if (f) await importCsv(f);
    e.target.value = '';
  });
  await loadPlan(await (await fetch(PLANS[0].url)).text(), PLANS[0].label);
  // a first example, so that the page shows something: D-1 below quota, D-2 across it
  addDeal({ id: 'D-1', closeDate: '2025-01-20', amount: '150000', product: 'Platform', type: 'new' });
  addDeal({ id: 'D-2', closeDate: '2025-02-20', amount: '100000', product: 'Platform', type: 'renewal' });
  document.querySelector('footer').append(` · payplan engine ${version()}`);
  window.calculator = { state, recompute }; // for the tests and the curious
}

main().catch((e) => {
  setStatus('plan-status', `the calculator could not start: ${e.message}`, true);
  document.body.dataset.state = 'failed';
});
