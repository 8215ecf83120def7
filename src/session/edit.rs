//! The keystroke path of a session: one deal being edited, previewed with a new amount (and
//! optionally a new close date or product) on every call, with a small result.
//!
//! [`Session::edit`] sets the deal; [`Session::preview_amount`] previews it with an amount. The
//! first call after `edit` (or after a date or product change, or an edit of the session)
//! credits the deal once and keeps what does not depend on its amount: its credit lines, the
//! measure values and component state without the version of the deal the session holds, and
//! where the deal enters each tier table's running basis. Each later call then scales the deal's
//! lines to the new amount and rates them: no allocation, no trace. A back-dated deal moves the
//! later lines of a marginal table by its credit: their pay comes from the table's per-band sums
//! (see `shift.rs`), planned once per `edit`. Whatever that path does not cover (replay sessions,
//! a deal credited before other lines of a table without those sums or after a negative credit, a
//! foreign-currency deal, a credit memo...) goes through [`Session::preview`], so the figures are
//! always those of a full evaluation.

use super::{shift, Calc, KLine, Kernel, Mode, Order, Session};
use crate::engine::components::ResolvedTable;
use crate::engine::{pad, unit_value};
use crate::error::Error;
use crate::inputs::Transaction;
use crate::jsonwrite::push_decimal;
use crate::money::Checked;
use crate::session::{Change, Preview};
use crate::tiers::{band_at, PayRate};
use crate::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::fmt::Write;

/// What the deal being edited does to the payee's pay, compactly (see [`Session::preview_amount`]).
/// Component and measure indices refer to [`Session::components`] and the plan's measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditPreview {
    /// How it was computed ([`Mode::Replay`] also when the keystroke path does not cover the case
    /// and the full [`Session::preview`] was used).
    pub mode: Mode,
    /// Whether the deal credits the payee in the period.
    pub credited: bool,
    /// Whether the keystroke path computed it (`false`: the full [`Session::preview`] did).
    pub keystroke: bool,
    /// The payout before and after.
    pub payout: Change,
    /// The earnings before and after.
    pub earnings: Change,
    /// The change of each component's pay, in the order of [`Session::components`].
    pub components: Vec<Decimal>,
    /// The attainment after the change of each measure with a quota: (plan measure index, ratio).
    pub attainment: Vec<(usize, Decimal)>,
    /// Tier tables whose reached band changes: (index in [`Session::components`], from, to).
    pub bands_crossed: Vec<(usize, Option<usize>, Option<usize>)>,
}

impl Default for EditPreview {
    fn default() -> Self {
        let zero = Change { before: Decimal::ZERO, after: Decimal::ZERO, change: Decimal::ZERO };
        Self {
            mode: Mode::Replay,
            credited: false,
            keystroke: false,
            payout: zero.clone(),
            earnings: zero,
            components: Vec::new(),
            attainment: Vec::new(),
            bands_crossed: Vec::new(),
        }
    }
}

/// The deal being edited and what the keystroke path keeps for it.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    txn: Transaction,
    prepared: Option<Prepared>,
}

impl Draft {
    pub(super) fn new(txn: Transaction) -> Self {
        Self { txn, prepared: None }
    }

    /// Forget what depends on the session's state (after an edit of the session).
    pub(super) fn invalidate(&mut self) {
        self.prepared = None;
    }
}

/// What does not depend on the deal's amount. `fast == false`: use the full preview.
#[derive(Debug, Clone, Default)]
struct Prepared {
    fast: bool,
    /// the deal's lines in processing order, credited with `amount`
    lines: Vec<KLine>,
    /// measure values and counted lines without the version of the deal the session holds
    values: Vec<Decimal>,
    /// per kernel component
    comps: Vec<PrepComp>,
}

#[derive(Debug, Clone, Default)]
struct PrepComp {
    /// pay of the other lines (independent tables, SPIFFs)
    base: Decimal,
    /// sequential tables: where the deal's lines enter and what they move
    plan: Option<shift::Plan>,
    /// retroactive tables: per band, the other lines' pay at that band, and the band's rate
    sums: Vec<Decimal>,
    fixed: Vec<(Option<usize>, Option<PayRate>)>,
    /// SPIFFs: the one-band table, and whether each of the deal's lines qualifies
    spiff: Option<ResolvedTable>,
    eligible: Vec<bool>,
}

/// [`pad`] without normalizing when `v` has no more decimals than `scale` (the same value and
/// scale, and a zero without sign, as `pad` gives).
fn pad_fast(v: Decimal, scale: u32) -> Decimal {
    if v.scale() > scale {
        return pad(v, scale);
    }
    let mut n = v;
    if n.is_zero() {
        n.set_sign_positive(true);
    }
    n.rescale(scale);
    n
}

/// Reused buffers of the keystroke path.
#[derive(Debug, Clone, Default)]
pub(super) struct Scratch {
    lines: Vec<KLine>,
    values: Vec<Decimal>,
    amounts: Vec<Decimal>,
    out: EditPreview,
    text: String,
}

fn no_draft() -> Error {
    Error::InvalidInput {
        code: "NO_EDIT".into(),
        path: "/id".into(),
        message: "no deal is being edited: call `edit` with the deal first".into(),
    }
}

impl Session {
    /// Sets the deal being edited (a new one, or one the session holds: the preview replaces it).
    /// Nothing changes in the session. Then [`Session::preview_amount`] previews it with a new
    /// amount on every keystroke.
    ///
    /// Errors: what [`Session::preview`] gives for the deal (a rejected transaction...).
    pub fn edit(&mut self, txn: Transaction) -> Result<()> {
        // reject what the plan rejects now, not on the first keystroke
        let _ = self.credit_previewed(&txn)?;
        self.draft = Some(Draft::new(txn));
        Ok(())
    }

    /// The deal being edited, with the amount of the last [`Session::preview_amount`].
    pub fn edited(&self) -> Option<&Transaction> {
        self.draft.as_ref().map(|d| &d.txn)
    }

    /// The full [`Session::preview`] of the deal being edited, as the last
    /// [`Session::preview_amount`] left it: its pay lines with their trace, the measure figures
    /// and the band rates (the on-demand half of the keystroke path).
    ///
    /// Errors: `NO_EDIT` before [`Session::edit`]; what [`Session::preview`] gives.
    pub fn preview_edited(&self) -> Result<Preview> {
        let d = self.draft.as_ref().ok_or_else(no_draft)?;
        self.preview(&d.txn)
    }

    /// What the deal being edited does with `amount` (and, when given, a new close date or
    /// product): payout, earnings and per-component change, attainment and bands crossed. Nothing
    /// changes in the session; the deal keeps the new fields for the next call. Exact: the same
    /// figures as [`Session::preview`] of the deal with these fields.
    ///
    /// The pay lines and their trace are on demand: [`Session::preview`] of [`Session::edited`].
    ///
    /// Errors: `NO_EDIT` before [`Session::edit`]; what [`Session::preview`] gives.
    pub fn preview_amount(
        &mut self,
        amount: Decimal,
        close_date: Option<NaiveDate>,
        product: Option<&str>,
    ) -> Result<&EditPreview> {
        let mut draft = self.draft.take().ok_or_else(no_draft)?;
        if close_date.is_some() && close_date != draft.txn.close_date {
            draft.txn.close_date = close_date;
            draft.prepared = None;
        }
        if let Some(p) = product {
            if draft.txn.product.as_deref() != Some(p) {
                draft.txn.product = Some(p.to_string());
                draft.prepared = None;
            }
        }
        draft.txn.amount = amount;
        let mut scratch = std::mem::take(&mut self.scratch);
        let r = self.run_draft(&mut draft, &mut scratch);
        self.draft = Some(draft);
        self.scratch = scratch;
        r?;
        Ok(&self.scratch.out)
    }

    /// [`Session::preview_amount`] as compact text (what the WebAssembly binding returns), fields
    /// separated by `|`:
    ///
    /// `mode|credited|payout after|payout change|earnings change|components|attainment|bands`
    ///
    /// mode `i` (incremental) or `r` (replay); credited `1` or `0`; components
    /// `id=change,...` in the order of [`Session::components`]; attainment `measure=ratio,...`;
    /// bands crossed `component=from>to,...` (`-` below the first band). For example
    /// `i|1|22500.00|10500.00|10500.00|commission=10000.00,platform-spiff=500.00|bookings=1.25|commission=0>1`.
    /// In ids, the characters `%`, `,`, `=`, `>` and `|` are written `%25`, `%2C`, `%3D`, `%3E`
    /// and `%7C` (what `decodeURIComponent` reads back), so that any id reads back.
    pub fn preview_amount_text(
        &mut self,
        amount: Decimal,
        close_date: Option<NaiveDate>,
        product: Option<&str>,
    ) -> Result<&str> {
        self.preview_amount(amount, close_date, product)?;
        let mut text = std::mem::take(&mut self.scratch.text);
        text.clear();
        self.write_text(&self.scratch.out, &mut text);
        self.scratch.text = text;
        Ok(&self.scratch.text)
    }

    /// [`Session::preview_amount_text`] with text fields, as they come from a form: `amount` a
    /// decimal string (`"1840.50"`), `close_date` `YYYY-MM-DD` and `product` an id (each left
    /// unchanged when empty).
    ///
    /// Errors: `INVALID_AMOUNT` at `/amount` or `INVALID_DATE` at `/closeDate` for a field that
    /// does not read; what [`Session::preview_amount`] gives.
    pub fn preview_amount_fields(&mut self, amount: &str, close_date: &str, product: &str) -> Result<&str> {
        let amount = match Decimal::from_str_exact(amount) {
            Ok(a) if !amount.contains(['e', 'E']) => a,
            _ => {
                return Err(Error::InvalidInput {
                    code: "INVALID_AMOUNT".into(),
                    path: "/amount".into(),
                    message: format!("{amount:?} is not a decimal amount (write it as \"1840.50\")"),
                })
            }
        };
        let date = if close_date.is_empty() {
            None
        } else {
            Some(crate::json::parse_date(close_date).map_err(|m| Error::InvalidInput {
                code: "INVALID_DATE".into(),
                path: "/closeDate".into(),
                message: format!("{close_date:?}: {m}"),
            })?)
        };
        self.preview_amount_text(amount, date, (!product.is_empty()).then_some(product))
    }

    #[inline(never)]
    fn write_text(&self, p: &EditPreview, t: &mut String) {
        t.push(if p.mode == Mode::Incremental { 'i' } else { 'r' });
        t.push('|');
        t.push(if p.credited { '1' } else { '0' });
        for d in [p.payout.after, p.payout.change, p.earnings.change] {
            t.push('|');
            push_decimal(t, d);
        }
        t.push('|');
        for (i, c) in p.components.iter().enumerate() {
            if i > 0 {
                t.push(',');
            }
            push_id(t, self.current.components.get(i).map(|x| x.0.as_str()).unwrap_or(""));
            t.push('=');
            push_decimal(t, *c);
        }
        t.push('|');
        let measures = &self.plan.plan().measures;
        for (i, (m, a)) in p.attainment.iter().enumerate() {
            if i > 0 {
                t.push(',');
            }
            push_id(t, measures.get(*m).map(|x| x.id.as_str()).unwrap_or(""));
            t.push('=');
            push_decimal(t, *a);
        }
        t.push('|');
        for (i, (c, from, to)) in p.bands_crossed.iter().enumerate() {
            let id = self.current.components.get(*c).map(|x| x.0.as_str()).unwrap_or("");
            t.push_str(if i > 0 { "," } else { "" });
            push_id(t, id);
            t.push('=');
            match from {
                Some(b) => {
                    let _ = write!(t, "{b}");
                }
                None => t.push('-'),
            }
            t.push('>');
            match to {
                Some(b) => {
                    let _ = write!(t, "{b}");
                }
                None => t.push('-'),
            }
        }
    }

    fn run_draft(&self, draft: &mut Draft, s: &mut Scratch) -> Result<()> {
        if draft.prepared.is_none() {
            // (prepared with a positive amount, so that a first keystroke of 0 does not turn the
            // keystroke path off for the next ones)
            let prepared = if draft.txn.amount > Decimal::ZERO {
                self.prepare(&draft.txn)?
            } else {
                self.prepare(&Transaction { amount: Decimal::ONE, ..draft.txn.clone() })?
            };
            draft.prepared = Some(prepared);
        }
        let amount = draft.txn.amount;
        if let (Some(prep), Some(kernel)) = (&draft.prepared, &self.kernel) {
            // (`false`: an amount beyond the path's magnitudes)
            if prep.fast && amount > Decimal::ZERO && self.quick(kernel, prep, amount, s)? {
                return Ok(());
            }
        }
        let p = self.preview(&draft.txn)?;
        self.compact_of(&p, &mut s.out);
        Ok(())
    }

    /// The keystroke path's state for `t`, or `fast: false` when the path does not cover it.
    fn prepare(&self, t: &Transaction) -> Result<Prepared> {
        let slow = Prepared::default();
        let Some(kernel) = &self.kernel else { return Ok(slow) };
        let plan = self.plan.plan();
        // amounts that scale: a positive amount in the plan's currency, no refund
        if t.amount <= Decimal::ZERO
            || t.currency.as_deref().is_some_and(|c| c != plan.currency)
            || t.refund_amount.is_some()
            || t.cancellation_date.is_some()
        {
            return Ok(slow);
        }
        let mut lines = match self.credit_previewed(t)? {
            Ok((lines, false)) if !lines.is_empty() => lines,
            _ => return Ok(slow),
        };
        for l in &lines {
            if l.reversal || l.deals.is_zero() || t.amount.mul_c(l.deals, "a credit share")? != l.amount {
                return Ok(slow);
            }
        }
        let previewed = Some(t);
        if lines.len() > 1 {
            let mut order: Vec<usize> = (0..lines.len()).collect();
            crate::small::sort_indices(&mut order, &|a, b| match (lines.get(a), lines.get(b)) {
                (Some(x), Some(y)) => self.cmp_lines(x, y, previewed),
                _ => Ordering::Equal,
            });
            lines = order.iter().filter_map(|&i| lines.get(i).cloned()).collect();
        }
        // the lines of the version the session holds
        let mut removed: Vec<usize> = Vec::new();
        if let Some(i) = self.find(&t.id) {
            let Some(old) = self.txns.get(i) else { return Ok(slow) };
            let old = &old;
            let Some(d) = crate::credit::credit_date(old, plan.crediting.credit_date) else { return Ok(slow) };
            if !self.plan.periods().get(self.period).is_some_and(|p| p.contains(d)) {
                return Ok(slow);
            }
            let start = kernel.lines.partition_point(|l| (l.date, self.txn_id(l, None)) < (d, old.id.as_str()));
            for (j, l) in kernel.lines.iter_from(start) {
                let l = &l;
                if l.date != d || self.txn_id(l, None) != old.id {
                    break;
                }
                if l.txn as usize == i {
                    removed.push(j);
                }
            }
        }
        // where the deal's lines enter
        let n = kernel.lines.len();
        let at: Vec<usize> = lines
            .iter()
            .map(|a| kernel.lines.partition_point(|l| self.cmp_lines(l, a, previewed) == Ordering::Less))
            .collect();
        let first = at.iter().copied().fold(removed.first().copied().unwrap_or(n), usize::min);
        let removed_lines: Vec<KLine> = removed.iter().filter_map(|&j| kernel.lines.get(j)).collect();
        let removed_lines: Vec<&KLine> = removed_lines.iter().collect();
        let mut values: Vec<Decimal> = kernel.measures.iter().map(|m| m.value).collect();
        for (m, km) in kernel.measures.iter().enumerate() {
            let Some(v) = values.get_mut(m) else { continue };
            for l in removed_lines.iter().filter(|l| l.counted(m)) {
                *v = v.sub_c(unit_value(&l.credit(), km.kind), "a measure value")?;
            }
        }
        let mut comps = Vec::with_capacity(kernel.comps.len());
        for kc in &kernel.comps {
            let mut pc = PrepComp { base: kc.base, ..Default::default() };
            match &kc.calc {
                Calc::Table { m, table, order, band_sums, .. } => match order {
                    Order::Independent => {
                        for l in removed_lines.iter().filter(|l| l.counted(*m)) {
                            let a = self.settle(kc, table, l, Decimal::ZERO, None, None)?;
                            pc.base = pc.base.sub_c(a, "a component")?;
                        }
                    }
                    Order::Retroactive => {
                        pc.sums = band_sums.clone();
                        for b in 0..table.rates.len() {
                            pc.fixed.push((Some(b), table.rates.get(b).cloned().flatten()));
                        }
                        for l in removed_lines.iter().filter(|l| l.counted(*m)) {
                            for (slot, fixed) in pc.sums.iter_mut().zip(&pc.fixed) {
                                let a = self.settle(kc, table, l, Decimal::ZERO, Some(fixed), None)?;
                                *slot = slot.sub_c(a, "a band sum")?;
                            }
                        }
                    }
                    Order::Sequential => {
                        // (not a retroactive table with a threshold or basis cap: it re-rates every
                        // line)
                        match self.shift_plan(kernel, kc, first, &removed, &lines, &at, true)? {
                            Some(plan) => pc.plan = Some(plan),
                            None => return Ok(slow),
                        }
                    }
                },
                Calc::Spiff { m, filter, from, to, rate } => {
                    let kind = kernel.measures.get(*m).map(|x| x.kind).unwrap_or_default();
                    for l in removed_lines.iter().filter(|l| l.counted(*m)) {
                        if let Some((a, _)) = self.spiff_pay(l, None, kind, filter, *from, *to, rate)? {
                            pc.base = pc.base.sub_c(a, "a component")?;
                        }
                    }
                    if let Some(rate) = rate {
                        pc.spiff = Some(ResolvedTable::flat(kind, rate.clone()));
                    }
                    for l in &lines {
                        let rule_id = plan.crediting.rules.get(l.rule as usize).map(|x| x.id());
                        pc.eligible.push(
                            l.counted(*m)
                                && l.date >= *from
                                && l.date <= *to
                                && crate::credit::filter_matches(filter, t, rule_id),
                        );
                    }
                }
                Calc::Milestone { .. } | Calc::Fixed => {}
            }
            comps.push(pc);
        }
        Ok(Prepared { fast: true, lines, values, comps })
    }

    /// The keystroke path: the deal's lines scaled to `amount` and rated against the prepared
    /// state (`false`: an amount beyond the path's magnitudes, use the full preview).
    #[inline(never)]
    fn quick(&self, kernel: &Kernel, prep: &Prepared, amount: Decimal, s: &mut Scratch) -> Result<bool> {
        s.lines.clear();
        for l in &prep.lines {
            let mut x = l.clone();
            x.amount = if l.deals == Decimal::ONE { amount } else { amount.mul_c(l.deals, "a credit share")? };
            s.lines.push(x);
        }
        s.values.clear();
        s.values.extend_from_slice(&prep.values);
        for (m, km) in kernel.measures.iter().enumerate() {
            let Some(v) = s.values.get_mut(m) else { continue };
            for l in s.lines.iter().filter(|l| l.counted(m)) {
                *v = v.add_c(unit_value(&l.credit(), km.kind), "a measure value")?;
            }
        }
        s.amounts.clear();
        for (kc, pc) in kernel.comps.iter().zip(&prep.comps) {
            let base = match &kc.calc {
                Calc::Table { m, table, order, .. } => {
                    let counted = s.lines.iter().filter(|l| l.counted(*m));
                    match order {
                        Order::Independent => {
                            let mut base = pc.base;
                            for l in counted {
                                base =
                                    base.add_c(self.settle(kc, table, l, Decimal::ZERO, None, None)?, "a component")?;
                            }
                            base
                        }
                        Order::Retroactive => {
                            let total = s.values.get(*m).copied().unwrap_or_default();
                            let x = table.ceil.map_or(total, |c| total.min(c));
                            match band_at(&table.spans, x, table.bounds) {
                                Some(b) => {
                                    let mut base = pc.sums.get(b).copied().unwrap_or_default();
                                    if let Some(fixed) = pc.fixed.get(b) {
                                        for l in counted {
                                            let a = self.settle(kc, table, l, Decimal::ZERO, Some(fixed), None)?;
                                            base = base.add_c(a, "a component")?;
                                        }
                                    }
                                    base
                                }
                                None => Decimal::ZERO,
                            }
                        }
                        Order::Sequential => {
                            let Some(plan) = &pc.plan else { return Ok(false) };
                            match self.shifted_pay(kernel, kc, plan, &s.lines, None)? {
                                Some(base) => base,
                                None => return Ok(false),
                            }
                        }
                    }
                }
                Calc::Spiff { .. } => {
                    let mut base = pc.base;
                    if let Some(one) = &pc.spiff {
                        for (l, ok) in s.lines.iter().zip(&pc.eligible) {
                            if *ok {
                                let a = self.line_round(one.line_pay(&l.credit(), Decimal::ZERO, None, None)?);
                                base = base.add_c(a, "a component")?;
                            }
                        }
                    }
                    base
                }
                Calc::Milestone { m, basis, ytd, levels } => {
                    let mut base = Decimal::ZERO;
                    if let Some(x) = self.indicator_from(kernel, &s.values, *m, *basis, *ytd)? {
                        for (at, a) in levels {
                            if x >= *at {
                                base = base.add_c(*a, "a milestone")?;
                            }
                        }
                    }
                    base
                }
                Calc::Fixed => kc.base,
            };
            s.amounts.push(self.finish(kernel, &s.values, kc, base)?);
        }
        let scale = self.scale();
        let plan = self.plan.plan();
        let earnings = crate::money::sum_c(s.amounts.iter().copied(), "earnings")?;
        let payout = pad_fast(plan.rounding.round(earnings.add_c(kernel.adjustments, "the payout")?, scale), scale);
        let earnings = pad_fast(earnings, scale);
        let change = |b: Decimal, a: Decimal| -> Result<Change> {
            Ok(Change { before: b, after: a, change: pad_fast(a.sub_c(b, "a change")?, scale) })
        };
        let out = &mut s.out;
        out.mode = Mode::Incremental;
        out.credited = true;
        out.keystroke = true;
        out.payout = change(self.current.payout, payout)?;
        out.earnings = change(self.current.earnings, earnings)?;
        out.components.clear();
        for (i, a) in s.amounts.iter().enumerate() {
            let before = self.current.components.get(i).map(|x| x.1).unwrap_or_default();
            out.components.push(pad_fast(pad_fast(*a, scale).sub_c(before, "a change")?, scale));
        }
        out.attainment.clear();
        for (m, km) in kernel.measures.iter().enumerate() {
            if let Some(q) = km.quota.filter(|q| !q.is_zero()) {
                let v = s.values.get(m).copied().unwrap_or_default();
                out.attainment.push((m, v.div_c(q, "an attainment")?.round_dp(6).normalize()));
            }
        }
        out.bands_crossed.clear();
        let mut j = 0;
        for (i, kc) in kernel.comps.iter().enumerate() {
            if let Calc::Table { m, table, .. } = &kc.calc {
                if table.spans.len() > 1 {
                    let v = s.values.get(*m).copied().unwrap_or_default();
                    let to = band_at(&table.spans, table.ceil.map_or(v, |c| v.min(c)), table.bounds);
                    let from = self.current.bands.get(j).and_then(|x| x.1);
                    if from != to {
                        out.bands_crossed.push((i, from, to));
                    }
                    j += 1;
                }
            }
        }
        Ok(true)
    }

    /// The compact form of a full preview.
    fn compact_of(&self, p: &Preview, out: &mut EditPreview) {
        out.mode = p.mode;
        out.credited = p.credited;
        out.keystroke = false;
        out.payout = p.payout.clone();
        out.earnings = p.earnings.clone();
        out.components.clear();
        for (id, _) in &self.current.components {
            let c = p.components.iter().find(|c| &c.component == id).map(|c| c.amount.change).unwrap_or_default();
            out.components.push(c);
        }
        out.attainment.clear();
        let measures = &self.plan.plan().measures;
        for mc in &p.measures {
            if let (Some(m), Some(a)) = (measures.iter().position(|x| x.id == mc.measure), mc.after.attainment) {
                out.attainment.push((m, a));
            }
        }
        out.bands_crossed.clear();
        for b in &p.bands_crossed {
            if let Some(i) = self.current.components.iter().position(|(id, _)| *id == b.component) {
                out.bands_crossed.push((i, b.from, b.to));
            }
        }
    }
}

/// Writes an id into the compact text of [`Session::preview_amount_text`], with the characters
/// that separate its fields percent-encoded (`%` too, so that decoding is exact).
fn push_id(t: &mut String, id: &str) {
    const SPECIAL: [char; 5] = ['%', ',', '=', '>', '|'];
    if !id.contains(SPECIAL) {
        t.push_str(id);
        return;
    }
    for ch in id.chars() {
        match ch {
            '%' => t.push_str("%25"),
            ',' => t.push_str("%2C"),
            '=' => t.push_str("%3D"),
            '>' => t.push_str("%3E"),
            '|' => t.push_str("%7C"),
            _ => t.push(ch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_the_compact_text_escape_its_separators() {
        for (id, text) in [
            ("commission", "commission"),
            ("a,b|c=d>e%f", "a%2Cb%7Cc%3Dd%3Ee%25f"),
            ("%2C", "%252C"),
            ("prime à 5%", "prime à 5%25"),
            ("", ""),
        ] {
            let mut t = String::new();
            push_id(&mut t, id);
            assert_eq!(t, text, "{id:?}");
        }
    }

    #[test]
    fn decimals_print_as_display_does() {
        let mut values: Vec<Decimal> = [
            "0",
            "0.00",
            "-0.00",
            "1",
            "-1",
            "0.05",
            "-0.005",
            "22500.00",
            "1.25",
            "2",
            "-10500.00",
            "18446744073709551615",
            "18446744073709551616.5",
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
            "-123.4560",
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        values.push(Decimal::new(-0, 2));
        for d in values {
            let mut t = String::new();
            push_decimal(&mut t, d);
            assert_eq!(t, d.to_string(), "{d:?}");
        }
    }

    #[test]
    fn pad_fast_is_pad() {
        for s in ["0", "-0", "0.0", "1.5", "-1.50", "100", "1.234", "1.2300", "-0.000"] {
            let d: Decimal = s.parse().unwrap();
            for scale in [0, 2, 4] {
                assert_eq!(pad_fast(d, scale).to_string(), pad(d, scale).to_string(), "{s} at {scale}");
            }
        }
    }
}
