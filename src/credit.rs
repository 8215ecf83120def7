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
    /// Conversion applied (boxed: most lines have none, and lines are moved when sorted).
    pub fx: Option<Box<FxNote>>,
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
    /// Every credit line of the plan year up to the evaluated period, sorted by payee, then into
    /// each payee's processing order (see [`sort_lines`]).
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

/// The fields of a transaction that filters test: what [`filter_matches_fields`] reads, from a
/// [`Transaction`] or from a row of [`TransactionColumns`](crate::columns::TransactionColumns).
pub trait Fields {
    /// The product.
    fn product(&self) -> Option<&str>;
    /// The transaction type.
    fn kind(&self) -> Option<&str>;
    /// The region.
    fn region(&self) -> Option<&str>;
    /// The value of an attribute.
    fn attribute(&self, key: &str) -> Option<&str>;
}

impl Fields for Transaction {
    fn product(&self) -> Option<&str> {
        self.product.as_deref()
    }

    fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }

    fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }
}

/// Whether a transaction passes a filter: [`filter_miss`] is `None`, without building the
/// explanation (the hot path of measures and previews).
pub fn filter_matches(f: &Filter, t: &Transaction, rule_id: Option<&str>) -> bool {
    filter_matches_fields(f, t, rule_id)
}

/// [`filter_matches`] for any [`Fields`].
pub fn filter_matches_fields<T: Fields + ?Sized>(f: &Filter, t: &T, rule_id: Option<&str>) -> bool {
    let listed = |list: &Option<Vec<String>>, v: Option<&str>| {
        list.as_ref().is_none_or(|l| v.is_some_and(|v| l.iter().any(|x| x == v)))
    };
    if !listed(&f.products, t.product()) || !listed(&f.types, t.kind()) || !listed(&f.regions, t.region()) {
        return false;
    }
    for (k, vals) in &f.attributes {
        match t.attribute(k) {
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
        if !ex.is_empty() && filter_matches_fields(ex, t, rule_id) {
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
    /// Each payee's reporting lines with the manager as a payee index, in the order of
    /// `reports_to` (see [`CreditContext::managers`]); without it, managers are looked up by id.
    pub managers: Option<&'a [Vec<Option<usize>>]>,
}

impl CreditContext<'_> {
    fn period_of(&self, d: NaiveDate) -> Option<usize> {
        self.periods.iter().position(|p| p.contains(d))
    }

    fn manager_of(&self, payee: usize, d: NaiveDate) -> Option<usize> {
        let p = self.plan.payees.get(payee)?;
        let k = p.reports_to.iter().position(|r| r.from.is_none_or(|f| f <= d) && r.to.is_none_or(|t| d <= t))?;
        match self.managers {
            Some(m) => m.get(payee).and_then(|v| v.get(k)).copied().flatten(),
            None => (self.payee_index)(p.reports_to.get(k)?.manager.as_str()),
        }
    }

    /// The managers of every payee's reporting lines as payee indices (for [`CreditContext::managers`]:
    /// one lookup per reporting line instead of one per rolled-up credit).
    pub fn managers(plan: &Plan, payee_index: &dyn Fn(&str) -> Option<usize>) -> Vec<Vec<Option<usize>>> {
        plan.payees.iter().map(|p| p.reports_to.iter().map(|r| payee_index(r.manager.as_str())).collect()).collect()
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
    let n = txns.len();
    let mut out = Crediting {
        lines: Vec::with_capacity(n.saturating_add(n / 2)),
        fates: vec![None; n],
        credit_dates: vec![None; n],
    };
    // A transaction repeating the id of an earlier one is a duplicate: one pass over a hash index
    // of the ids finds them all.
    let repeats = crate::small::StrIndex::repeats(txns.iter().map(|t| t.id.as_str()));
    let book = FxBook::new(&plan.currency, plan.fx.as_ref());
    let upto_end = ctx.periods.get(ctx.upto).map(|p| p.end);
    let mut grants = Vec::new();
    for (i, t) in txns.iter().enumerate() {
        let dup = repeats.get(i).copied().unwrap_or(false);
        let fate = credit_one(ctx, &book, t, i, dup, upto_end, &mut grants, &mut out.lines)?;
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
    if !rule.filter().reads_transaction() {
        // no condition on the transaction (the usual rule): it takes every transaction
        return None;
    }
    filter_miss(rule.filter(), t, None).map(|(p, m)| Reason {
        code: "FILTER_MISMATCH".into(),
        path: format!("/crediting/rules/{r}/filter{p}"),
        message: format!("rule `{}`: {m}", rule.id()),
    })
}

/// Sorts credit lines by payee, then into each payee's processing order: credit date,
/// transaction id, original before reversal, rule (then share and input position, so that the
/// order is total).
///
/// Grouping by payee first (a counting sort) leaves short runs to order: sorting them costs
/// O(n log(n / payees)) comparisons instead of O(n log n); ids are compared only between lines of
/// one date.
pub fn sort_lines(lines: &mut [Credit], txns: &[Transaction]) {
    let id = |l: &Credit| txns.get(l.txn).map(|t| t.id.as_str());
    // the key is total; the shared index sort keeps the WebAssembly build small
    let cmp = |i: usize, j: usize| match (lines.get(i), lines.get(j)) {
        (Some(a), Some(b)) => a.payee.cmp(&b.payee).then_with(|| {
            a.date
                .cmp(&b.date)
                .then_with(|| id(a).cmp(&id(b)))
                .then_with(|| a.reversal.cmp(&b.reversal))
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| a.share.cmp(&b.share))
                .then_with(|| a.txn.cmp(&b.txn))
        }),
        _ => std::cmp::Ordering::Equal,
    };
    let n = lines.len();
    if (1..n).all(|i| cmp(i - 1, i) != std::cmp::Ordering::Greater) {
        return;
    }
    // counting sort by payee (stable), then each payee's run by the full order
    let payees = lines.iter().map(|l| l.payee).max().map_or(0, |m| m.saturating_add(1));
    let mut start = vec![0usize; payees.saturating_add(1)];
    for l in lines.iter() {
        if let Some(c) = start.get_mut(l.payee.saturating_add(1)) {
            *c += 1;
        }
    }
    for p in 1..start.len() {
        let before = start.get(p - 1).copied().unwrap_or(0);
        if let Some(c) = start.get_mut(p) {
            *c += before;
        }
    }
    let mut order = vec![0usize; n];
    let mut next = start.clone();
    for (i, l) in lines.iter().enumerate() {
        if let Some(at) = next.get_mut(l.payee) {
            if let Some(slot) = order.get_mut(*at) {
                *slot = i;
            }
            *at += 1;
        }
    }
    for w in start.windows(2) {
        if let [a, b] = *w {
            if let Some(run) = order.get_mut(a..b) {
                crate::small::sort_indices(run, &cmp);
            }
        }
    }
    crate::small::permute(lines, &order);
}

/// How a payee came to be credited (written into a line's trace only when traces are asked for).
#[derive(Debug, Clone, Copy)]
pub(crate) enum How {
    Owner,
    OwnerNoSplits,
    FixedShare,
    Split,
    Overlay,
    /// A roll-up `level` levels above team member `member` (a payee index).
    Rollup {
        level: u32,
        member: usize,
    },
}

impl How {
    fn words(self, plan: &Plan) -> String {
        match self {
            How::Owner => "owner".into(),
            How::OwnerNoSplits => "owner (no splits)".into(),
            How::FixedShare => "fixed share".into(),
            How::Split => "split".into(),
            How::Overlay => "overlay".into(),
            How::Rollup { level, member } => {
                let member = plan.payees.get(member).map(|p| p.id.as_str()).unwrap_or("");
                format!("roll-up level {level} from `{member}`")
            }
        }
    }
}

/// One grant of credit while a transaction is credited: payee, rule, share in percent, how.
pub(crate) type Grant = (usize, usize, Decimal, How);

/// Adds to `grants` the roll-up grants of its base grants (the managers above each credited
/// payee, by the reporting lines in force on `date`); a roll-up rule whose filter the
/// transaction misses adds its reason to `reasons`.
pub(crate) fn roll_up(
    ctx: &CreditContext<'_>,
    t: &Transaction,
    date: NaiveDate,
    grants: &mut Vec<Grant>,
    reasons: &mut Vec<Reason>,
) -> Result<()> {
    let plan = ctx.plan;
    let base = grants.len();
    for (r, rule) in plan.crediting.rules.iter().enumerate() {
        let CreditRule::Rollup { levels, percent, from_rules, .. } = rule else {
            continue;
        };
        if let Some(reason) = rule_filter_miss(r, rule, t) {
            reasons.push(reason);
            continue;
        }
        let pc = pct(percent.unwrap_or(Decimal::ONE_HUNDRED));
        for g in 0..base {
            let Some(&(payee, src_rule, share, _)) = grants.get(g) else {
                continue;
            };
            let (payee, src_rule, share) = (&payee, &src_rule, &share);
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
                let s = share.mul_c(pc, "a roll-up share")?;
                grants.push((m, r, s, How::Rollup { level, member: *payee }));
                cur = m;
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn credit_one(
    ctx: &CreditContext<'_>,
    book: &FxBook<'_>,
    t: &Transaction,
    i: usize,
    duplicate: bool,
    upto_end: Option<NaiveDate>,
    grants: &mut Vec<Grant>,
    lines: &mut Vec<Credit>,
) -> Result<Fate> {
    let plan = ctx.plan;
    if t.id.trim().is_empty() {
        return Ok(reject(t, i, "EMPTY_ID", "id", "the transaction has no id".into()));
    }
    if duplicate {
        return Ok(reject(
            t,
            i,
            "DUPLICATE_TRANSACTION",
            "id",
            format!("transaction id `{}` appears more than once; only the first is used", t.id),
        ));
    }
    let currency = t.currency.as_deref().unwrap_or(&plan.currency);
    // (the plan's own currency is known: validation checked it)
    if currency != plan.currency && plan.minor_units(currency).is_none() {
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
        (converted, Some(Box::new(FxNote { amount: t.amount, currency: currency.to_string(), rate, rate_date })))
    };
    // a credit memo (negative amount) is not a deal: it counts no deal and, unless it says
    // otherwise, no unit
    let credit_memo = t.amount.is_sign_negative() && !t.amount.is_zero();
    let quantity = t.quantity.unwrap_or(if credit_memo { Decimal::ZERO } else { Decimal::ONE });

    // base rules
    let mut reasons: Vec<Reason> = Vec::new();
    grants.clear();
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
                grants.push((p, r, percent.unwrap_or(Decimal::ONE_HUNDRED), How::Owner));
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
                        grants.push((p, r, s.percent, How::FixedShare));
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
                        grants.push((p, r, s.percent, How::Split));
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
                    grants.push((p, r, Decimal::ONE_HUNDRED, How::OwnerNoSplits));
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
                grants.push((p, r, *percent, How::Overlay));
            }
            CreditRule::Rollup { .. } => {}
        }
    }
    roll_up(ctx, t, date, grants, &mut reasons)?;
    // lines, keeping only payees in role on the credit date
    let whole = pct(Decimal::ONE_HUNDRED);
    let mut made = 0;
    for &(p, r, share, how) in grants.iter() {
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
        // (a whole share, written `100`, is the usual case: its fraction is computed once)
        let f = if share.scale() == 0 && share == Decimal::ONE_HUNDRED { whole } else { pct(share) };
        let line_amount = amount.mul_c(f, "a credit share")?;
        let mut trace = String::new();
        if ctx.traces {
            trace = format!(
                "{} {}% of {} {} ({}) by rule `{rule_id}`",
                payee.id,
                share.normalize(),
                t.id,
                fmt_amount(t.amount, currency),
                how.words(plan)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn txn(id: &str) -> Transaction {
        Transaction { id: id.into(), ..Default::default() }
    }

    fn line(txn: usize, date: &str, payee: usize) -> Credit {
        Credit {
            txn,
            payee,
            rule: 0,
            share: Decimal::ONE_HUNDRED,
            amount: Decimal::ONE,
            quantity: Decimal::ONE,
            deals: Decimal::ONE,
            date: date.parse().unwrap(),
            period: 0,
            reversal: false,
            fx: None,
            trace: String::new(),
        }
    }

    #[test]
    fn lines_sort_by_payee_then_date_then_id() {
        let txns: Vec<Transaction> = ["T9", "T10", "A"].into_iter().map(txn).collect();
        let mut lines = vec![
            line(0, "2025-01-02", 1),
            line(0, "2025-01-02", 0),
            line(1, "2025-01-02", 0),
            line(2, "2025-01-03", 0),
            line(2, "1999-12-31", 0),
        ];
        sort_lines(&mut lines, &txns);
        let order: Vec<(usize, usize)> = lines.iter().map(|l| (l.txn, l.payee)).collect();
        // payee by payee; each payee's lines by date, then id
        assert_eq!(order, vec![(2, 0), (1, 0), (0, 0), (2, 0), (0, 1)]);
        assert_eq!(lines[0].date.to_string(), "1999-12-31");
    }
}
