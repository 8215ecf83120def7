//! Pay components: rates, tier tables, two-dimensional tables, milestones, SPIFFs and MBO
//! scorecards, with their gates, multipliers and caps.
//!
//! A component's pay for a period is built in this order, each step visible on the statement:
//! 1. **lines**: pay per credit line, with its band breakdown (rounded per line when the plan
//!    rounds lines; per-transaction caps apply here);
//! 2. **trueUp** (year-to-date scope): earlier periods' lines re-rated with the year-to-date
//!    figures, less what the component earned through the previous period;
//! 3. **gate**: if the gate's indicator is below its minimum, everything is taken back;
//! 4. **multiplier**: pay × (factor − 1) for each multiplier;
//! 5. **carryForwardPaid**, **cap**: excess carried from earlier periods is added, then period and
//!    year caps cut the pay; the excess is forfeited or carried forward.

use super::{unit_value, Ctx};
use crate::credit::Credit;
use crate::money::{fmt_dec, fmt_pct, pct, sum_c, Checked};
use crate::plan::{
    Basis, Bounds, CapPer, Component, ComponentKind, CurveOutput, Excess, Indicator, MeasureKind, PayFrom, Rate, Scope,
    TierMethod, Whose,
};
use crate::statement::{BandSlice, ComponentResult, Note, PayLine, Step};
use crate::tiers::{band_at, interpolate, resolve_rate, PayRate, RateUnit, Span};
use crate::Result;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// A component's state for one payee across the periods of the year.
#[derive(Debug, Clone, Default)]
pub struct CompState {
    /// Year-to-date earnings after gate and multipliers through the previous period
    /// (year-to-date scope).
    pub prev_ytd: Decimal,
    /// Excess carried forward, not yet paid.
    pub carry: Decimal,
    /// Paid so far this year (after caps).
    pub paid_ytd: Decimal,
    /// Milestone levels already paid this year.
    pub milestones: BTreeSet<usize>,
}

/// Pay attributed to each (payee, transaction, component), for clawbacks and holdbacks.
#[derive(Debug, Clone, Default)]
pub struct Attribution {
    map: BTreeMap<(usize, usize, usize), Decimal>,
}

impl Attribution {
    /// Empty.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pay attributed to a transaction for a payee and component.
    pub fn get(&self, payee: usize, txn: usize, component: usize) -> Decimal {
        self.map.get(&(payee, txn, component)).copied().unwrap_or_default()
    }

    fn add(&mut self, payee: usize, txn: usize, component: usize, v: Decimal) -> Result<()> {
        let e = self.map.entry((payee, txn, component)).or_default();
        *e = e.add_c(v, "an attribution")?;
        Ok(())
    }
}

/// The pay at `rate` of the slice `o` of line `l`'s measure value (of `kind`), and the credit
/// shown for the slice: the line's share of credit, and of units or deals when the rate reads
/// them, in proportion to the slice (only what is read is computed: a slice of a line across a
/// band bound, paid per credit, needs no division).
fn pay(rate: &PayRate, l: &Credit, kind: MeasureKind, o: Decimal) -> Result<(Decimal, Decimal)> {
    let delta = unit_value(l, kind);
    let part = |total: Decimal, own: MeasureKind| -> Result<Decimal> {
        if o == delta {
            Ok(total)
        } else if delta.is_zero() {
            Ok(Decimal::ZERO)
        } else if kind == own {
            Ok(o)
        } else {
            total.mul_c(o.div_c(delta, "a band share")?, "a band share")
        }
    };
    let credit = part(l.amount, MeasureKind::Amount)?;
    let base = match rate.unit {
        RateUnit::Credit => credit,
        RateUnit::Unit => part(l.quantity, MeasureKind::Quantity)?,
        RateUnit::Deal => part(l.deals, MeasureKind::Count)?,
    };
    Ok((base.mul_c(rate.per, "a rate")?, credit))
}

fn note(warnings: &mut Vec<Note>, code: &str, message: String) {
    if !warnings.iter().any(|w| w.code == code && w.message == message) {
        warnings.push(Note { code: code.into(), message });
    }
}

/// The value of an indicator for payee `p` in period `k` (`None` when undefined).
pub(crate) fn indicator_value(ctx: &Ctx<'_>, ind: &Indicator, p: usize, k: usize) -> Result<Option<Decimal>> {
    if let Some(metric) = &ind.metric {
        let period = ctx.periods.get(k).map(|x| x.id.as_str()).unwrap_or("");
        let payee = ctx.plan.payees.get(p).map(|x| x.id.as_str()).unwrap_or("");
        return Ok(ctx.inputs.metric_value(metric, period, payee));
    }
    let Some(m) = ind.measure.as_deref().and_then(|id| ctx.measure_index(id)) else {
        return Ok(None);
    };
    let who = match ind.of {
        Whose::Payee => Some(p),
        Whose::Manager => ctx.manager_at(p, k),
    };
    let Some(who) = who else { return Ok(None) };
    let ytd = ind.scope == Scope::YearToDate;
    let v = ctx.value(who, m, k, ytd)?;
    match ind.basis {
        Basis::Value => Ok(Some(v)),
        Basis::Attainment => match ctx.quota(who, m, k, ytd)? {
            Some(q) if !q.is_zero() => Ok(Some(v.div_c(q, "an attainment")?)),
            _ => Ok(None),
        },
    }
}

fn describe_indicator(ind: &Indicator) -> String {
    let what = match (&ind.measure, &ind.metric) {
        (_, Some(m)) => format!("metric `{m}`"),
        (Some(m), _) => {
            let b = if ind.basis == Basis::Attainment { "attainment" } else { "value" };
            let s = if ind.scope == Scope::YearToDate { "year-to-date " } else { "" };
            let o = if ind.of == Whose::Manager { "manager's " } else { "" };
            format!("{o}{s}{m} {b}")
        }
        _ => "indicator".into(),
    };
    what
}

fn fmt_indicator(ind: &Indicator, v: Decimal) -> String {
    if ind.measure.is_some() && ind.metric.is_none() && ind.basis == Basis::Attainment {
        fmt_pct(v)
    } else {
        fmt_dec(v)
    }
}

/// Period target incentive of payee `p` in period `k` (annual / periods, prorated by calendar days
/// in role), or year to date through `k`.
pub(crate) fn target_incentive(ctx: &Ctx<'_>, p: usize, k: usize, ytd: bool) -> Result<Option<Decimal>> {
    let Some(payee) = ctx.plan.payees.get(p) else {
        return Ok(None);
    };
    let Some(annual) = payee.target_incentive else {
        return Ok(None);
    };
    let n = Decimal::from(ctx.periods.len().max(1) as u64);
    let per = annual.div_c(n, "a period target incentive")?;
    let mut total = Decimal::ZERO;
    let first = if ytd { 0 } else { k };
    for period in ctx.periods.iter().take(k + 1).skip(first) {
        let days = crate::calendar::days_inclusive(period.start, period.end);
        let s = payee.start.map_or(period.start, |s| s.max(period.start));
        let e = payee.end.map_or(period.end, |e| e.min(period.end));
        let in_role = crate::calendar::days_inclusive(s, e);
        let f = if days == 0 {
            Decimal::ZERO
        } else {
            Decimal::from(in_role).div_c(Decimal::from(days), "a target incentive proration")?
        };
        total = total.add_c(per.mul_c(f, "a target incentive")?, "a target incentive")?;
    }
    Ok(Some(total))
}

/// The factor a multiplier applies for an indicator value (1 outside its bands or when the value
/// is undefined).
pub(crate) fn multiplier_factor(mlt: &crate::plan::Multiplier, v: Option<Decimal>) -> Decimal {
    let spans: Vec<Span> = mlt.bands.iter().map(|b| (b.from, b.to)).collect();
    v.and_then(|v| band_at(&spans, v, mlt.bounds))
        .and_then(|b| mlt.bands.get(b))
        .map(|b| b.factor)
        .unwrap_or(Decimal::ONE)
}

/// Evaluates one component for payee `p` in period `k`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn evaluate_component(
    ctx: &Ctx<'_>,
    c: usize,
    comp: &Component,
    p: usize,
    k: usize,
    state: &mut CompState,
    attributed: &mut Attribution,
    warnings: &mut Vec<Note>,
) -> Result<ComponentResult> {
    let mut r = ComponentResult {
        component: comp.id.clone(),
        kind: kind_name(&comp.kind).into(),
        amount: Decimal::ZERO,
        lines: Vec::new(),
        steps: Vec::new(),
        trace: Vec::new(),
    };
    // per-line attributions of this period, before gate and multipliers
    let mut attrib: Vec<(usize, Decimal)> = Vec::new();
    let mut ytd_scope = false;
    // (number, total) of the pay lines when the batch kernel paid them (it writes none)
    let mut paid: Option<(usize, Decimal)> = None;
    let base = match &comp.kind {
        ComponentKind::Rate { measure, rate } => {
            // one band over the whole line: a flat rate pays every credit line in full, wherever the
            // running basis stands (a reversal or credit memo may take it below zero)
            let tiers = [crate::plan::Tier { from: Decimal::MIN, to: None, rate: *rate }];
            let spec = TableSpec {
                measure,
                basis: Basis::Value,
                method: TierMethod::Marginal,
                scope: Scope::Period,
                bounds: Bounds::HalfOpen,
                base_rate: None,
                tiers: &tiers,
                points: &[],
                output: CurveOutput::PercentOfCredit,
                basis_cap: None,
            };
            table(ctx, comp, &spec, p, k, &mut r, &mut attrib, &mut paid, warnings)?
        }
        ComponentKind::Tiered {
            measure,
            basis,
            method,
            scope,
            bounds,
            base_rate,
            tiers,
            points,
            output,
            basis_cap,
        } => {
            ytd_scope = *scope == Scope::YearToDate;
            let spec = TableSpec {
                measure,
                basis: *basis,
                method: *method,
                scope: *scope,
                bounds: *bounds,
                base_rate: base_rate.as_ref(),
                tiers,
                points,
                output: *output,
                basis_cap: *basis_cap,
            };
            table(ctx, comp, &spec, p, k, &mut r, &mut attrib, &mut paid, warnings)?
        }
        ComponentKind::Matrix { measure, rows, columns, rates } => {
            let rv = indicator_value(ctx, &rows.on, p, k)?;
            let cv = indicator_value(ctx, &columns.on, p, k)?;
            let (Some(rv), Some(cv)) = (rv, cv) else {
                note(
                    warnings,
                    "INDICATOR_UNDEFINED",
                    format!(
                        "{}: the table's row or column value is undefined (no quota or metric); nothing is paid",
                        comp.id
                    ),
                );
                r.trace.push("row or column value undefined: pays nothing".into());
                return finish(ctx, comp, c, p, k, state, attributed, r, Decimal::ZERO, Vec::new(), false, None);
            };
            let ri = axis_index(&rows.breaks, rows.bounds, rv);
            let ci = axis_index(&columns.breaks, columns.bounds, cv);
            let Some(rate) = rates.get(ri).and_then(|row| row.get(ci)) else {
                return finish(ctx, comp, c, p, k, state, attributed, r, Decimal::ZERO, Vec::new(), false, None);
            };
            let Some(pr) = resolve_rate(rate, None)? else {
                return finish(ctx, comp, c, p, k, state, attributed, r, Decimal::ZERO, Vec::new(), false, None);
            };
            r.trace.push(format!(
                "{} is {} (row {}), {} is {} (column {}): rate {}",
                describe_indicator(&rows.on),
                fmt_indicator(&rows.on, rv),
                ri,
                describe_indicator(&columns.on),
                fmt_indicator(&columns.on, cv),
                ci,
                pr.label
            ));
            let m = ctx.measure_index(measure).unwrap_or(usize::MAX);
            let kind = ctx.plan.measures.get(m).map(|x| x.kind).unwrap_or_default();
            let mut total = Decimal::ZERO;
            for &i in period_lines(ctx, p, m, k) {
                let Some(l) = ctx.lines.get(i) else { continue };
                let (amt, credit) =
                    if l.reversal { (Decimal::ZERO, l.amount) } else { pay(&pr, l, kind, unit_value(l, kind))? };
                let amt = ctx.line_round(amt);
                total = total.add_c(amt, "a component")?;
                attrib.push((l.txn, amt));
                r.lines.push(PayLine {
                    transaction: if ctx.full || ctx.line_ids { txn_id(ctx, l) } else { String::new() },
                    credit,
                    bands: if ctx.full {
                        vec![BandSlice {
                            band: ri * columns.breaks.len() + ci,
                            credit,
                            rate: pr.label.clone(),
                            amount: amt,
                        }]
                    } else {
                        Vec::new()
                    },
                    amount: amt,
                    trace: if ctx.full { format!("{} at {} = {}", credit, pr.label, amt) } else { String::new() },
                });
            }
            total
        }
        ComponentKind::Spiff { measure, filter, window, rate } => {
            let m = ctx.measure_index(measure).unwrap_or(usize::MAX);
            let kind = ctx.plan.measures.get(m).map(|x| x.kind).unwrap_or_default();
            let Some(pr) = spiff_rate(ctx, rate)? else {
                return finish(ctx, comp, c, p, k, state, attributed, r, Decimal::ZERO, Vec::new(), false, None);
            };
            if let Some(b) = &ctx.batch {
                let total = super::batch::spiff(ctx, b, filter, window, &pr, m, p, k)?;
                if total.n == 0 {
                    r.trace.push(format!("no qualifying credit between {} and {}", window.from, window.to));
                }
                let amount = total.dec(ctx.scale)?;
                paid = Some((total.n, amount));
                return finish(ctx, comp, c, p, k, state, attributed, r, amount, attrib, false, paid);
            }
            let mut total = Decimal::ZERO;
            for &i in period_lines(ctx, p, m, k) {
                let Some(l) = ctx.lines.get(i) else { continue };
                let Some(t) = ctx.inputs.transactions.get(l.txn) else {
                    continue;
                };
                if l.reversal || l.date < window.from || l.date > window.to {
                    continue;
                }
                let rule_id = ctx.plan.crediting.rules.get(l.rule).map(|x| x.id());
                if !crate::credit::filter_matches(filter, t, rule_id) {
                    continue;
                }
                let (amt, credit) = pay(&pr, l, kind, unit_value(l, kind))?;
                let amt = ctx.line_round(amt);
                total = total.add_c(amt, "a component")?;
                attrib.push((l.txn, amt));
                // (a summary writes no pay lines: no id unless holdbacks read it, no band, no trace)
                r.lines.push(PayLine {
                    transaction: if ctx.full || ctx.line_ids { t.id.clone() } else { String::new() },
                    credit,
                    bands: if ctx.full {
                        vec![BandSlice { band: 0, credit, rate: pr.label.clone(), amount: amt }]
                    } else {
                        Vec::new()
                    },
                    amount: amt,
                    trace: if ctx.full {
                        format!(
                            "{} qualifies (credited {}, window {} to {}): {} = {}",
                            t.id, l.date, window.from, window.to, pr.label, amt
                        )
                    } else {
                        String::new()
                    },
                });
            }
            if r.lines.is_empty() {
                r.trace.push(format!("no qualifying credit between {} and {}", window.from, window.to));
            }
            total
        }
        ComponentKind::Milestone { measure, basis, scope, levels } => {
            let m = ctx.measure_index(measure).unwrap_or(usize::MAX);
            let ytd = *scope == Scope::YearToDate;
            if !ytd {
                state.milestones.clear();
            }
            let v = ctx.value(p, m, k, ytd)?;
            let x = match basis {
                Basis::Value => Some(v),
                Basis::Attainment => match ctx.quota(p, m, k, ytd)? {
                    Some(q) if !q.is_zero() => Some(v.div_c(q, "an attainment")?),
                    _ => None,
                },
            };
            let mut total = Decimal::ZERO;
            match x {
                None => note(
                    warnings,
                    "ATTAINMENT_UNDEFINED",
                    format!("{}: no quota on `{measure}`, milestones cannot be reached", comp.id),
                ),
                Some(x) => {
                    let shown = if *basis == Basis::Attainment { fmt_pct(x) } else { fmt_dec(x) };
                    for (i, lvl) in levels.iter().enumerate() {
                        if state.milestones.contains(&i) || x < lvl.at {
                            continue;
                        }
                        state.milestones.insert(i);
                        let amt = ctx.line_round(lvl.amount);
                        total = total.add_c(amt, "a milestone")?;
                        let at = if *basis == Basis::Attainment { fmt_pct(lvl.at) } else { fmt_dec(lvl.at) };
                        r.steps.push(Step {
                            kind: "milestone".into(),
                            amount: amt,
                            trace: format!(
                                "{measure} reached {shown}, at or above the {at} milestone: bonus {amt} (paid once)"
                            ),
                        });
                    }
                    if total.is_zero() {
                        r.trace.push(format!("{measure} at {shown}: no new milestone reached"));
                    }
                }
            }
            total
        }
        ComponentKind::Mbo { target, objectives } => {
            let amount_at_target = match (target.amount, target.fraction_of_target_incentive) {
                (Some(a), _) => Some(a),
                (None, Some(f)) => {
                    target_incentive(ctx, p, k, false)?.map(|ti| ti.mul_c(f, "an MBO target")).transpose()?
                }
                _ => None,
            };
            let Some(at_target) = amount_at_target else {
                note(warnings, "MISSING_TARGET_INCENTIVE", format!("{}: the payee has no target incentive", comp.id));
                return finish(ctx, comp, c, p, k, state, attributed, r, Decimal::ZERO, Vec::new(), false, None);
            };
            let period = ctx.periods.get(k).map(|x| x.id.as_str()).unwrap_or("");
            let payee = ctx.plan.payees.get(p).map(|x| x.id.as_str()).unwrap_or("");
            let mut total = Decimal::ZERO;
            for o in objectives {
                let score =
                    ctx.inputs.scores.iter().find(|s| s.payee == payee && s.period == period && s.objective == o.id);
                let Some(score) = score else {
                    note(
                        warnings,
                        "MISSING_SCORE",
                        format!("{}: no score for objective `{}` in {period}; it scores 0", comp.id, o.id),
                    );
                    r.steps.push(Step {
                        kind: "objective".into(),
                        amount: Decimal::ZERO,
                        trace: format!("{}: no score given, scores 0", o.id),
                    });
                    continue;
                };
                let s = objective_score(o, score.value)?;
                let amt = ctx.line_round(at_target.mul_c(o.weight, "an objective")?.mul_c(s, "an objective")?);
                total = total.add_c(amt, "an MBO")?;
                r.steps.push(Step {
                    kind: "objective".into(),
                    amount: amt,
                    trace: format!(
                        "{}: result {} against threshold {} / target {} / stretch {} scores {}; weight {} x {} = {}",
                        o.id,
                        fmt_dec(score.value),
                        fmt_dec(o.threshold),
                        fmt_dec(o.target),
                        fmt_dec(o.stretch),
                        fmt_dec(s.round_dp(6)),
                        fmt_dec(o.weight),
                        at_target.normalize(),
                        amt
                    ),
                });
            }
            total
        }
    };
    // for year-to-date scope, `base` is the year-to-date pay; `finish` turns it into the period's
    finish(ctx, comp, c, p, k, state, attributed, r, base, attrib, ytd_scope, paid)
}

/// The `type` of a component as written in the plan.
pub(crate) fn kind_name(k: &ComponentKind) -> &'static str {
    match k {
        ComponentKind::Rate { .. } => "rate",
        ComponentKind::Tiered { .. } => "tiered",
        ComponentKind::Matrix { .. } => "matrix",
        ComponentKind::Milestone { .. } => "milestone",
        ComponentKind::Spiff { .. } => "spiff",
        ComponentKind::Mbo { .. } => "mbo",
    }
}

fn txn_id(ctx: &Ctx<'_>, l: &Credit) -> String {
    ctx.inputs.transactions.get(l.txn).map(|t| t.id.clone()).unwrap_or_default()
}

/// Line indices of payee `p` counted by measure `m` in period `k` (in processing order).
fn period_lines<'c>(ctx: &'c Ctx<'_>, p: usize, m: usize, k: usize) -> impl Iterator<Item = &'c usize> + 'c {
    let counts = ctx.counts.get(m);
    ctx.by_payee.get(p).map(|v| v.as_slice()).unwrap_or(&[]).iter().filter(move |&&i| {
        counts.and_then(|c| c.get(i)).copied().unwrap_or(false) && ctx.lines.get(i).is_some_and(|l| l.period == k)
    })
}

fn axis_index(breaks: &[Decimal], bounds: Bounds, v: Decimal) -> usize {
    let spans: Vec<Span> = breaks.iter().enumerate().map(|(i, b)| (*b, breaks.get(i + 1).copied())).collect();
    // below the first break takes the first row; the last break is open-ended
    band_at(&spans, v, bounds).unwrap_or_default()
}

/// The score of an MBO objective for a result (see [`crate::plan::Objective`]).
pub(crate) fn objective_score(o: &crate::plan::Objective, v: Decimal) -> Result<Decimal> {
    let at_t = o.at_threshold.unwrap_or(Decimal::new(5, 1));
    let at_s = o.at_stretch.unwrap_or(Decimal::new(15, 1));
    if v < o.threshold {
        return Ok(Decimal::ZERO);
    }
    if v >= o.stretch {
        return Ok(at_s);
    }
    let lerp = |x0: Decimal, y0: Decimal, x1: Decimal, y1: Decimal| -> Result<Decimal> {
        let run = x1.sub_c(x0, "a score")?;
        if run.is_zero() {
            return Ok(y1);
        }
        y0.add_c(y1.sub_c(y0, "a score")?.mul_c(v.sub_c(x0, "a score")?, "a score")?.div_c(run, "a score")?, "a score")
    };
    if v < o.target {
        lerp(o.threshold, at_t, o.target, Decimal::ONE)
    } else {
        lerp(o.target, Decimal::ONE, o.stretch, at_s)
    }
}

/// A tier table's settings (a flat rate is a one-band marginal table).
pub(crate) struct TableSpec<'s> {
    pub measure: &'s str,
    pub basis: Basis,
    pub method: TierMethod,
    pub scope: Scope,
    pub bounds: Bounds,
    pub base_rate: Option<&'s Rate>,
    pub tiers: &'s [crate::plan::Tier],
    pub points: &'s [crate::plan::CurvePoint],
    pub output: CurveOutput,
    pub basis_cap: Option<Decimal>,
}

/// Evaluates a tier table (or flat rate). Returns this period's pay before gate, multipliers and
/// caps; for year-to-date scope, the year-to-date pay (the caller turns it into the period's).
#[allow(clippy::too_many_arguments)]
fn table(
    ctx: &Ctx<'_>,
    comp: &Component,
    s: &TableSpec<'_>,
    p: usize,
    k: usize,
    r: &mut ComponentResult,
    attrib: &mut Vec<(usize, Decimal)>,
    paid: &mut Option<(usize, Decimal)>,
    warnings: &mut Vec<Note>,
) -> Result<Decimal> {
    let m = ctx.measure_index(s.measure).unwrap_or(usize::MAX);
    let kind = ctx.plan.measures.get(m).map(|x| x.kind).unwrap_or_default();
    let ytd = s.scope == Scope::YearToDate;
    // scale from basis units to measure units
    let scale = match s.basis {
        Basis::Value => Decimal::ONE,
        Basis::Attainment => match ctx.quota(p, m, k, ytd)? {
            Some(q) if !q.is_zero() => q,
            _ => {
                note(warnings, "ATTAINMENT_UNDEFINED", format!("{}: no quota (or a zero quota) on `{}` in this period; attainment is undefined and the component pays nothing", comp.id, s.measure));
                r.trace.push(format!("attainment on `{}` is undefined (no quota): pays nothing", s.measure));
                return Ok(Decimal::ZERO);
            }
        },
    };
    if s.basis == Basis::Attainment {
        // ("{year-to-date }quota on `{measure}`: {quota}", without the formatting machinery)
        let mut line = String::with_capacity(40 + s.measure.len());
        line.push_str(if ytd { "year-to-date quota on `" } else { "quota on `" });
        line.push_str(s.measure);
        line.push_str("`: ");
        crate::jsonwrite::push_decimal(&mut line, scale.normalize());
        r.trace.push(line);
    }
    let t = resolve_table_with(s, kind, scale, comp.gate.as_ref(), || tier_rates(ctx, comp, s))?;
    let (spans, rates, ceil) = (&t.spans, &t.rates, t.ceil);
    // the lines in scope (the batch kernel keeps its own)
    let all: Vec<usize> = if ctx.batch.is_some() {
        Vec::new()
    } else {
        ctx.by_payee
            .get(p)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|&i| ctx.counts.get(m).and_then(|c| c.get(i)).copied().unwrap_or(false))
            .filter(|&i| ctx.lines.get(i).is_some_and(|l| if ytd { l.period <= k } else { l.period == k }))
            .collect()
    };
    let total_value = match &ctx.batch {
        // (a marginal table does not read it)
        Some(_) if s.method == TierMethod::Marginal => Decimal::ZERO,
        Some(b) => super::batch::total_value(ctx, b, kind, m, p, k, ytd)?,
        None => sum_c(all.iter().filter_map(|&i| ctx.lines.get(i)).map(|l| unit_value(l, kind)), "a measure value")?,
    };

    // for retroactive and interpolated methods, one rate for all lines
    let final_rate: Option<(Option<usize>, Option<PayRate>)> = match s.method {
        TierMethod::Marginal => None,
        TierMethod::Retroactive if s.scope != Scope::Transaction => {
            let x = ceil.map_or(total_value, |c| total_value.min(c));
            let b = band_at(spans, x, s.bounds);
            let rate = b.and_then(|b| rates.get(b).cloned().flatten());
            r.trace.push(format!(
                "{} {}: {}",
                if ytd { "year-to-date" } else { "period" },
                basis_words(s, total_value, scale)?,
                match (&b, &rate) {
                    (Some(b), Some(rt)) => format!("band {b} reached, every line paid at {}", rt.label),
                    _ => "below the first band, nothing paid".into(),
                }
            ));
            Some((b, rate))
        }
        TierMethod::Retroactive => None,
        TierMethod::Interpolated => {
            let x = ceil.map_or(total_value, |c| total_value.min(c));
            let pts: Vec<crate::plan::CurvePoint> = s
                .points
                .iter()
                .map(|pt| Ok(crate::plan::CurvePoint { x: pt.x.mul_c(scale, "a band bound")?, y: pt.y }))
                .collect::<Result<_>>()?;
            let y = interpolate(&pts, x)?;
            if s.output == CurveOutput::FractionOfTargetIncentive {
                let Some(ti) = target_incentive(ctx, p, k, ytd)? else {
                    note(
                        warnings,
                        "MISSING_TARGET_INCENTIVE",
                        format!("{}: the payee has no target incentive", comp.id),
                    );
                    return Ok(Decimal::ZERO);
                };
                let amt = ctx.line_round(ti.mul_c(y, "a payout curve")?);
                r.steps.push(Step {
                    kind: "curve".into(),
                    amount: amt,
                    trace: format!(
                        "{}: the curve gives {} of the target incentive {} = {}",
                        basis_words(s, total_value, scale)?,
                        fmt_pct(y),
                        ti.normalize(),
                        amt
                    ),
                });
                // attribute the pay to this period's lines in proportion to their credit, so that
                // clawbacks and per-transaction holdbacks see it (period scope only)
                if !ytd {
                    let own: Vec<&Credit> = all
                        .iter()
                        .filter_map(|&i| ctx.lines.get(i))
                        .filter(|l| l.period == k && !l.reversal && l.amount > Decimal::ZERO)
                        .collect();
                    let total = sum_c(own.iter().map(|l| l.amount), "a curve attribution")?;
                    if total > Decimal::ZERO {
                        for l in own {
                            attrib.push((
                                l.txn,
                                ctx.line_round(
                                    amt.mul_c(l.amount, "a curve attribution")?.div_c(total, "a curve attribution")?,
                                ),
                            ));
                        }
                    }
                }
                return Ok(amt);
            }
            let rate =
                PayRate { unit: RateUnit::Credit, per: pct(y), label: format!("{}% (curve)", fmt_dec(y.round_dp(6))) };
            r.trace.push(format!("{}: the curve gives a rate of {}", basis_words(s, total_value, scale)?, rate.label));
            Some((Some(0), Some(rate)))
        }
    };

    if let Some(b) = &ctx.batch {
        let pay = super::batch::TablePay { table: &t, fixed: final_rate.as_ref(), caps: &comp.caps };
        let (this_period, earlier) = super::batch::table(ctx, b, &pay, m, p, k, ytd)?;
        let (n, this_period, earlier) = (this_period.n, this_period.dec(ctx.scale)?, earlier.dec(ctx.scale)?);
        *paid = Some((n, this_period));
        return table_total(r, ytd, this_period, earlier);
    }
    let mut pos = Decimal::ZERO;
    let mut this_period = Decimal::ZERO;
    let mut earlier = Decimal::ZERO;
    r.lines.reserve(all.len());
    for &i in &all {
        let Some(l) = ctx.lines.get(i) else { continue };
        let delta = unit_value(l, kind);
        let mut bands = Vec::new();
        let mut amt = t.line_pay(l, pos, final_rate.as_ref(), ctx.full.then_some(&mut bands))?;
        pos = pos.add_c(delta, "a running basis")?;
        if l.reversal {
            // a reversal moves the basis but pays nothing: the clawback reverses the original pay
            amt = Decimal::ZERO;
            bands.clear();
        }
        let mut amt = ctx.line_round(amt);
        let mut trace = if !ctx.full {
            // a summary evaluation writes no pay lines
            String::new()
        } else if l.reversal {
            format!(
                "{} reversal of {}: lowers the basis, pays nothing (the clawback reverses the original pay)",
                txn_id(ctx, l),
                l.amount
            )
        } else if bands.is_empty() {
            format!(
                "{} credit {}: no band pays (below the first band, under the threshold or above the cap)",
                txn_id(ctx, l),
                l.amount
            )
        } else {
            let parts: Vec<String> =
                bands.iter().map(|b| format!("{} in band {} at {}", ctx.show(b.credit), b.band, b.rate)).collect();
            format!("{} credit {}: {} = {}", txn_id(ctx, l), ctx.show(l.amount), parts.join(" + "), amt)
        };
        for cap in comp.caps.iter().filter(|c| c.per == CapPer::Transaction) {
            if amt > cap.amount {
                if ctx.full {
                    trace.push_str(&format!("; capped at {} per transaction (uncapped {amt})", cap.amount));
                }
                amt = ctx.line_round(cap.amount);
            }
        }
        if l.period == k {
            this_period = this_period.add_c(amt, "a component")?;
            attrib.push((l.txn, amt));
            // the transaction id even in a summary when per-transaction holdbacks read it
            let transaction = if ctx.full || ctx.line_ids { txn_id(ctx, l) } else { String::new() };
            r.lines.push(PayLine { transaction, credit: l.amount, bands, amount: amt, trace });
        } else {
            earlier = earlier.add_c(amt, "a component")?;
        }
    }
    table_total(r, ytd, this_period, earlier)
}

/// What a table pays: this period's lines, or for year-to-date scope all the year's lines re-rated
/// (the caller subtracts what was earned through the previous period).
fn table_total(r: &mut ComponentResult, ytd: bool, this_period: Decimal, earlier: Decimal) -> Result<Decimal> {
    if ytd {
        r.trace.push(format!("year to date: lines of earlier periods re-rated to {}", earlier));
        return this_period.add_c(earlier, "a year-to-date total");
    }
    Ok(this_period)
}

/// Pays the slice `o` of a line in band `band` at rate `rt`, recording the slice.
fn pay_slice(
    l: &Credit,
    kind: MeasureKind,
    rt: &PayRate,
    band: usize,
    o: Decimal,
    bands: Option<&mut Vec<BandSlice>>,
) -> Result<Decimal> {
    let (a, credit) = pay(rt, l, kind, o)?;
    if let Some(bands) = bands {
        bands.push(BandSlice { band, credit, rate: rt.label.clone(), amount: a.normalize() });
    }
    Ok(a)
}

fn basis_words(s: &TableSpec<'_>, value: Decimal, scale: Decimal) -> Result<String> {
    Ok(match s.basis {
        Basis::Attainment => format!(
            "attainment {} ({} of {})",
            fmt_pct(value.div_c(scale, "an attainment")?),
            value.normalize(),
            scale.normalize()
        ),
        Basis::Value => format!("{} {}", s.measure, value.normalize()),
    })
}

/// Applies the gate, year-to-date netting, multipliers and caps, records attributions, and fills
/// in the result's amount.
#[allow(clippy::too_many_arguments)]
fn finish(
    ctx: &Ctx<'_>,
    comp: &Component,
    c: usize,
    p: usize,
    k: usize,
    state: &mut CompState,
    attributed: &mut Attribution,
    mut r: ComponentResult,
    base: Decimal,
    attrib: Vec<(usize, Decimal)>,
    ytd: bool,
    paid: Option<(usize, Decimal)>,
) -> Result<ComponentResult> {
    let (lines_n, lines_total) = match paid {
        Some(x) => x,
        None => (r.lines.len(), sum_c(r.lines.iter().map(|l| l.amount), "a component")?),
    };
    let steps_total = sum_c(r.steps.iter().map(|s| s.amount), "a component")?;
    // for YTD, `base` is the year-to-date pay; otherwise lines + steps
    let mut running = base;
    // gate
    let mut factor = Decimal::ONE;
    if let Some(g) = &comp.gate {
        let v = indicator_value(ctx, &g.on, p, k)?;
        let passed = v.is_some_and(|v| v >= g.min);
        let shown = v.map_or("undefined".to_string(), |v| fmt_indicator(&g.on, v));
        let min = fmt_indicator(&g.on, g.min);
        if passed {
            r.steps.push(Step {
                kind: "gate".into(),
                amount: Decimal::ZERO,
                trace: format!("gate passed: {} is {shown}, at or above {min}", describe_indicator(&g.on)),
            });
        } else {
            let amt = -running;
            running = Decimal::ZERO;
            factor = Decimal::ZERO;
            r.steps.push(Step {
                kind: "gate".into(),
                amount: amt,
                trace: format!(
                    "gate not passed: {} is {shown}, below {min}; nothing is paid",
                    describe_indicator(&g.on)
                ),
            });
        }
    }
    for mlt in &comp.multipliers {
        let v = indicator_value(ctx, &mlt.on, p, k)?;
        let f = multiplier_factor(mlt, v);
        if f != Decimal::ONE && !running.is_zero() {
            let before = running;
            running = ctx.line_round(running.mul_c(f, "a multiplier")?);
            let shown = v.map_or("undefined".to_string(), |v| fmt_indicator(&mlt.on, v));
            r.steps.push(Step {
                kind: "multiplier".into(),
                amount: running.sub_c(before, "a multiplier")?,
                trace: format!(
                    "{} is {shown}: pay x {} ({} -> {})",
                    describe_indicator(&mlt.on),
                    fmt_dec(f),
                    before,
                    running
                ),
            });
        }
        factor = factor.mul_c(f, "a multiplier")?;
    }
    // year to date: this period's pay is the YTD pay less what was earned before
    if ytd {
        let ytd_pay = running;
        let prev = state.prev_ytd;
        state.prev_ytd = ytd_pay;
        // what the earlier periods are worth now: the year-to-date pay less this period's lines
        // and less the steps the table already added (a payout curve's year-to-date amount)
        let earlier_now = base.sub_c(lines_total, "a true-up")?.sub_c(steps_total, "a true-up")?;
        let true_up = earlier_now.sub_c(prev, "a true-up")?;
        // express: lines + trueUp + (gate/multiplier steps already pushed) = ytd_pay - prev
        if !true_up.is_zero() || k > 0 {
            r.steps.insert(0, Step { kind: "trueUp".into(), amount: true_up, trace: format!("earlier periods' lines re-rated with year-to-date figures: {earlier_now}, less {prev} earned through the previous period") });
        }
        running = ytd_pay.sub_c(prev, "a year-to-date period")?;
    }
    // caps on the period's pay
    let mut amount = running;
    let carry_in = state.carry;
    if !carry_in.is_zero() {
        amount = amount.add_c(carry_in, "a carried-forward excess")?;
        r.steps.push(Step {
            kind: "carryForwardPaid".into(),
            amount: carry_in,
            trace: format!("excess above the cap carried from earlier periods: {carry_in}"),
        });
        state.carry = Decimal::ZERO;
    }
    let before_caps = amount;
    let mut forfeited = Decimal::ZERO;
    for cap in &comp.caps {
        let Some(limit) = cap_limit(cap, state.paid_ytd)? else {
            continue;
        };
        if amount > limit {
            let excess = amount.sub_c(limit, "a cap")?;
            amount = limit;
            let what = match cap.excess {
                Excess::Forfeit => {
                    forfeited = forfeited.add_c(excess, "a forfeited excess")?;
                    "forfeited"
                }
                Excess::CarryForward => {
                    state.carry = state.carry.add_c(excess, "a carried-forward excess")?;
                    "carried forward"
                }
            };
            let per = if cap.per == CapPer::Period { "period" } else { "year" };
            r.steps.push(Step {
                kind: "cap".into(),
                amount: -excess,
                // ("{per} cap {amount}: {excess} above it is {what}", without the machinery)
                trace: {
                    let mut t = String::with_capacity(64);
                    t.push_str(per);
                    t.push_str(" cap ");
                    crate::jsonwrite::push_decimal(&mut t, cap.amount);
                    t.push_str(": ");
                    crate::jsonwrite::push_decimal(&mut t, ctx.show(excess));
                    t.push_str(" above it is ");
                    t.push_str(what);
                    t
                },
            });
        }
    }
    state.paid_ytd = state.paid_ytd.add_c(amount, "paid year to date")?;
    // Attributions: what each transaction's lines were paid, after gate and multipliers, and
    // scaled down in proportion when a cap forfeited part of the pay (a clawback never takes back
    // more than was paid). Excess carried forward is paid later, so it does not scale them.
    if forfeited > Decimal::ZERO && before_caps > Decimal::ZERO {
        let kept = before_caps.sub_c(forfeited, "a forfeited excess")?;
        factor = factor.mul_c(kept, "an attribution")?.div_c(before_caps, "an attribution")?;
    }
    // (only a clawback reads them: without one, nothing is recorded)
    if ctx.plan.payments.clawback.is_some() {
        for (txn, a) in attrib {
            let v = if factor == Decimal::ONE { a } else { ctx.line_round(a.mul_c(factor, "an attribution")?) };
            attributed.add(p, txn, c, v)?;
        }
    }
    r.amount = amount;
    // "{n} line(s) pay {lines}; {steps} step(s); the component pays {amount}", written without
    // the formatting machinery (once per payee and component: a tenth of a small batch's time
    // went to formatting)
    let mut head = String::with_capacity(80);
    crate::jsonwrite::uint(&mut head, u64::try_from(lines_n).unwrap_or(u64::MAX));
    head.push_str(" line(s) pay ");
    crate::jsonwrite::push_decimal(&mut head, ctx.show(lines_total));
    head.push_str("; ");
    crate::jsonwrite::uint(&mut head, u64::try_from(r.steps.len()).unwrap_or(u64::MAX));
    head.push_str(" step(s); the component pays ");
    crate::jsonwrite::push_decimal(&mut head, ctx.show(amount));
    r.trace.insert(0, head);
    Ok(r)
}

/// What a period or year cap lets a component pay this period, after `paid_ytd` paid earlier in
/// the year; `None` for a per-transaction cap (applied to each line instead).
pub(crate) fn cap_limit(cap: &crate::plan::Cap, paid_ytd: Decimal) -> Result<Option<Decimal>> {
    Ok(match cap.per {
        CapPer::Transaction => None,
        CapPer::Period => Some(cap.amount),
        CapPer::Year => Some(cap.amount.sub_c(paid_ytd, "a year cap")?.max(Decimal::ZERO)),
    })
}

/// A tier table (or flat rate) resolved for one payee and period: its bands in measure units (an
/// attainment band times the quota), the rate of each band, and the pay-from-threshold floor and
/// basis cap, also in measure units.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedTable {
    pub kind: MeasureKind,
    pub method: TierMethod,
    pub scope: Scope,
    pub bounds: Bounds,
    pub spans: Vec<Span>,
    pub rates: Vec<Option<PayRate>>,
    pub floor: Option<Decimal>,
    pub ceil: Option<Decimal>,
}

/// What `make` gives for `key`, made once per evaluation and kept in `memo` for the next payees.
/// (Keys are addresses in the plan, which outlives the evaluation.)
fn memo<T: Clone>(
    memo: &std::cell::RefCell<Vec<(usize, T)>>,
    key: usize,
    make: impl FnOnce() -> Result<T>,
) -> Result<T> {
    if let Some((_, v)) = memo.try_borrow().ok().as_deref().and_then(|m| m.iter().find(|(k, _)| *k == key)) {
        return Ok(v.clone());
    }
    let v = make()?;
    if let Ok(mut m) = memo.try_borrow_mut() {
        m.push((key, v.clone()));
    }
    Ok(v)
}

/// The rates of component `comp`'s table `s` (`resolve_rate` of each tier), resolved once per
/// evaluation: what [`resolve_table`] resolves for every payee, formatting each rate's label.
/// (Kept by the component's address, whereas a flat rate's one tier is made on the stack for
/// each payee.)
fn tier_rates(ctx: &Ctx<'_>, comp: &Component, s: &TableSpec<'_>) -> Result<Vec<Option<PayRate>>> {
    memo(&ctx.tier_rates, std::ptr::from_ref(comp) as usize, || resolve_rates(s))
}

/// A SPIFF's rate (`resolve_rate`), resolved once per evaluation rather than once per payee (each
/// time formatting its label): kept by the rate's address.
fn spiff_rate(ctx: &Ctx<'_>, rate: &crate::plan::Rate) -> Result<Option<PayRate>> {
    memo(&ctx.spiff_rates, std::ptr::from_ref(rate) as usize, || resolve_rate(rate, None))
}

/// Resolves a table against `scale` (the quota for an attainment basis, 1 for a value basis).
pub(crate) fn resolve_table(
    s: &TableSpec<'_>,
    kind: MeasureKind,
    scale: Decimal,
    gate: Option<&crate::plan::Gate>,
) -> Result<ResolvedTable> {
    resolve_table_with(s, kind, scale, gate, || resolve_rates(s))
}

/// Each tier's rate (`resolve_rate` against the table's base rate).
fn resolve_rates(s: &TableSpec<'_>) -> Result<Vec<Option<PayRate>>> {
    s.tiers.iter().map(|t| resolve_rate(&t.rate, s.base_rate)).collect()
}

/// [`resolve_table`] with the tiers' rates given by `rates` (resolved after the bands, as
/// `resolve_table` resolves them).
fn resolve_table_with(
    s: &TableSpec<'_>,
    kind: MeasureKind,
    scale: Decimal,
    gate: Option<&crate::plan::Gate>,
    rates: impl FnOnce() -> Result<Vec<Option<PayRate>>>,
) -> Result<ResolvedTable> {
    let sc = |x: Decimal| x.mul_c(scale, "a band bound");
    let mut spans: Vec<Span> =
        s.tiers.iter().map(|t| Ok((sc(t.from)?, t.to.map(sc).transpose()?))).collect::<Result<_>>()?;
    // A first band starting at 0 also covers a basis below 0 (after a credit memo or a clawback
    // reversal with `attainment: reduce`): later credit climbs back through it at its rate instead
    // of paying nothing until the basis is positive again.
    if let Some(first) = spans.first_mut() {
        if first.0 <= Decimal::ZERO {
            first.0 = Decimal::MIN;
        }
    }
    let rates = rates()?;
    let ceil = s.basis_cap.map(sc).transpose()?;
    let floor = match gate {
        Some(g) if g.pay_from == PayFrom::Threshold => Some(sc(g.min)?),
        _ => None,
    };
    Ok(ResolvedTable { kind, method: s.method, scope: s.scope, bounds: s.bounds, spans, rates, floor, ceil })
}

impl ResolvedTable {
    /// One band over the whole basis at `rate`, per transaction: how a SPIFF pays a line.
    pub(crate) fn flat(kind: MeasureKind, rate: PayRate) -> Self {
        ResolvedTable {
            kind,
            method: TierMethod::Marginal,
            scope: Scope::Transaction,
            bounds: Bounds::HalfOpen,
            spans: vec![(Decimal::MIN, None)],
            rates: vec![Some(rate)],
            floor: None,
            ceil: None,
        }
    }

    /// The band a retroactive table reaches with the basis `total` (capped by the basis cap), and
    /// its rate: every line is paid at it.
    pub(crate) fn reached(&self, total: Decimal) -> (Option<usize>, Option<PayRate>) {
        let x = self.ceil.map_or(total, |c| total.min(c));
        let b = band_at(&self.spans, x, self.bounds);
        (b, b.and_then(|b| self.rates.get(b).cloned().flatten()))
    }

    /// The pay of line `l` lying wholly inside band `band` of a marginal table, between its floor
    /// and basis cap (before line rounding, reversals and per-transaction caps): what
    /// [`Self::line_pay`] gives for it wherever it enters the band, one slice of the whole line.
    pub(crate) fn band_pay(&self, l: &Credit, band: usize) -> Result<Decimal> {
        let delta = unit_value(l, self.kind);
        match self.rates.get(band).and_then(|r| r.as_ref()) {
            Some(rt) if !delta.is_zero() => {
                Decimal::ZERO.add_c(pay_slice(l, self.kind, rt, band, delta, None)?, "a line")
            }
            _ => Ok(Decimal::ZERO),
        }
    }

    /// The pay of line `l` entering at running basis `pos` (before line rounding, reversals and
    /// per-transaction caps), recording its band slices. `fixed` is the one band and rate every
    /// line is paid at (retroactive and interpolated tables over a period or year).
    pub(crate) fn line_pay(
        &self,
        l: &Credit,
        pos: Decimal,
        fixed: Option<&(Option<usize>, Option<PayRate>)>,
        mut bands: Option<&mut Vec<BandSlice>>,
    ) -> Result<Decimal> {
        let kind = self.kind;
        let delta = unit_value(l, kind);
        let (start, moving) = if self.scope == Scope::Transaction { (Decimal::ZERO, delta) } else { (pos, delta) };
        let (floor, ceil) = (self.floor, self.ceil);
        // one band over the whole basis when every slice is paid at one rate
        let whole: [Span; 1] = [(Decimal::MIN, None)];
        // `Some((band, rate))`: every slice at that rate; `None`: each band at its own rate
        let single: Option<(usize, &PayRate)> = match fixed {
            None if self.method == TierMethod::Retroactive => {
                // retroactive per transaction: the band the line's own value reaches
                let x = ceil.map_or(delta, |c| delta.min(c));
                let b = band_at(&self.spans, x, self.bounds);
                match b.and_then(|b| self.rates.get(b)).and_then(|r| r.as_ref()) {
                    Some(rt) => Some((b.unwrap_or(0), rt)),
                    None => return Ok(Decimal::ZERO),
                }
            }
            None => None,
            Some((b, Some(rt))) => Some((b.unwrap_or(0), rt)),
            Some((_, None)) => return Ok(Decimal::ZERO),
        };
        let spans: &[Span] = if single.is_some() { &whole } else { &self.spans };
        let mut amt = Decimal::ZERO;
        crate::tiers::each_slice(spans, start, moving, floor, ceil, &mut |i, o| {
            let (band, rt) = match single {
                Some(x) => x,
                None => match self.rates.get(i).and_then(|r| r.as_ref()) {
                    Some(rt) => (i, rt),
                    None => return Ok(()),
                },
            };
            amt = amt.add_c(pay_slice(l, kind, rt, band, o, bands.as_deref_mut())?, "a line")?;
            Ok(())
        })?;
        Ok(amt)
    }
}
