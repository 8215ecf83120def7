//! Crediting: which transaction counts for whom.
//!
//! Each transaction is checked (currency, dates, splits), converted into the plan currency, and
//! offered to every crediting rule whose filter it passes. Direct, split and overlay rules credit
//! payees named by the transaction or the rule; roll-up rules then credit the managers above each
//! of those payees, by the reporting lines in force on the credit date. A transaction ends up
//! **credited** (at least one credit line), **excluded** (no rule took it; each rule's reason is
//! kept) or **rejected** (it cannot be used; the reason is kept). Nothing is dropped silently.

use crate::calendar::Period;
use crate::fx::FxBook;
use crate::inputs::Transaction;
use crate::money::{pct, Checked};
use crate::plan::{CreditRule, DateField, Filter, FxDate, Plan};
use crate::quota::in_role;
use crate::statement::{FxNote, Reason, Rejected};
use crate::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// A credit line inside the engine (indices instead of ids).
#[derive(Debug, Clone)]
pub struct Credit {
    /// Index of the transaction in the input list.
    pub txn: usize,
    /// Index of the payee in the plan.
    pub payee: usize,
    /// Index of the crediting rule.
    pub rule: usize,
    /// Percentage of the transaction.
    pub share: Decimal,
    /// Amount in the plan currency.
    pub amount: Decimal,
    /// Units.
    pub quantity: Decimal,
    /// Deals (share as a fraction).
    pub deals: Decimal,
    /// Credit date.
    pub date: NaiveDate,
    /// Period index.
    pub period: usize,
    /// A negative line taking a cancelled transaction out of attainment.
    pub reversal: bool,
    /// Conversion applied.
    pub fx: Option<FxNote>,
    /// Explanation.
    pub trace: String,
}

/// What became of one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// Credited; the credit date falls in this period index.
    Credited(usize),
    /// Excluded, with reasons.
    Excluded(Vec<Reason>),
    /// Rejected.
    Rejected(Rejected),
}

/// The crediting of a whole input list.
#[derive(Debug, Clone, Default)]
pub struct Crediting {
    /// Every credit line of the plan year up to the evaluated period, sorted by credit date, then
    /// transaction id, then rule, then payee.
    pub lines: Vec<Credit>,
    /// The fate of every input transaction, by input index.
    pub fates: Vec<Option<Fate>>,
    /// The credit date and period of each credited transaction (for clawbacks).
    pub credit_dates: Vec<Option<(NaiveDate, usize)>>,
}

/// The date a plan credits a transaction on.
pub fn credit_date(t: &Transaction, field: DateField) -> Option<NaiveDate> {
    match field {
        DateField::Close => t.close_date,
        DateField::Booking => t.booking_date,
        DateField::Invoice => t.invoice_date,
        DateField::Payment => t.payment_date,
    }
}

fn date_field_name(field: DateField) -> &'static str {
    match field {
        DateField::Close => "closeDate",
        DateField::Booking => "bookingDate",
        DateField::Invoice => "invoiceDate",
        DateField::Payment => "paymentDate",
    }
}

/// Where a filter condition failed: the JSON-pointer suffix and an explanation.
pub type Miss = (String, String);

fn list_miss(name: &str, list: &Option<Vec<String>>, value: Option<&str>, what: &str) -> Option<Miss> {
    let list = list.as_ref()?;
    match value {
        Some(v) if list.iter().any(|x| x == v) => None,
        Some(v) => Some((format!("/{name}"), format!("{what} `{v}` is not one of {}", join(list)))),
        None => Some((
            format!("/{name}"),
            format!("the transaction has no {what}; the filter requires one of {}", join(list)),
        )),
    }
}

fn join(list: &[String]) -> String {
    let items: Vec<String> = list.iter().map(|s| format!("`{s}`")).collect();
    format!("[{}]", items.join(", "))
}

/// Checks a filter against a transaction (and, for measures, the credit rule id). Returns the
/// first failing condition.
pub fn filter_miss(f: &Filter, t: &Transaction, rule_id: Option<&str>) -> Option<Miss> {
    if let Some(m) = list_miss("products", &f.products, t.product.as_deref(), "product") {
        return Some(m);
    }
    if let Some(m) = list_miss("types", &f.types, t.kind.as_deref(), "type") {
        return Some(m);
    }
    if let Some(m) = list_miss("regions", &f.regions, t.region.as_deref(), "region") {
        return Some(m);
    }
    for (k, vals) in &f.attributes {
        let key = k.replace('~', "~0").replace('/', "~1");
        match t.attributes.get(k) {
            Some(v) if vals.iter().any(|x| x == v) => {}
            Some(v) => {
                return Some((
                    format!("/attributes/{key}"),
                    format!("attribute `{k}` is `{v}`, not one of {}", join(vals)),
                ))
            }
            None => {
                return Some((
                    format!("/attributes/{key}"),
                    format!("the transaction has no attribute `{k}`; the filter requires one of {}", join(vals)),
                ))
            }
        }
    }
    if let (Some(rules), Some(r)) = (&f.rules, rule_id) {
        if !rules.iter().any(|x| x == r) {
            return Some(("/rules".into(), format!("credit rule `{r}` is not one of {}", join(rules))));
        }
    }
    if let Some(ex) = &f.exclude {
        if filter_miss(ex, t, rule_id).is_none() && !ex.is_empty() {
            return Some(("/exclude".into(), "the transaction matches the filter's `exclude` conditions".into()));
        }
    }
    None
}

/// Whether a transaction passes a filter: [`filter_miss`] is `None`, without building the
/// explanation (the hot path of measures and previews).
pub fn filter_matches(f: &Filter, t: &Transaction, rule_id: Option<&str>) -> bool {
    let listed = |list: &Option<Vec<String>>, v: Option<&str>| {
        list.as_ref().is_none_or(|l| v.is_some_and(|v| l.iter().any(|x| x == v)))
    };
    if !listed(&f.products, t.product.as_deref())
        || !listed(&f.types, t.kind.as_deref())
        || !listed(&f.regions, t.region.as_deref())
    {
        return false;
    }
    for (k, vals) in &f.attributes {
        match t.attributes.get(k) {
            Some(v) if vals.iter().any(|x| x == v) => {}
            _ => return false,
        }
    }
    if let (Some(rules), Some(r)) = (&f.rules, rule_id) {
        if !rules.iter().any(|x| x == r) {
            return false;
        }
    }
    if let Some(ex) = &f.exclude {
        if !ex.is_empty() && filter_matches(ex, t, rule_id) {
            return false;
        }
    }
    true
}

/// Context the crediting needs from the compiled plan.
pub struct CreditContext<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// Its periods.
    pub periods: &'a [Period],
    /// Payee id to index.
    pub payee_index: &'a dyn Fn(&str) -> Option<usize>,
    /// Last period index whose credits are needed.
    pub upto: usize,
    /// Whether to write each line's trace (a preview does not need them).
    pub traces: bool,
}

impl CreditContext<'_> {
    fn period_of(&self, d: NaiveDate) -> Option<usize> {
        self.periods.iter().position(|p| p.contains(d))
    }

    fn manager_of(&self, payee: usize, d: NaiveDate) -> Option<usize> {
        let p = self.plan.payees.get(payee)?;
        let line = p.reports_to.iter().find(|r| r.from.is_none_or(|f| f <= d) && r.to.is_none_or(|t| d <= t))?;
        (self.payee_index)(line.manager.as_str())
    }
}

fn reject(t: &Transaction, index: usize, code: &str, field: &str, message: String) -> Fate {
    let path =
        if field.is_empty() { format!("/transactions/{index}") } else { format!("/transactions/{index}/{field}") };
    Fate::Rejected(Rejected { transaction: t.id.clone(), index, code: code.to_string(), path, message })
}

/// Credits every transaction. Rejections and exclusions are recorded in `fates`; an arithmetic
/// overflow is an error.
pub fn credit_all(ctx: &CreditContext<'_>, txns: &[Transaction]) -> Result<Crediting> {
    let plan = ctx.plan;
    let mut out = Crediting { lines: Vec::new(), fates: vec![None; txns.len()], credit_dates: vec![None; txns.len()] };
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let book = FxBook::new(&plan.currency, plan.fx.as_ref());
    let upto_end = ctx.periods.get(ctx.upto).map(|p| p.end);
    for (i, t) in txns.iter().enumerate() {
        let fate = credit_one(ctx, &book, t, i, &mut seen, upto_end, &mut out.lines)?;
        if let Fate::Credited(p) = &fate {
            if let Some(d) = credit_date(t, plan.crediting.credit_date) {
                if let Some(slot) = out.credit_dates.get_mut(i) {
                    *slot = Some((d, *p));
                }
            }
        }
        if let Some(slot) = out.fates.get_mut(i) {
            *slot = Some(fate);
        }
    }
    sort_lines(&mut out.lines, txns);
    Ok(out)
}

/// Why crediting rule `r` does not take transaction `t`, if it does not.
fn rule_filter_miss(r: usize, rule: &CreditRule, t: &Transaction) -> Option<Reason> {
    filter_miss(rule.filter(), t, None).map(|(p, m)| Reason {
        code: "FILTER_MISMATCH".into(),
        path: format!("/crediting/rules/{r}/filter{p}"),
        message: format!("rule `{}`: {m}", rule.id()),
    })
}

/// Sorts credit lines into processing order: credit date, transaction id, original before
/// reversal, rule, payee (then share and input position, so that the order is total).
pub fn sort_lines(lines: &mut [Credit], txns: &[Transaction]) {
    // the key is total; the shared index sort keeps the WebAssembly build small
    let cmp = |a: &Credit, b: &Credit| {
        a.date
            .cmp(&b.date)
            .then_with(|| txns.get(a.txn).map(|t| &t.id).cmp(&txns.get(b.txn).map(|t| &t.id)))
            .then(a.reversal.cmp(&b.reversal))
            .then(a.rule.cmp(&b.rule))
            .then(a.payee.cmp(&b.payee))
            .then(a.share.cmp(&b.share))
            .then(a.txn.cmp(&b.txn))
    };
    let mut order: Vec<usize> = (0..lines.len()).collect();
    crate::small::sort_indices(&mut order, &|i, j| match (lines.get(i), lines.get(j)) {
        (Some(a), Some(b)) => cmp(a, b),
        _ => std::cmp::Ordering::Equal,
    });
    crate::small::permute(lines, &order);
}

#[allow(clippy::too_many_arguments)]
fn credit_one<'t>(
    ctx: &CreditContext<'_>,
    book: &FxBook<'_>,
    t: &'t Transaction,
    i: usize,
    seen: &mut BTreeSet<&'t str>,
    upto_end: Option<NaiveDate>,
    lines: &mut Vec<Credit>,
) -> Result<Fate> {
    let plan = ctx.plan;
    if t.id.trim().is_empty() {
        return Ok(reject(t, i, "EMPTY_ID", "id", "the transaction has no id".into()));
    }
    if !seen.insert(t.id.as_str()) {
        return Ok(reject(
            t,
            i,
            "DUPLICATE_TRANSACTION",
            "id",
            format!("transaction id `{}` appears more than once; only the first is used", t.id),
        ));
    }
    let currency = t.currency.as_deref().unwrap_or(&plan.currency);
    if plan.minor_units(currency).is_none() {
        return Ok(reject(t, i, "UNKNOWN_CURRENCY", "currency", format!("currency `{currency}` is not an ISO 4217 code known to the plan; declare it in the plan's `currencies`")));
    }
    let field = plan.crediting.credit_date;
    let Some(date) = credit_date(t, field) else {
        return Ok(reject(
            t,
            i,
            "MISSING_CREDIT_DATE",
            date_field_name(field),
            format!("the plan credits on `{}` but the transaction has none", date_field_name(field)),
        ));
    };
    if let Some(q) = t.quantity {
        if q.is_sign_negative() && !t.amount.is_sign_negative() {
            return Ok(reject(
                t,
                i,
                "NEGATIVE_QUANTITY",
                "quantity",
                format!("quantity {q} is negative while the amount is not"),
            ));
        }
    }
    if let Some(c) = t.cancellation_date {
        if c < date {
            return Ok(reject(
                t,
                i,
                "CANCELLATION_BEFORE_CREDIT",
                "cancellationDate",
                format!("cancelled on {c}, before its credit date {date}"),
            ));
        }
    }
    if let Some(r) = t.refund_amount {
        if r.is_sign_negative() || r.abs() > t.amount.abs() {
            return Ok(reject(
                t,
                i,
                "INVALID_REFUND",
                "refundAmount",
                format!("refund {r} must be between 0 and the amount {}", t.amount),
            ));
        }
    }
    let Some(period) = ctx.period_of(date) else {
        return Ok(Fate::Excluded(vec![Reason {
            code: "OUT_OF_RANGE".into(),
            path: "/calendar".into(),
            message: format!("credit date {date} is outside the plan year"),
        }]));
    };
    if upto_end.is_some_and(|e| date > e) {
        let pid = ctx.periods.get(ctx.upto).map(|p| p.id.as_str()).unwrap_or("");
        return Ok(Fate::Excluded(vec![Reason {
            code: "OUT_OF_RANGE".into(),
            path: "/calendar".into(),
            message: format!("credit date {date} is after the evaluated period {pid}"),
        }]));
    }
    // currency conversion
    let (amount, fx) = if currency == plan.currency {
        (t.amount, None)
    } else {
        let rate_date = match plan.fx.as_ref().map(|f| f.rate_date) {
            Some(FxDate::PeriodEnd) => ctx.periods.get(period).map(|p| p.end).unwrap_or(date),
            _ => date,
        };
        let Some(rate) = book.rate(currency, rate_date)? else {
            return Ok(reject(
                t,
                i,
                "NO_FX_RATE",
                "currency",
                format!("no exchange rate from {currency} to {} on {rate_date}", plan.currency),
            ));
        };
        let mut converted = t.amount.mul_c(rate, "a currency conversion")?;
        if plan.rounding.stage == crate::money::RoundingStage::Line {
            let scale = plan.rounding.scale_for(plan.minor_units(&plan.currency).unwrap_or(2));
            converted = plan.rounding.round(converted, scale);
        }
        (converted, Some(FxNote { amount: t.amount, currency: currency.to_string(), rate, rate_date }))
    };
    // a credit memo (negative amount) is not a deal: it counts no deal and, unless it says
    // otherwise, no unit
    let credit_memo = t.amount.is_sign_negative() && !t.amount.is_zero();
    let quantity = t.quantity.unwrap_or(if credit_memo { Decimal::ZERO } else { Decimal::ONE });

    // base rules
    let mut reasons: Vec<Reason> = Vec::new();
    // (payee, rule, share%, how)
    let mut grants: Vec<(usize, usize, Decimal, String)> = Vec::new();
    for (r, rule) in plan.crediting.rules.iter().enumerate() {
        if matches!(rule, CreditRule::Rollup { .. }) {
            continue;
        }
        if let Some(reason) = rule_filter_miss(r, rule, t) {
            reasons.push(reason);
            continue;
        }
        let owner = || -> std::result::Result<usize, Fate> {
            let Some(o) = t.owner.as_deref() else {
                return Err(reject(
                    t,
                    i,
                    "MISSING_OWNER",
                    "owner",
                    format!("rule `{}` credits the owner but the transaction has none", rule.id()),
                ));
            };
            (ctx.payee_index)(o).ok_or_else(|| {
                reject(t, i, "UNKNOWN_PAYEE", "owner", format!("owner `{o}` is not a payee of the plan"))
            })
        };
        match rule {
            CreditRule::Direct { percent, .. } => {
                let p = match owner() {
                    Ok(p) => p,
                    Err(f) => return Ok(f),
                };
                grants.push((p, r, percent.unwrap_or(Decimal::ONE_HUNDRED), "owner".into()));
            }
            CreditRule::Split { shares, must_total, .. } => {
                if !shares.is_empty() {
                    for s in shares {
                        let Some(p) = (ctx.payee_index)(s.payee.as_str()) else {
                            return Ok(reject(
                                t,
                                i,
                                "UNKNOWN_PAYEE",
                                "",
                                format!("rule `{}` shares to unknown payee `{}`", rule.id(), s.payee),
                            ));
                        };
                        grants.push((p, r, s.percent, "fixed share".into()));
                    }
                } else if !t.splits.is_empty() {
                    let mut total = Decimal::ZERO;
                    for (k, s) in t.splits.iter().enumerate() {
                        let Some(p) = (ctx.payee_index)(s.payee.as_str()) else {
                            return Ok(reject(
                                t,
                                i,
                                "UNKNOWN_PAYEE",
                                &format!("splits/{k}/payee"),
                                format!("split participant `{}` is not a payee of the plan", s.payee),
                            ));
                        };
                        if s.percent <= Decimal::ZERO {
                            return Ok(reject(
                                t,
                                i,
                                "INVALID_SPLIT",
                                &format!("splits/{k}/percent"),
                                format!("split percentage {} must be positive", s.percent),
                            ));
                        }
                        total = total.add_c(s.percent, "split percentages")?;
                        grants.push((p, r, s.percent, "split".into()));
                    }
                    if let Some(want) = must_total {
                        if total != *want {
                            return Ok(reject(
                                t,
                                i,
                                "SPLIT_TOTAL",
                                "splits",
                                format!(
                                    "split percentages add up to {total}, the plan requires {want} (rule `{}`)",
                                    rule.id()
                                ),
                            ));
                        }
                    }
                } else {
                    let p = match owner() {
                        Ok(p) => p,
                        Err(f) => return Ok(f),
                    };
                    grants.push((p, r, Decimal::ONE_HUNDRED, "owner (no splits)".into()));
                }
            }
            CreditRule::Overlay { payee, percent, .. } => {
                let Some(p) = (ctx.payee_index)(payee.as_str()) else {
                    return Ok(reject(
                        t,
                        i,
                        "UNKNOWN_PAYEE",
                        "",
                        format!("overlay rule `{}` names unknown payee `{payee}`", rule.id()),
                    ));
                };
                grants.push((p, r, *percent, "overlay".into()));
            }
            CreditRule::Rollup { .. } => {}
        }
    }
    // roll-ups of the base grants
    let base = grants.clone();
    for (r, rule) in plan.crediting.rules.iter().enumerate() {
        let CreditRule::Rollup { levels, percent, from_rules, .. } = rule else {
            continue;
        };
        if let Some(reason) = rule_filter_miss(r, rule, t) {
            reasons.push(reason);
            continue;
        }
        let pc = percent.unwrap_or(Decimal::ONE_HUNDRED);
        for (payee, src_rule, share, _) in &base {
            // a team member out of role on the credit date gets no credit, so nothing rolls up
            if plan.payees.get(*payee).is_none_or(|p| !in_role(p, date)) {
                continue;
            }
            let src_id = plan.crediting.rules.get(*src_rule).map(|x| x.id()).unwrap_or("");
            if !from_rules.is_empty() && !from_rules.iter().any(|f| f == src_id) {
                continue;
            }
            let mut cur = *payee;
            let max_levels = levels.unwrap_or(u32::MAX).min(plan.payees.len() as u32);
            for level in 1..=max_levels {
                let Some(m) = ctx.manager_of(cur, date) else {
                    break;
                };
                let s = share.mul_c(pct(pc), "a roll-up share")?;
                let member = plan.payees.get(*payee).map(|p| p.id.as_str()).unwrap_or("");
                grants.push((m, r, s, format!("roll-up level {level} from `{member}`")));
                cur = m;
            }
        }
    }
    // lines, keeping only payees in role on the credit date
    let mut made = 0;
    for (p, r, share, how) in grants {
        let Some(payee) = plan.payees.get(p) else {
            continue;
        };
        let rule_id = plan.crediting.rules.get(r).map(|x| x.id()).unwrap_or("");
        if !in_role(payee, date) {
            reasons.push(Reason {
                code: "PAYEE_NOT_IN_ROLE".into(),
                path: format!("/payees/{p}"),
                message: format!("rule `{rule_id}`: payee `{}` is not in role on {date}", payee.id),
            });
            continue;
        }
        let f = pct(share);
        let line_amount = amount.mul_c(f, "a credit share")?;
        let mut trace = String::new();
        if ctx.traces {
            trace = format!(
                "{} {}% of {} {} ({how}) by rule `{rule_id}`",
                payee.id,
                share.normalize(),
                t.id,
                fmt_amount(t.amount, currency)
            );
        }
        if let (true, Some(x)) = (ctx.traces, &fx) {
            trace.push_str(&format!(
                "; converted at {} {}/{} on {}",
                x.rate.normalize(),
                plan.currency,
                x.currency,
                x.rate_date
            ));
        }
        lines.push(Credit {
            txn: i,
            payee: p,
            rule: r,
            share,
            amount: line_amount,
            quantity: quantity.mul_c(f, "credited units")?,
            deals: if credit_memo { Decimal::ZERO } else { f },
            date,
            period,
            reversal: false,
            fx: fx.clone(),
            trace,
        });
        made += 1;
    }
    if made == 0 {
        if reasons.is_empty() {
            reasons.push(Reason {
                code: "NO_RULE".into(),
                path: "/crediting/rules".into(),
                message: "no crediting rule credits this transaction".into(),
            });
        }
        return Ok(Fate::Excluded(reasons));
    }
    Ok(Fate::Credited(period))
}

fn fmt_amount(a: Decimal, currency: &str) -> String {
    format!("{} {currency}", a.normalize())
}
