// <commission-preview>: a framework-free Web Component that shows what the deal being edited in a
// CRM form pays its owner, live, on every keystroke. Drop it next to a deal form:
//
//   <script type="module" src="/crm-deal-preview/commission-preview.mjs"></script>
//   <commission-preview for="deal-form" plan="/plans/account-executive.json"
//                       payee="ae-ana" period="Q1" deals="deals.json"></commission-preview>
//
// Attributes (each also a property):
//   plan    URL of the plan JSON      (or the `plan` property: a plan object or its JSON text)
//   payee   the rep whose pay is shown (a payee id of the plan)
//   period  the period (e.g. "Q1")
//   deals   URL of the rep's existing deals: a JSON array of transactions or {"transactions": [...]}
//           (or the `deals` property: an array)
//   for     id of the <form> to follow: its fields named id, owner, amount, closeDate, product,
//           type (others are ignored) make the deal previewed on every `input` and `change` event.
//           Without `for`, the host page sets the `deal` property (a transaction object).
//
// The component opens one preview session (payplan's PreviewSession) for the payee and period
// over the existing deals, previews the form's deal against it on every input, and frees the
// session when it leaves the page. Every amount shown is a decimal string from the engine: the
// component only lays out digits (thousands separators), it never computes money.
//
// It sets data-state on itself (loading | ready | empty | invalid | error | closed), counts previews in
// data-previews, and dispatches a `commission-preview` event whose detail is the engine's preview.
import { init, compilePlan, PayplanError } from '/payplan/preview.web.mjs';

let ready = null;
const initOnce = () => (ready ??= init());

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
/** "1234567.5" -> "1,234,567.5" (the digits as the engine wrote them). */
const group = (d) => {
  const m = DECIMAL.exec(d ?? '');
  return m ? m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] !== undefined ? `.${m[3]}` : '') : String(d);
};
/** A signed change: "+10,500.00", "-250.00", "0.00". */
const signed = (d) => (/^-/.test(d) ? `−${group(d.slice(1))}` : /[1-9]/.test(d) ? `+${group(d)}` : group(d));
/** A ratio ("1.25") as a percentage ("125%"), by moving the decimal point (no float). */
function percent(ratio) {
  if (ratio === null || ratio === undefined) return 'n/a';
  const m = DECIMAL.exec(ratio);
  if (!m) return String(ratio);
  const [, sign, int, frac = ''] = m;
  const whole = (int + frac.padEnd(2, '0').slice(0, 2)).replace(/^0+(?=\d)/, '');
  const rest = frac.slice(2, 4).replace(/0+$/, ''); // two decimals of a percent, truncated
  return `${sign}${whole}${rest ? `.${rest}` : ''}%`;
}

const STYLE = `
:host { display: block; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2733;
  border: 1px solid #d5dde6; border-radius: 10px; background: #fff; overflow: hidden; }
header { background: #0f5e9c; color: #fff; padding: 8px 14px; font-weight: 600; font-size: 13px; letter-spacing: .02em;
  display: flex; justify-content: space-between; gap: 8px; }
header .who { font-weight: 400; opacity: .85; }
.body { padding: 12px 14px 14px; }
.headline { font-size: 20px; font-weight: 650; margin: 2px 0 2px; }
.headline .amount { color: #0b7a3b; white-space: nowrap; }
.headline.negative .amount { color: #b3261e; }
.sub { color: #5a6878; margin: 0 0 10px; font-size: 13px; }
.message { border-radius: 8px; padding: 8px 10px; background: #fff6e0; border: 1px solid #f0d58a; color: #6b4e00; margin: 0 0 10px; }
.message.error { background: #fdecea; border-color: #f5b7b1; color: #8a1c14; }
.facts { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0 0 10px; }
.facts dt { color: #5a6878; } .facts dd { margin: 0; font-weight: 600; }
.band { display: inline-block; background: #e8f3ec; color: #0b6a34; border-radius: 999px; padding: 0 8px; font-weight: 600; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 0 0 10px; }
th, td { text-align: left; padding: 3px 4px; border-bottom: 1px solid #edf1f5; }
th { color: #5a6878; font-weight: 500; font-size: 12px; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.change { font-weight: 600; }
h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: #5a6878; margin: 10px 0 4px; }
ol.trace { margin: 0; padding-left: 18px; font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; color: #34414f; }
ol.trace li { margin: 2px 0; }
.foot { color: #8391a1; font-size: 11px; margin-top: 8px; }
.stale { opacity: .45; }
`;

export class CommissionPreview extends HTMLElement {
  static observedAttributes = ['plan', 'payee', 'period', 'deals', 'for'];

  #session = null; // the PreviewSession
  #planDoc = null; // the plan as JSON (component names, tiers)
  #planProp = null; // a plan set as a property
  #dealsProp = null; // deals set as a property
  #deal = null; // the deal set as a property (when not bound to a form)
  #form = null;
  #onInput = () => this.#previewForm();
  #loading = 0; // generation of the latest load: older loads are dropped
  #reloadQueued = false;
  #previews = 0;
  #root;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.innerHTML = `<style>${STYLE}</style><header><span>Commission preview</span><span class="who"></span></header><div class="body" aria-live="polite"><p class="sub">Loading the plan…</p></div>`;
  }

  // --- properties mirroring the attributes, and the object-valued ones -------------------------
  get payee() { return this.getAttribute('payee') ?? ''; }
  set payee(v) { this.setAttribute('payee', v); }
  get period() { return this.getAttribute('period') ?? ''; }
  set period(v) { this.setAttribute('period', v); }
  get htmlFor() { return this.getAttribute('for') ?? ''; }
  set htmlFor(v) { this.setAttribute('for', v); }
  /** The plan: a URL (attribute), or a plan object or JSON text set here. */
  get plan() { return this.#planProp ?? this.getAttribute('plan'); }
  set plan(v) {
    if (typeof v === 'string' && !v.trimStart().startsWith('{')) this.setAttribute('plan', v);
    else { this.#planProp = v; this.#queueReload(); }
  }
  /** The rep's existing deals: a URL (attribute) or an array of transactions set here. */
  get deals() { return this.#dealsProp ?? this.getAttribute('deals'); }
  set deals(v) {
    if (typeof v === 'string') this.setAttribute('deals', v);
    else { this.#dealsProp = v; this.#queueReload(); }
  }
  /** The deal being edited, when the host page drives the component itself. */
  get deal() { return this.#deal; }
  set deal(v) { this.#deal = v; this.#preview(v); }
  /** The last preview from the engine (or null). */
  preview = null;

  connectedCallback() { this.#queueReload(); }

  disconnectedCallback() {
    this.#loading++; // a load under way is dropped
    this.#unbindForm();
    this.#session?.free();
    this.#session = null;
    this.dataset.state = 'closed';
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue !== newValue && this.isConnected) this.#queueReload();
  }

  #queueReload() {
    if (this.#reloadQueued || !this.isConnected) return;
    this.#reloadQueued = true;
    queueMicrotask(() => { this.#reloadQueued = false; this.#load(); });
  }

  /** Fetches the plan and the deals, opens the session, binds the form and shows a first preview. */
  async #load() {
    const generation = ++this.#loading;
    this.dataset.state = 'loading';
    try {
      await initOnce();
      const planSource = this.#planProp ?? this.getAttribute('plan');
      if (!planSource) throw new Error('no plan: set the plan attribute (a URL) or the plan property');
      const planDoc = typeof planSource === 'string' && !planSource.trimStart().startsWith('{')
        ? await fetchJson(planSource, 'the plan')
        : typeof planSource === 'string' ? JSON.parse(planSource) : planSource;
      const dealsSource = this.#dealsProp ?? this.getAttribute('deals');
      const dealsDoc = !dealsSource ? [] : typeof dealsSource === 'string' ? await fetchJson(dealsSource, 'the deals') : dealsSource;
      const transactions = Array.isArray(dealsDoc) ? dealsDoc : dealsDoc.transactions ?? [];
      if (generation !== this.#loading) return;
      const compiled = compilePlan(planDoc);
      let session;
      try {
        session = compiled.openSession({ transactions }, this.payee, this.period);
      } finally {
        compiled.free(); // the session keeps its own copy of the plan
      }
      this.#session?.free();
      this.#session = session;
      this.#planDoc = planDoc;
      this.#deals = transactions;
      const payee = planDoc.payees?.find((p) => p.id === this.payee);
      this.#root.querySelector('.who').textContent = `${payee?.name ?? this.payee} · ${this.period}`;
      this.#bindForm();
      if (this.#form) this.#previewForm();
      else if (this.#deal) this.#preview(this.#deal);
      else this.#showIdle();
    } catch (e) {
      if (generation !== this.#loading) return;
      this.#session?.free();
      this.#session = null;
      this.#showError(`The preview could not start: ${describe(e)}`);
    }
  }

  #deals = [];

  #bindForm() {
    this.#unbindForm();
    const id = this.getAttribute('for');
    if (!id) return;
    const form = this.getRootNode().getElementById?.(id) ?? document.getElementById(id);
    if (!form) throw new Error(`no element #${id} to follow (the for attribute)`);
    this.#form = form;
    form.addEventListener('input', this.#onInput);
    form.addEventListener('change', this.#onInput);
  }

  #unbindForm() {
    this.#form?.removeEventListener('input', this.#onInput);
    this.#form?.removeEventListener('change', this.#onInput);
    this.#form = null;
  }

  /** The form's deal as a transaction: the strings as typed (the engine parses the amount). */
  #dealFromForm() {
    const f = this.#form;
    const value = (name) => {
      const field = f.elements?.namedItem?.(name) ?? f.querySelector(`[name="${name}"]`);
      return field && 'value' in field ? String(field.value).trim() : '';
    };
    const deal = { id: value('id') || 'deal-being-edited', owner: value('owner') || this.payee, amount: value('amount') };
    for (const name of ['closeDate', 'product', 'type']) {
      const v = value(name);
      if (v) deal[name] = v;
    }
    return deal;
  }

  #previewForm() {
    if (this.#form) this.#preview(this.#dealFromForm());
  }

  #preview(deal) {
    if (!this.#session || !deal) return;
    if (deal.amount === undefined || deal.amount === null || String(deal.amount).trim() === '') {
      this.#showMessage('Type the deal amount to see what it pays you.', 'empty');
      return;
    }
    let p;
    try {
      p = this.#session.preview(deal);
    } catch (e) {
      if (e instanceof PayplanError && e.path === '/amount') {
        this.#showMessage(`“${deal.amount}” is not an amount: type digits with an optional decimal point, without thousands separators or a currency (e.g. 125000 or 99.50).`, 'invalid');
      } else if (e instanceof PayplanError && (e.path === '/closeDate' || e.path === '/date')) {
        this.#showMessage(`The close date “${deal.closeDate ?? ''}” is not a date (YYYY-MM-DD).`, 'invalid');
      } else {
        this.#showMessage(`This deal cannot be previewed: ${describe(e)}`, 'invalid');
      }
      return;
    }
    this.preview = p;
    this.#render(p);
    this.#previews++;
    this.dataset.previews = String(this.#previews);
    this.dataset.state = 'ready';
    this.dispatchEvent(new CustomEvent('commission-preview', { detail: p, bubbles: true, composed: true }));
  }

  // --- rendering ------------------------------------------------------------------------------

  #body() { return this.#root.querySelector('.body'); }

  #showIdle() {
    this.#body().replaceChildren(el('p', { class: 'sub' }, 'Fill in the deal to see what it pays you.'));
    this.dataset.state = 'ready';
  }

  #showError(text) {
    this.#body().replaceChildren(el('p', { class: 'message error', role: 'alert' }, text));
    this.dataset.state = 'error';
  }

  /** A message above the last preview (greyed: it is the previous deal's). */
  #showMessage(text, state) {
    const body = this.#body();
    body.querySelector('.message')?.remove();
    for (const child of body.children) child.classList.add('stale');
    body.prepend(el('p', { class: 'message', role: 'status' }, text));
    this.dataset.state = state;
  }

  #render(p) {
    const currency = this.#planDoc.currency ?? '';
    const names = Object.fromEntries((this.#planDoc.components ?? []).map((c) => [c.id, c.name ?? c.id]));
    const parts = [];
    if (!p.credited) {
      const why = p.notes.map((n) => n.message).join(' ') || 'no crediting rule gives it to you.';
      parts.push(el('p', { class: 'headline', part: 'headline' }, 'This deal does not count for you'), el('p', { class: 'sub notes' }, why));
    } else {
      const negative = p.payout.change.startsWith('-');
      parts.push(
        el('p', { class: `headline${negative ? ' negative' : ''}`, part: 'headline' },
          negative ? 'This deal changes your pay by ' : 'This deal pays you ',
          el('span', { class: 'amount', 'data-value': p.payout.change }, `${group(p.payout.change)} ${currency}`)),
        el('p', { class: 'sub' }, `Payout this period: `, el('span', { class: 'payout', 'data-before': p.payout.before, 'data-after': p.payout.after }, `${group(p.payout.before)} → ${group(p.payout.after)}`)),
      );
      if (p.notes.length) parts.push(el('p', { class: 'sub notes' }, p.notes.map((n) => n.message).join(' ')));
    }

    // attainment on the measures with a quota, and the bands crossed
    const facts = el('dl', { class: 'facts' });
    for (const m of p.measures.filter((m) => m.after.quota != null)) {
      facts.append(el('dt', {}, `Attainment (${m.measure})`),
        el('dd', { class: 'attainment', 'data-measure': m.measure, 'data-before': m.before.attainment ?? '', 'data-after': m.after.attainment ?? '' },
          `${percent(m.before.attainment)} → ${percent(m.after.attainment)}`));
    }
    const crossed = p.bandsCrossed.filter((b) => b.to !== null && b.to !== undefined && b.to !== b.from);
    facts.append(el('dt', {}, 'Rate'), el('dd', { class: 'bands' }, ...(crossed.length
      ? crossed.flatMap((b, i) => [i ? ' · ' : '', (b.to ?? 0) > (b.from ?? -1) ? 'crosses into ' : 'drops back to ',
        el('span', { class: 'band', 'data-component': b.component, 'data-to': String(b.to) }, b.rate ?? `band ${b.to}`),
        crossed.length > 1 || (this.#planDoc.components ?? []).filter((c) => c.type === 'tiered').length > 1 ? ` (${names[b.component] ?? b.component})` : ''])
      : [p.lines.some((l) => l.bands.length) ? `stays at ${[...new Set(p.lines.flatMap((l) => l.bands.map((b) => b.rate)))].join(', ')}` : 'no band change'])));
    parts.push(facts);

    // per component
    const rows = p.components.map((c) =>
      el('tr', { 'data-component': c.component },
        el('td', {}, names[c.component] ?? c.component),
        el('td', { class: 'num before' }, group(c.before)),
        el('td', { class: 'num after' }, group(c.after)),
        el('td', { class: 'num change' }, signed(c.change))));
    parts.push(el('table', { class: 'components' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Component'), el('th', { class: 'num' }, 'Before'), el('th', { class: 'num' }, 'After'), el('th', { class: 'num' }, 'Change'))),
      el('tbody', {}, ...rows)));

    // how: the deal's pay lines, with the engine's trace
    if (p.lines.length) {
      parts.push(el('h3', {}, 'How'), el('ol', { class: 'trace' }, ...p.lines.map((l) => el('li', { 'data-component': l.component }, l.trace))));
    }
    parts.push(el('p', { class: 'foot' }, `Computed by the payplan engine in your browser (${p.mode} preview over ${this.#deals.length} existing deal(s)). Estimate only: your statement is what pays.`));
    this.#body().replaceChildren(...parts);
  }
}

async function fetchJson(url, what) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${what} (${url}): HTTP ${r.status}`);
  return r.json();
}

function describe(e) {
  if (e instanceof PayplanError) return `${e.code}${e.path ? ` at ${e.path}` : ''}: ${e.message}`;
  return e?.message ?? String(e);
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children.filter((c) => c !== '' && c !== null && c !== undefined));
  return e;
}

if (!customElements.get('commission-preview')) customElements.define('commission-preview', CommissionPreview);
