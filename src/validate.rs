//! Plan validation: every problem at once, as diagnostics with stable codes and JSON pointers.
//!
//! [`validate`] walks the plan document in order and reports every problem it finds as a
//! [`Diagnostic`]: a stable `SCREAMING_SNAKE_CASE` code, a severity, a JSON pointer (RFC 6901) to the
//! offending value and a message that says what is wrong, the values involved and what was expected.
//! Diagnostics come out in the order the walk reaches the value that reveals them (a problem found
//! while checking a component but located elsewhere, such as a payee without a target incentive, is
//! reported when the component is checked).
//!
//! The evaluation engine refuses a plan with error diagnostics. When [`has_errors`] is false for a
//! plan, the engine may rely on (among others):
//! - every id (payee, measure, credit rule, component, draw, holdback, custom period, MBO objective
//!   within its component) is non-empty and unique, and every reference names an existing item;
//! - the plan currency, the FX base and every FX rate currency are known; FX rates are positive, do
//!   not overlap, leave no gap, and cover the plan year from its first day; the plan currency can be
//!   converted to the base;
//! - the plan year is in the date range and its periods tile it exactly;
//! - the manager graph has no cycle and each payee has at most one manager on any day;
//! - every quota has exactly one of `annual` / `periods`, no negative amount, and usable
//!   seasonality weights (none negative, a positive total);
//! - tier bands are ordered, contiguous, non-empty, start at 0 or above, and only the last is open;
//!   curves have at least two points with strictly increasing `x`; matrices have the declared shape
//!   and strictly increasing breaks; milestones are strictly increasing; MBO weights add up to 1;
//! - no rate is negative and every `multiplier` rate has a non-multiplier `baseRate` to multiply;
//! - every payee paid by a fraction of target incentive has one;
//! - caps are positive; draw, recovery and holdback amounts and percentages are in range; a payee has
//!   at most one draw in a period.
//!
//! ```
//! let plan = payplan::Plan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
//! let diags = payplan::validate(&plan);
//! assert!(!payplan::validate::has_errors(&diags));
//!
//! let diags = payplan::validate::validate_json(r#"{"schemaVersion": 1, "id": 5}"#);
//! assert_eq!(diags.len(), 1);
//! assert_eq!(diags[0].code, "PARSE_ERROR");
//! assert_eq!(diags[0].path, "/id");
//! ```

use crate::calendar::PeriodType;
use crate::error::{Diagnostic, Error, Severity};
use crate::money::{fmt_dec, MAX_SCALE};
use crate::plan::{
    Basis, Cap, CapPer, Component, ComponentKind, CreditRule, CurveOutput, DrawKind, Excess, Filter, Gate, Indicator,
    Multiplier, PayFrom, Plan, Rate, Release, Scope, TierMethod, Whose,
};
use crate::small::sort_indices;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// Checks a plan and returns every problem found (errors and warnings), in document order.
///
/// ```
/// let mut plan = payplan::Plan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
/// plan.schema_version = 2;
/// let diags = payplan::validate(&plan);
/// assert_eq!(diags[0].code, "SCHEMA_VERSION");
/// assert_eq!(diags[0].path, "/schemaVersion");
/// ```
///
/// A plan over the default [`Limits`](crate::limits::Limits) (too many payees, components, bands...)
/// gives one `LIMIT_EXCEEDED` error and is not validated further.
pub fn validate(plan: &Plan) -> Vec<Diagnostic> {
    if let Err(e) = crate::limits::Limits::default().check_plan(plan) {
        return vec![Diagnostic::error(e.code(), e.path().unwrap_or_default(), e.to_string())];
    }
    validate_within_limits(plan)
}

/// [`validate`] without the check of the limits (the caller has checked its own).
pub(crate) fn validate_within_limits(plan: &Plan) -> Vec<Diagnostic> {
    let mut v = Validator::new(plan);
    v.run();
    v.out
}

/// Whether any diagnostic is an error (warnings alone do not stop evaluation).
///
/// ```
/// use payplan::Diagnostic;
/// assert!(!payplan::validate::has_errors(&[Diagnostic::warning("ZERO_QUOTA", "/quotas/0/annual", "zero")]));
/// assert!(payplan::validate::has_errors(&[Diagnostic::error("UNKNOWN_PAYEE", "/quotas/0/payee", "x")]));
/// ```
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// Parses plan JSON and validates it. A document that cannot be read gives exactly one
/// `PARSE_ERROR` diagnostic, at the JSON pointer of the offending value, and nothing else.
///
/// ```
/// let diags = payplan::validate::validate_json("{ not json");
/// assert_eq!(diags.len(), 1);
/// assert_eq!(diags[0].code, "PARSE_ERROR");
/// ```
pub fn validate_json(text: &str) -> Vec<Diagnostic> {
    match Plan::from_json(text) {
        Ok(plan) => validate(&plan),
        Err(Error::Parse { path, message, .. }) => {
            // the parser marks a step it cannot name (for a syntax error, say) with `?`: point at
            // the deepest value that is known instead ("" is the whole document)
            let known: Vec<&str> = path.split('/').take_while(|seg| *seg != "?").collect();
            vec![Diagnostic::error("PARSE_ERROR", known.join("/"), format!("the plan could not be read: {message}"))]
        }
        Err(e) => vec![Diagnostic::error(e.code(), e.path().unwrap_or("").to_string(), e.to_string())],
    }
}

/// `base` followed by `tail` (a path below `base`), without the formatting machinery.
#[inline(never)]
fn join(base: &str, tail: &str) -> String {
    let mut s = String::with_capacity(base.len() + tail.len());
    s.push_str(base);
    s.push_str(tail);
    s
}

/// `{base}{mid}{i}{tail}`: the pointer to item `i` of a list (`item(&base, "/tiers/", 2, "/rate")`),
/// without the formatting machinery (one call in place of a `format!` at each of some 50 places).
#[inline(never)]
fn item(base: &str, mid: &str, i: usize, tail: &str) -> String {
    let mut s = String::with_capacity(base.len() + mid.len() + tail.len() + 4);
    s.push_str(base);
    s.push_str(mid);
    crate::jsonwrite::uint(&mut s, i as u64);
    s.push_str(tail);
    s
}

/// `{base}{mid}{name}`: the pointer to a member named at run time (`member(&base, "/baseRate/", "percent")`).
#[inline(never)]
fn member(base: &str, mid: &str, name: &str) -> String {
    let mut s = String::with_capacity(base.len() + mid.len() + name.len());
    s.push_str(base);
    s.push_str(mid);
    s.push_str(name);
    s
}

/// A diagnostic's message: text, or the arguments of a `format_args!` written out only here (not at
/// each of the hundred places that report a problem).
trait Message {
    fn text(self) -> String;
}

impl Message for &str {
    fn text(self) -> String {
        self.to_string()
    }
}

impl Message for String {
    fn text(self) -> String {
        self
    }
}

impl Message for std::fmt::Arguments<'_> {
    fn text(self) -> String {
        std::fmt::format(self)
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
fn esc(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `{"percent": "8"}` -> ("percent", 8).
fn rate_parts(rate: &Rate) -> (&'static str, Decimal) {
    match rate {
        Rate::Percent(d) => ("percent", *d),
        Rate::PerUnit(d) => ("perUnit", *d),
        Rate::PerDeal(d) => ("perDeal", *d),
        Rate::Multiplier(d) => ("multiplier", *d),
    }
}

fn basis_name(b: Basis) -> &'static str {
    match b {
        Basis::Attainment => "attainment",
        Basis::Value => "value",
    }
}

fn list(items: &[&str]) -> String {
    items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// Whether a payee is selected by a roles list and a payees list (both empty: everybody).
fn selects(roles: &[String], payees: &[String], payee_id: &str, payee_role: &str) -> bool {
    (roles.is_empty() && payees.is_empty())
        || roles.iter().any(|r| r == payee_role)
        || payees.iter().any(|p| p == payee_id)
}

/// Whether two inclusive date ranges (open ends as `None`) share a day.
fn ranges_overlap(a: (Option<NaiveDate>, Option<NaiveDate>), b: (Option<NaiveDate>, Option<NaiveDate>)) -> bool {
    let a_from = a.0.unwrap_or(NaiveDate::MIN);
    let a_to = a.1.unwrap_or(NaiveDate::MAX);
    let b_from = b.0.unwrap_or(NaiveDate::MIN);
    let b_to = b.1.unwrap_or(NaiveDate::MAX);
    a_from <= b_to && b_from <= a_to
}

fn fmt_range(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    let f = from.map(|d| d.to_string()).unwrap_or_else(|| "always".to_string());
    let t = to.map(|d| d.to_string()).unwrap_or_else(|| "open".to_string());
    format!("{f} to {t}")
}

/// Diagnostics held back by the index of the array item they concern, in the order found. (A list
/// rather than a map keyed by index: the lists are short, and every distinct map type adds its own
/// copy of the B-tree code to the WebAssembly module.)
type Buckets = Vec<(usize, Diagnostic)>;

/// Groups diagnostics by the array index that follows `prefix` (for example `/fx/rates/`) in their
/// path; a path without one goes last.
fn bucket_by(diags: Vec<Diagnostic>, prefix: &str) -> Buckets {
    let mut out = Buckets::new();
    for d in diags {
        let i = d
            .path
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('/').next())
            .and_then(|tok| tok.parse::<usize>().ok())
            .unwrap_or(usize::MAX);
        out.push((i, d));
    }
    out
}

/// Pairs of strings (payee, measure) with a value each (the index of the first occurrence): the
/// first string keys a map shared in type with the rest of the crate, the second is looked up in a
/// short list.
#[derive(Default)]
struct PairIndex<'a> {
    slots: BTreeMap<&'a str, usize>,
    lists: Vec<Vec<(&'a str, usize)>>,
}

impl<'a> PairIndex<'a> {
    fn get(&self, a: &str, b: &str) -> Option<usize> {
        let slot = self.slots.get(a).and_then(|&s| self.lists.get(s))?;
        slot.iter().find(|(x, _)| *x == b).map(|&(_, v)| v)
    }

    /// Inserts unless present: the value already there when there is one (which stays), else `None`.
    fn insert(&mut self, a: &'a str, b: &'a str, v: usize) -> Option<usize> {
        let n = self.lists.len();
        let s = *self.slots.entry(a).or_insert(n);
        if s == n {
            self.lists.push(Vec::new());
        }
        let list = self.lists.get_mut(s)?;
        let first = list.iter().find(|(x, _)| *x == b).map(|&(_, f)| f);
        if first.is_none() {
            list.push((b, v));
        }
        first
    }
}

/// Items grouped by a string key, groups in key order.
#[derive(Default)]
struct Groups<'a> {
    slots: BTreeMap<&'a str, usize>,
    lists: Vec<Vec<usize>>,
}

/// A set of strings built by inserting one by one (collecting into a set sorts, which would add a
/// sort's code for each such set type).
fn str_set<'a>(items: impl Iterator<Item = &'a str>) -> BTreeSet<&'a str> {
    let mut set = BTreeSet::new();
    for s in items {
        set.insert(s);
    }
    set
}

/// A band of a tier table or a multiplier, for the shared band checks.
struct Band {
    from: Decimal,
    to: Option<Decimal>,
}

struct Validator<'a> {
    plan: &'a Plan,
    out: Vec<Diagnostic>,
    /// Payee id -> index of its first occurrence.
    payees: BTreeMap<&'a str, usize>,
    roles: BTreeSet<&'a str>,
    measures: BTreeSet<&'a str>,
    /// Credit rule id -> 1 when it is a roll-up rule, else 0 (first occurrence).
    rules: BTreeMap<&'a str, usize>,
    components: BTreeSet<&'a str>,
    /// The plan's period ids in order, or `None` when they cannot be known (year out of range).
    periods: Option<Vec<String>>,
    /// The plan year, when in range.
    year: Option<(NaiveDate, NaiveDate)>,
    /// (payee, measure) pairs that have a quota.
    quota_pairs: PairIndex<'a>,
}

impl<'a> Validator<'a> {
    fn new(plan: &'a Plan) -> Self {
        let mut payees = BTreeMap::new();
        for (i, p) in plan.payees.iter().enumerate() {
            payees.entry(p.id.as_str()).or_insert(i);
        }
        let mut rules = BTreeMap::new();
        for r in &plan.crediting.rules {
            rules.entry(r.id()).or_insert(usize::from(matches!(r, CreditRule::Rollup { .. })));
        }
        let year_end = plan.calendar.year_end();
        let periods = if plan.calendar.period_type == PeriodType::Custom || year_end.is_some() {
            Some(plan.calendar.periods().into_iter().map(|p| p.id).collect())
        } else {
            None
        };
        let mut quota_pairs = PairIndex::default();
        for q in &plan.quotas {
            quota_pairs.insert(q.payee.as_str(), q.measure.as_str(), 0);
        }
        Validator {
            plan,
            out: Vec::new(),
            payees,
            roles: str_set(plan.payees.iter().map(|p| p.role.as_str())),
            measures: str_set(plan.measures.iter().map(|m| m.id.as_str())),
            rules,
            components: str_set(plan.components.iter().map(|c| c.id.as_str())),
            periods,
            year: year_end.map(|end| (plan.calendar.year_start, end)),
            quota_pairs,
        }
    }

    fn err(&mut self, code: &str, path: impl Into<String>, message: impl Message) {
        self.out.push(Diagnostic::error(code, path, message.text()));
    }

    fn warn(&mut self, code: &str, path: impl Into<String>, message: impl Message) {
        self.out.push(Diagnostic::warning(code, path, message.text()));
    }

    /// Runs checks and returns what they report instead of emitting it, so that it can be emitted
    /// later, where the document walk reaches the values concerned.
    fn capture(&mut self, f: impl FnOnce(&mut Self)) -> Vec<Diagnostic> {
        let saved = std::mem::take(&mut self.out);
        f(self);
        std::mem::replace(&mut self.out, saved)
    }

    /// Emits the held diagnostics of item `i` (see [`bucket_by`]).
    fn flush(&mut self, buckets: &mut Buckets, i: usize) {
        if !buckets.iter().any(|(k, _)| *k == i) {
            return;
        }
        for (k, d) in std::mem::take(buckets) {
            if k == i {
                self.out.push(d);
            } else {
                buckets.push((k, d));
            }
        }
    }

    /// Emits every held diagnostic left, by index.
    fn flush_all(&mut self, mut buckets: Buckets) {
        while let Some(i) = buckets.iter().map(|(k, _)| *k).min() {
            self.flush(&mut buckets, i);
        }
    }

    fn run(&mut self) {
        let plan = self.plan;
        if plan.schema_version != crate::plan::SCHEMA_VERSION {
            self.err(
                "SCHEMA_VERSION",
                "/schemaVersion",
                format_args!(
                    "schemaVersion is {} but this version of payplan reads schemaVersion {}",
                    plan.schema_version,
                    crate::plan::SCHEMA_VERSION
                ),
            );
        }
        if plan.id.trim().is_empty() {
            self.err("EMPTY_ID", "/id", "the plan id is empty; give the plan a non-empty identifier");
        }
        self.check_currency_ref(&plan.currency, "/currency".to_string(), "the plan currency");
        self.check_currencies();
        self.check_fx();
        if let Some(scale) = plan.rounding.scale {
            if scale > MAX_SCALE {
                self.err(
                    "ROUNDING_SCALE",
                    "/rounding/scale",
                    format_args!("rounding scale {scale} is too large; the largest supported scale is {MAX_SCALE}"),
                );
            }
        }
        self.check_calendar();
        self.check_payees();
        self.check_measures();
        self.check_quotas();
        self.check_crediting();
        let mut ids = self.check_ids("/components", "component", plan.components.iter().map(|c| c.id.as_str()));
        for (i, c) in plan.components.iter().enumerate() {
            self.check_component(i, c, &mut ids);
        }
        self.check_payments();
    }

    // ----- ids -----

    /// EMPTY_ID / DUPLICATE_ID for a list of ids at `{base}/{i}/id`, held by item.
    fn check_ids<'b>(&mut self, base: &str, what: &str, ids: impl Iterator<Item = &'b str>) -> Buckets {
        let found = self.capture(|v| v.id_checks(base, what, ids));
        bucket_by(found, &join(base, "/"))
    }

    // out of line, one copy per kind of id list: a smaller module, and less code in the callers
    // for WebAssembly to compile on their first call (the cold start, js/bench/cold-start.mjs)
    #[inline(never)]
    fn id_checks<'b>(&mut self, base: &str, what: &str, ids: impl Iterator<Item = &'b str>) {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, id) in ids.enumerate() {
            let path = item(base, "/", i, "/id");
            if id.trim().is_empty() {
                self.err(
                    "EMPTY_ID",
                    path,
                    format_args!("{what} {i} has an empty id; every {what} needs a non-empty id"),
                );
            } else if let Some(first) = seen.get(id) {
                self.err(
                    "DUPLICATE_ID",
                    path,
                    format_args!(
                        "{what} id `{id}` is used twice (at {base}/{first} and {base}/{i}); {what} ids must be unique"
                    ),
                );
            } else {
                seen.insert(id, i);
            }
        }
    }

    // ----- currencies and FX -----

    fn check_currency_ref(&mut self, code: &str, path: String, what: &str) {
        if self.plan.minor_units(code).is_none() {
            self.err(
                "UNKNOWN_CURRENCY",
                path,
                format_args!("{what} `{code}` is not a known ISO 4217 currency and is not declared in `currencies`; declare it with its minor units"),
            );
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_currencies(&mut self) {
        let plan = self.plan;
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, c) in plan.currencies.iter().enumerate() {
            let path = item("/currencies/", "", i, "/code");
            if c.code.len() != 3 || !c.code.bytes().all(|b| b.is_ascii_uppercase()) {
                self.err(
                    "INVALID_CURRENCY_CODE",
                    path.clone(),
                    format_args!("currency code `{}` is not three uppercase letters (for example `USD`)", c.code),
                );
            }
            if c.minor_units > MAX_SCALE {
                self.err(
                    "CURRENCY_MINOR_UNITS",
                    item("/currencies/", "", i, "/minorUnits"),
                    format_args!(
                        "currency `{}` has {} minor units; at most {MAX_SCALE} are supported",
                        c.code, c.minor_units
                    ),
                );
            }
            let first_units =
                seen.get(c.code.as_str()).and_then(|&f| plan.currencies.get(f).map(|u| (f, u.minor_units)));
            if let Some((first, units)) = first_units {
                if units == c.minor_units {
                    self.warn(
                        "DUPLICATE_CURRENCY",
                        path,
                        format_args!(
                            "currency `{}` is declared twice (also at /currencies/{first}) with the same minor units",
                            c.code
                        ),
                    );
                } else {
                    self.err(
                        "DUPLICATE_CURRENCY",
                        path,
                        format_args!(
                            "currency `{}` is declared twice with different minor units ({units} at /currencies/{first}, {} here); declare it once",
                            c.code, c.minor_units
                        ),
                    );
                }
            } else {
                seen.insert(c.code.as_str(), i);
            }
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_fx(&mut self) {
        let plan = self.plan;
        let Some(fx) = &plan.fx else { return };
        self.check_currency_ref(&fx.base, "/fx/base".to_string(), "the FX base currency");
        // rates of a known currency with valid dates are checked for overlaps and gaps, per currency
        let mut groups = Groups::default();
        for (i, r) in fx.rates.iter().enumerate() {
            if plan.minor_units(&r.currency).is_some() && r.to.is_none_or(|to| to >= r.from) {
                let n = groups.lists.len();
                let g = *groups.slots.entry(r.currency.as_str()).or_insert(n);
                if g == n {
                    groups.lists.push(Vec::new());
                }
                if let Some(list) = groups.lists.get_mut(g) {
                    list.push(i);
                }
            }
        }
        let found = self.capture(|v| v.fx_sequence(groups));
        let mut seq = bucket_by(found, "/fx/rates/");
        for (i, r) in fx.rates.iter().enumerate() {
            let base = item("/fx/rates/", "", i, "");
            self.check_currency_ref(&r.currency, join(&base, "/currency"), "the FX rate currency");
            if r.currency == fx.base {
                if r.rate == Decimal::ONE {
                    self.warn(
                        "FX_SELF_RATE",
                        join(&base, "/currency"),
                        format_args!(
                            "a rate of `{}` against itself (the base) is not needed; it is always 1",
                            r.currency
                        ),
                    );
                } else {
                    self.err(
                        "FX_SELF_RATE",
                        join(&base, "/currency"),
                        format_args!(
                            "`{}` is the FX base currency; its rate against itself is 1, not {}",
                            r.currency, r.rate
                        ),
                    );
                }
            }
            if r.rate <= Decimal::ZERO {
                self.err(
                    "FX_RATE_NOT_POSITIVE",
                    join(&base, "/rate"),
                    format_args!(
                        "the exchange rate for `{}` from {} is {}; a rate must be greater than 0",
                        r.currency, r.from, r.rate
                    ),
                );
            }
            self.flush(&mut seq, i);
            if let Some(to) = r.to {
                if to < r.from {
                    self.err(
                        "FX_DATES",
                        join(&base, "/to"),
                        format_args!(
                            "the rate for `{}` ends on {to}, before it starts on {}; `to` must be on or after `from`",
                            r.currency, r.from
                        ),
                    );
                }
            }
        }
        self.flush_all(seq);
        if fx.base != plan.currency && !fx.rates.iter().any(|r| r.currency == plan.currency) {
            self.err(
                "FX_NO_PATH",
                "/fx/rates",
                format_args!(
                    "the FX base is `{}` but there is no rate for the plan currency `{}`; amounts cannot be converted into the plan currency",
                    fx.base, plan.currency
                ),
            );
        }
    }

    /// Overlaps and gaps between the rates of each currency, sorted by `from`.
    // out of line (as check_curve, check_basis_cap and check_mbo): WebAssembly compiles a function
    // on its first call, so a plan without FX rates does not pay, at cold start, for compiling this
    #[inline(never)]
    fn fx_sequence(&mut self, mut groups: Groups<'_>) {
        let Some(fx) = &self.plan.fx else { return };
        for (cur, &g) in &groups.slots {
            let Some(idx) = groups.lists.get_mut(g) else { continue };
            let mut idx = std::mem::take(idx);
            sort_indices(&mut idx, &|a, b| {
                (fx.rates.get(a).map(|r| r.from), a).cmp(&(fx.rates.get(b).map(|r| r.from), b))
            });
            let rates: Vec<(usize, &crate::plan::FxRate)> =
                idx.iter().filter_map(|&i| fx.rates.get(i).map(|r| (i, r))).collect();
            if let (Some((i, first)), Some((start, _))) = (rates.first(), self.year) {
                if first.from > start {
                    self.err(
                        "FX_GAP",
                        item("/fx/rates/", "", *i, "/from"),
                        format_args!(
                            "the first rate for `{cur}` starts on {} but the plan year starts on {start}; transactions before it could not be converted",
                            first.from
                        ),
                    );
                }
            }
            for pair in rates.windows(2) {
                let [(pi, prev), (ci, curr)] = pair else {
                    continue;
                };
                let path = item("/fx/rates/", "", *ci, "/from");
                if curr.from == prev.from {
                    self.err(
                        "FX_OVERLAP",
                        path,
                        format_args!("rates /fx/rates/{pi} and /fx/rates/{ci} for `{cur}` both start on {}; only one rate may apply on a day", curr.from),
                    );
                } else if let Some(prev_to) = prev.to {
                    if curr.from <= prev_to {
                        self.err(
                            "FX_OVERLAP",
                            path,
                            format_args!(
                                "the rate for `{cur}` starting on {} overlaps the previous rate (/fx/rates/{pi}), which runs to {prev_to}; it should start on the day after",
                                curr.from
                            ),
                        );
                    } else if prev_to.succ_opt().is_some_and(|next| curr.from > next) {
                        self.err(
                            "FX_GAP",
                            path,
                            format_args!(
                                "no rate for `{cur}` from the day after {prev_to} (end of /fx/rates/{pi}) until {}; rates must follow each other without a gap",
                                curr.from
                            ),
                        );
                    }
                }
            }
            if let (Some((i, last)), Some((_, end))) = (rates.last(), self.year) {
                if let Some(to) = last.to {
                    if to < end {
                        self.err(
                            "FX_GAP",
                            item("/fx/rates/", "", *i, "/to"),
                            format_args!(
                                "the last rate for `{cur}` ends on {to} but the plan year ends on {end}; transactions after it could not be converted"
                            ),
                        );
                    }
                }
            }
        }
    }

    // ----- calendar -----

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_calendar(&mut self) {
        let cal = &self.plan.calendar;
        if self.year.is_none() {
            self.err(
                "YEAR_OUT_OF_RANGE",
                "/calendar/yearStart",
                format_args!(
                    "the plan year starting on {} cannot be represented (its end is out of the date range)",
                    cal.year_start
                ),
            );
        }
        if cal.period_type == PeriodType::Custom {
            self.check_custom_periods();
        } else if !cal.periods.is_empty() {
            self.warn(
                "PERIODS_IGNORED",
                "/calendar/periods",
                "`periods` is only used with periodType `custom`; these periods are ignored",
            );
        }
        if let Some((start, end)) = self.year {
            let mut seen: Vec<NaiveDate> = Vec::new();
            for (i, h) in cal.holidays.iter().enumerate() {
                let path = item("/calendar/holidays/", "", i, "");
                if *h < start || *h > end {
                    self.warn(
                        "HOLIDAY_OUTSIDE_YEAR",
                        path,
                        format_args!("holiday {h} is outside the plan year ({start} to {end}) and has no effect"),
                    );
                } else if seen.contains(h) {
                    self.warn("DUPLICATE_HOLIDAY", path, format_args!("holiday {h} is listed more than once"));
                } else {
                    seen.push(*h);
                }
            }
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_custom_periods(&mut self) {
        let cal = &self.plan.calendar;
        if cal.periods.is_empty() {
            self.err(
                "CUSTOM_PERIODS_MISSING",
                "/calendar/periods",
                "periodType is `custom` but no periods are listed; list periods that tile the plan year",
            );
            return;
        }
        let mut ids = self.check_ids("/calendar/periods", "period", cal.periods.iter().map(|p| p.id.as_str()));
        // periods with valid dates, in order, are checked for gaps, overlaps and tiling
        let mut ok: Vec<usize> =
            (0..cal.periods.len()).filter(|&i| cal.periods.get(i).is_some_and(|p| p.start <= p.end)).collect();
        let found = self.capture(|v| v.period_sequence(&mut ok));
        let mut seq = bucket_by(found, "/calendar/periods/");
        for (i, p) in cal.periods.iter().enumerate() {
            self.flush(&mut ids, i);
            self.flush(&mut seq, i);
            if p.end < p.start {
                self.err(
                    "PERIOD_DATES",
                    item("/calendar/periods/", "", i, "/end"),
                    format_args!(
                        "period `{}` ends on {}, before it starts on {}; `end` must be on or after `start`",
                        p.id, p.end, p.start
                    ),
                );
            }
        }
        self.flush_all(ids);
        self.flush_all(seq);
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn period_sequence(&mut self, ok: &mut [usize]) {
        let cal = &self.plan.calendar;
        let key = |i: usize| (cal.periods.get(i).map(|p| (p.start, p.id.as_str())), i);
        sort_indices(ok, &|a, b| key(a).cmp(&key(b)));
        let ps: Vec<(usize, &crate::calendar::PeriodDef)> =
            ok.iter().filter_map(|&i| cal.periods.get(i).map(|p| (i, p))).collect();
        for pair in ps.windows(2) {
            let [(pi, prev), (ci, curr)] = pair else {
                continue;
            };
            let path = item("/calendar/periods/", "", *ci, "/start");
            if curr.start <= prev.end {
                self.err(
                    "PERIOD_OVERLAP",
                    path,
                    format_args!(
                        "period `{}` starts on {} but period `{}` (/calendar/periods/{pi}) runs to {}; periods must not overlap",
                        curr.id, curr.start, prev.id, prev.end
                    ),
                );
            } else if prev.end.succ_opt().is_some_and(|next| curr.start > next) {
                self.err(
                    "PERIOD_GAP",
                    path,
                    format_args!(
                        "period `{}` starts on {} but period `{}` (/calendar/periods/{pi}) ends on {}; the days between belong to no period",
                        curr.id, curr.start, prev.id, prev.end
                    ),
                );
            }
        }
        if let Some((start, end)) = self.year {
            if let Some((i, first)) = ps.first() {
                if first.start != start {
                    self.err(
                        "PERIODS_NOT_TILING",
                        item("/calendar/periods/", "", *i, "/start"),
                        format_args!(
                            "the periods do not tile the year: the first period `{}` starts on {} but the plan year starts on {start}",
                            first.id, first.start
                        ),
                    );
                }
            }
            if let Some((i, last)) = ps.last() {
                if last.end != end {
                    self.err(
                        "PERIODS_NOT_TILING",
                        item("/calendar/periods/", "", *i, "/end"),
                        format_args!(
                            "the periods do not tile the year: the last period `{}` ends on {} but the plan year ends on {end}",
                            last.id, last.end
                        ),
                    );
                }
            }
        }
    }

    // ----- payees -----

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_payees(&mut self) {
        let plan = self.plan;
        let mut ids = self.check_ids("/payees", "payee", plan.payees.iter().map(|p| p.id.as_str()));
        let cycles = self.manager_cycles();
        for (i, p) in plan.payees.iter().enumerate() {
            let base = item("/payees/", "", i, "");
            self.flush(&mut ids, i);
            if let (Some(start), Some(end)) = (p.start, p.end) {
                if end < start {
                    self.err(
                        "PAYEE_DATES",
                        join(&base, "/end"),
                        format_args!(
                            "payee `{}` ends on {end}, before starting on {start}; `end` must be on or after `start`",
                            p.id
                        ),
                    );
                }
            }
            if let Some((ys, ye)) = self.year {
                let start = p.start.unwrap_or(ys);
                let outside = start > ye || p.end.is_some_and(|e| e < ys);
                if outside && p.end.is_none_or(|e| e >= start) {
                    self.warn(
                        "PAYEE_OUTSIDE_YEAR",
                        base.clone(),
                        format_args!(
                            "payee `{}` is in role from {} to {} and so not at all in the plan year ({ys} to {ye})",
                            p.id,
                            start,
                            p.end.map(|e| e.to_string()).unwrap_or_else(|| "open".into())
                        ),
                    );
                }
            }
            let mut valid_lines: Vec<usize> = Vec::new();
            for (j, r) in p.reports_to.iter().enumerate() {
                let rbase = item(&base, "/reportsTo/", j, "");
                if r.manager == p.id {
                    self.err(
                        "SELF_MANAGER",
                        join(&rbase, "/manager"),
                        format_args!("payee `{}` is listed as their own manager", p.id),
                    );
                } else if !self.payees.contains_key(r.manager.as_str()) {
                    self.err(
                        "UNKNOWN_PAYEE",
                        join(&rbase, "/manager"),
                        format_args!("manager `{}` of payee `{}` is not a payee of this plan", r.manager, p.id),
                    );
                }
                let mut ok = true;
                if let (Some(from), Some(to)) = (r.from, r.to) {
                    if to < from {
                        ok = false;
                        self.err(
                            "REPORTING_DATES",
                            join(&rbase, "/to"),
                            format_args!(
                                "the reporting line of `{}` to `{}` ends on {to}, before it starts on {from}",
                                p.id, r.manager
                            ),
                        );
                    }
                }
                if ok {
                    for &k in &valid_lines {
                        let Some(other) = p.reports_to.get(k) else {
                            continue;
                        };
                        if ranges_overlap((other.from, other.to), (r.from, r.to)) {
                            self.err(
                                "REPORTING_OVERLAP",
                                rbase.clone(),
                                format_args!(
                                    "payee `{}` reports to `{}` ({}) and to `{}` ({}) at the same time; reporting lines must not overlap so that the manager on any day is unambiguous",
                                    p.id,
                                    other.manager,
                                    fmt_range(other.from, other.to),
                                    r.manager,
                                    fmt_range(r.from, r.to)
                                ),
                            );
                        }
                    }
                    valid_lines.push(j);
                }
            }
            for (_, j, msg) in cycles.iter().filter(|(first, _, _)| *first == i) {
                self.err("MANAGER_CYCLE", item(&base, "/reportsTo/", *j, ""), msg.clone());
            }
            if let Some(ti) = p.target_incentive {
                if ti < Decimal::ZERO {
                    self.err(
                        "NEGATIVE_AMOUNT",
                        join(&base, "/targetIncentive"),
                        format_args!("payee `{}` has a negative target incentive {}; it must be 0 or more", p.id, ti),
                    );
                }
            }
        }
    }

    /// Cycles of the manager graph (all reporting lines, whatever their dates), keyed by the index of
    /// the first payee of the cycle in document order: (reporting line index, message).
    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn manager_cycles(&self) -> Vec<(usize, usize, String)> {
        let plan = self.plan;
        let n = plan.payees.len();
        let adj: Vec<Vec<usize>> = plan
            .payees
            .iter()
            .enumerate()
            .map(|(i, p)| {
                p.reports_to
                    .iter()
                    .filter_map(|r| self.payees.get(r.manager.as_str()).copied())
                    .filter(|&m| m != i)
                    .collect()
            })
            .collect();
        let mut color = vec![0u8; n]; // 0 unvisited, 1 on the stack, 2 done
        let mut cycles: Vec<Vec<usize>> = Vec::new();
        for s in 0..n {
            if color.get(s).copied() != Some(0) {
                continue;
            }
            if let Some(c) = color.get_mut(s) {
                *c = 1;
            }
            let mut stack: Vec<(usize, usize)> = vec![(s, 0)];
            while let Some(top) = stack.last_mut() {
                let u = top.0;
                let next = adj.get(u).and_then(|e| e.get(top.1)).copied();
                match next {
                    Some(v) => {
                        top.1 += 1;
                        match color.get(v).copied() {
                            Some(0) => {
                                if let Some(c) = color.get_mut(v) {
                                    *c = 1;
                                }
                                stack.push((v, 0));
                            }
                            Some(1) => {
                                if let Some(pos) = stack.iter().position(|&(x, _)| x == v) {
                                    let mut cyc: Vec<usize> =
                                        stack.get(pos..).unwrap_or(&[]).iter().map(|&(x, _)| x).collect();
                                    if let Some(m) = cyc.iter().enumerate().min_by_key(|&(_, x)| *x).map(|(k, _)| k) {
                                        cyc.rotate_left(m);
                                    }
                                    if !cycles.contains(&cyc) {
                                        cycles.push(cyc);
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                    None => {
                        if let Some(c) = color.get_mut(u) {
                            *c = 2;
                        }
                        stack.pop();
                    }
                }
            }
        }
        let mut order: Vec<usize> = (0..cycles.len()).collect();
        sort_indices(&mut order, &|a, b| cycles.get(a).cmp(&cycles.get(b)));
        let mut out: Vec<(usize, usize, String)> = Vec::new();
        for cyc in order.iter().filter_map(|&k| cycles.get(k)) {
            let (Some(&first), Some(&second)) = (cyc.first(), cyc.get(1)) else {
                continue;
            };
            let (Some(fp), Some(sp)) = (plan.payees.get(first), plan.payees.get(second)) else {
                continue;
            };
            let line = fp.reports_to.iter().position(|r| r.manager == sp.id).unwrap_or(0);
            let mut names: Vec<&str> = cyc.iter().filter_map(|&k| plan.payees.get(k).map(|p| p.id.as_str())).collect();
            names.push(fp.id.as_str());
            out.push((
                first,
                line,
                format!(
                    "the reporting lines form a cycle: {}; a chain of managers must end with someone who reports to nobody in the plan",
                    names.join(" -> ")
                ),
            ));
        }
        out
    }

    // ----- measures and filters -----

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_measures(&mut self) {
        let plan = self.plan;
        let mut ids = self.check_ids("/measures", "measure", plan.measures.iter().map(|m| m.id.as_str()));
        for (i, m) in plan.measures.iter().enumerate() {
            self.flush(&mut ids, i);
            self.check_filter(&m.filter, &item("/measures/", "", i, "/filter"), false, false);
        }
    }

    /// Checks a filter at `base`; `in_credit_rule` when it is a crediting rule's own filter (where
    /// `rules` is meaningless), `in_exclude` inside an `exclude`.
    fn check_filter(&mut self, f: &Filter, base: &str, in_credit_rule: bool, in_exclude: bool) {
        let effect = if in_exclude { "excludes nothing" } else { "matches nothing" };
        for (name, l) in [("products", &f.products), ("types", &f.types), ("regions", &f.regions)] {
            if let Some(l) = l {
                if l.is_empty() {
                    self.warn(
                        "EMPTY_FILTER_LIST",
                        member(base, "/", name),
                        format_args!("the `{name}` list is empty, so this filter {effect}; remove it or list values"),
                    );
                }
            }
        }
        for (k, vals) in &f.attributes {
            if vals.is_empty() {
                self.warn(
                    "EMPTY_FILTER_LIST",
                    member(base, "/attributes/", &esc(k)),
                    format_args!("the list of values for attribute `{k}` is empty, so this filter {effect}"),
                );
            }
        }
        if let Some(rules) = &f.rules {
            if in_credit_rule {
                self.warn(
                    "RULES_FILTER_IGNORED",
                    join(base, "/rules"),
                    "`rules` selects the credit lines of crediting rules; in a crediting rule's own filter it is ignored",
                );
            } else if rules.is_empty() {
                self.warn(
                    "EMPTY_FILTER_LIST",
                    join(base, "/rules"),
                    format_args!(
                        "the `rules` list is empty, so this filter {effect}; remove it or list crediting rule ids"
                    ),
                );
            } else {
                for (k, r) in rules.iter().enumerate() {
                    if !self.rules.contains_key(r.as_str()) {
                        let known: Vec<&str> = self.rules.keys().copied().collect();
                        self.err(
                            "UNKNOWN_RULE",
                            item(base, "/rules/", k, ""),
                            format_args!("`{r}` is not a crediting rule of this plan (known rules: {})", list(&known)),
                        );
                    }
                }
            }
        }
        if let Some(ex) = &f.exclude {
            if ex.is_empty() {
                self.warn(
                    "EXCLUDE_EVERYTHING",
                    join(base, "/exclude"),
                    "`exclude` has no condition, so it matches and excludes everything",
                );
            }
            self.check_filter(ex, &join(base, "/exclude"), in_credit_rule, true);
        }
    }

    // ----- quotas -----

    fn known_period(&self, id: &str) -> bool {
        self.periods.as_ref().is_none_or(|ps| ps.iter().any(|p| p == id))
    }

    fn periods_hint(&self) -> String {
        match &self.periods {
            Some(ps) => {
                let v: Vec<&str> = ps.iter().map(|s| s.as_str()).collect();
                format!("known periods: {}", list(&v))
            }
            None => "the plan has no periods".to_string(),
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_quotas(&mut self) {
        let plan = self.plan;
        let mut seen = PairIndex::default();
        for (i, q) in plan.quotas.iter().enumerate() {
            let base = item("/quotas/", "", i, "");
            if !self.payees.contains_key(q.payee.as_str()) {
                self.err("UNKNOWN_PAYEE", join(&base, "/payee"), format_args!("quota for unknown payee `{}`", q.payee));
            }
            if !self.measures.contains(q.measure.as_str()) {
                self.err(
                    "UNKNOWN_MEASURE",
                    join(&base, "/measure"),
                    format_args!("quota on unknown measure `{}`", q.measure),
                );
            }
            match (q.annual, &q.periods) {
                (None, None) => self.err(
                    "QUOTA_AMOUNT_MISSING",
                    base.clone(),
                    format_args!(
                        "the quota of `{}` on `{}` has neither `annual` nor `periods`; give one of them",
                        q.payee, q.measure
                    ),
                ),
                (Some(_), Some(_)) => self.err(
                    "QUOTA_AMOUNT_AMBIGUOUS",
                    base.clone(),
                    format_args!(
                        "the quota of `{}` on `{}` has both `annual` and `periods`; give only one of them",
                        q.payee, q.measure
                    ),
                ),
                _ => {}
            }
            if let Some(a) = q.annual {
                self.check_quota_amount(a, join(&base, "/annual"), "annual quota");
            }
            if let Some(season) = &q.seasonality {
                self.check_seasonality(&base, q.annual.is_some(), season);
            }
            if let Some(ps) = &q.periods {
                for (k, amount) in ps {
                    let path = member(&base, "/periods/", &esc(k));
                    if !self.known_period(k) {
                        let hint = self.periods_hint();
                        self.err(
                            "UNKNOWN_PERIOD",
                            path.clone(),
                            format_args!("`{k}` is not a period of this plan ({hint})"),
                        );
                    }
                    self.check_quota_amount(*amount, path, &format!("quota for period `{k}`"));
                }
                if let Some(all) = &self.periods {
                    let missing: Vec<&str> =
                        all.iter().filter(|p| !ps.contains_key(p.as_str())).map(|s| s.as_str()).collect();
                    if !missing.is_empty() {
                        self.warn(
                            "PERIOD_QUOTA_MISSING",
                            join(&base, "/periods"),
                            format_args!("no quota for period(s) {}; attainment there is undefined", list(&missing)),
                        );
                    }
                }
            }
            for (j, r) in q.ramp.iter().enumerate() {
                let path = item(&base, "/ramp/", j, "");
                if *r < Decimal::ZERO {
                    self.err(
                        "RAMP_VALUE",
                        path,
                        format_args!(
                            "ramp month {j} is {}; a ramp is a fraction of full quota and cannot be negative",
                            r
                        ),
                    );
                } else if *r > Decimal::ONE {
                    self.warn(
                        "RAMP_VALUE",
                        path,
                        format_args!(
                            "ramp month {j} is {}, more than full quota (1); ramps are usually between 0 and 1",
                            r
                        ),
                    );
                }
            }
            if let Some(first) = seen.insert(q.payee.as_str(), q.measure.as_str(), i) {
                self.err(
                    "DUPLICATE_QUOTA",
                    base,
                    format_args!("payee `{}` already has a quota on `{}` at /quotas/{first}; give one quota per payee and measure", q.payee, q.measure),
                );
            }
        }
    }

    fn check_quota_amount(&mut self, amount: Decimal, path: String, what: &str) {
        if amount < Decimal::ZERO {
            self.err("NEGATIVE_AMOUNT", path, format_args!("the {what} is {}; a quota cannot be negative", amount));
        } else if amount.is_zero() {
            self.warn("ZERO_QUOTA", path, format_args!("the {what} is 0, so attainment will be undefined"));
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_seasonality(&mut self, base: &str, has_annual: bool, season: &BTreeMap<String, Decimal>) {
        let sbase = join(base, "/seasonality");
        if !has_annual {
            self.err(
                "SEASONALITY_WITHOUT_ANNUAL",
                sbase.clone(),
                "`seasonality` spreads an `annual` quota, but this quota has no `annual`",
            );
        }
        let mut total = Some(Decimal::ZERO);
        let mut negative = false;
        for (k, w) in season {
            let path = member(&sbase, "/", &esc(k));
            if !self.known_period(k) {
                let hint = self.periods_hint();
                self.err("UNKNOWN_PERIOD", path.clone(), format_args!("`{k}` is not a period of this plan ({hint})"));
            }
            if *w < Decimal::ZERO {
                negative = true;
                self.err(
                    "SEASONALITY_WEIGHTS",
                    path,
                    format_args!("the seasonality weight of `{k}` is {}; weights cannot be negative", w),
                );
            }
            total = total.and_then(|t| t.checked_add(*w));
        }
        match total {
            None => self.err("SEASONALITY_WEIGHTS", sbase.clone(), "the seasonality weights are too large to add up"),
            Some(t) if t.is_zero() && !negative => self.err(
                "SEASONALITY_WEIGHTS",
                sbase.clone(),
                "the seasonality weights add up to 0; at least one period needs a positive weight",
            ),
            Some(t) if t <= Decimal::ZERO && negative => {} // already reported per weight
            _ => {}
        }
        if let Some(all) = &self.periods {
            let missing: Vec<&str> =
                all.iter().filter(|p| !season.contains_key(p.as_str())).map(|s| s.as_str()).collect();
            if !missing.is_empty() {
                self.warn(
                    "SEASONALITY_INCOMPLETE",
                    sbase,
                    format_args!("period(s) {} have no seasonality weight and get no quota", list(&missing)),
                );
            }
        }
    }

    // ----- crediting -----

    fn check_positive_percent(&mut self, p: Decimal, path: String, what: &str) {
        if p <= Decimal::ZERO {
            self.err("INVALID_PERCENT", path, format_args!("{what} is {}%; it must be greater than 0", p));
        }
    }

    fn check_payee_ref(&mut self, id: &str, path: String, what: &str) {
        if !self.payees.contains_key(id) {
            self.err("UNKNOWN_PAYEE", path, format_args!("{what} `{id}` is not a payee of this plan"));
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_crediting(&mut self) {
        let plan = self.plan;
        if plan.crediting.rules.is_empty() {
            self.err(
                "NO_CREDIT_RULES",
                "/crediting/rules",
                "there are no crediting rules, so no transaction is ever credited; add at least one rule",
            );
        }
        let mut ids = self.check_ids("/crediting/rules", "crediting rule", plan.crediting.rules.iter().map(|r| r.id()));
        for (i, rule) in plan.crediting.rules.iter().enumerate() {
            let base = item("/crediting/rules/", "", i, "");
            self.flush(&mut ids, i);
            self.check_filter(rule.filter(), &join(&base, "/filter"), true, false);
            match rule {
                CreditRule::Direct { percent, .. } => {
                    if let Some(p) = percent {
                        self.check_positive_percent(*p, join(&base, "/percent"), "the credited percentage");
                    }
                }
                CreditRule::Split { shares, must_total, .. } => {
                    let mut seen: BTreeSet<&str> = BTreeSet::new();
                    for (k, s) in shares.iter().enumerate() {
                        self.check_payee_ref(&s.payee, item(&base, "/shares/", k, "/payee"), "split share payee");
                        self.check_positive_percent(s.percent, item(&base, "/shares/", k, "/percent"), "the share");
                        if !seen.insert(s.payee.as_str()) {
                            self.warn(
                                "DUPLICATE_SHARE",
                                item(&base, "/shares/", k, "/payee"),
                                format_args!("payee `{}` has more than one share in this split; they are credited once per share", s.payee),
                            );
                        }
                    }
                    if let Some(t) = must_total {
                        self.check_positive_percent(*t, join(&base, "/mustTotal"), "mustTotal");
                        if !shares.is_empty() {
                            let sum = shares.iter().try_fold(Decimal::ZERO, |acc, s| acc.checked_add(s.percent));
                            if sum != Some(*t) {
                                let actual = sum.map(fmt_dec).unwrap_or_else(|| "too large".to_string());
                                self.err(
                                    "SPLIT_TOTAL",
                                    join(&base, "/shares"),
                                    format_args!("the shares add up to {actual}% but mustTotal is {}%", t),
                                );
                            }
                        }
                    }
                }
                CreditRule::Overlay { payee, percent, .. } => {
                    self.check_payee_ref(payee, join(&base, "/payee"), "overlay payee");
                    self.check_positive_percent(*percent, join(&base, "/percent"), "the overlay percentage");
                }
                CreditRule::Rollup { levels, percent, from_rules, .. } => {
                    if *levels == Some(0) {
                        self.err(
                            "INVALID_LEVELS",
                            join(&base, "/levels"),
                            "levels is 0, so nothing rolls up; use 1 or more, or leave it out for all levels",
                        );
                    }
                    if let Some(p) = percent {
                        self.check_positive_percent(*p, join(&base, "/percent"), "the roll-up percentage");
                    }
                    for (k, r) in from_rules.iter().enumerate() {
                        let path = item(&base, "/fromRules/", k, "");
                        match self.rules.get(r.as_str()) {
                            None => self.err(
                                "UNKNOWN_RULE",
                                path,
                                format_args!("`{r}` is not a crediting rule of this plan"),
                            ),
                            Some(1) => self.err(
                                "ROLLUP_OF_ROLLUP",
                                path,
                                format_args!("`{r}` is itself a roll-up rule; a roll-up can only take lines of direct, split or overlay rules"),
                            ),
                            Some(_) => {}
                        }
                    }
                }
            }
        }
    }

    // ----- components -----

    fn applicable(&self, roles: &[String], payees: &[String]) -> Vec<usize> {
        self.plan
            .payees
            .iter()
            .enumerate()
            .filter(|(_, p)| selects(roles, payees, &p.id, &p.role))
            .map(|(i, _)| i)
            .collect()
    }

    fn check_measure_ref(&mut self, m: &str, path: String) {
        if !self.measures.contains(m) {
            let known: Vec<&str> = self.measures.iter().copied().collect();
            self.err(
                "UNKNOWN_MEASURE",
                path,
                format_args!("`{m}` is not a measure of this plan (known measures: {})", list(&known)),
            );
        }
    }

    /// Checks a rate at `path` (the rate object). `base_rate`: whether a usable `baseRate` exists.
    fn check_rate(&mut self, rate: &Rate, path: &str, base_rate: bool, where_: &str) {
        let (unit, value) = rate_parts(rate);
        let p = member(path, "/", unit);
        if value < Decimal::ZERO {
            self.err(
                "NEGATIVE_RATE",
                p.clone(),
                format_args!("the {unit} rate {} is negative; rates must be 0 or more", value),
            );
        }
        if matches!(rate, Rate::Multiplier(_)) && !base_rate {
            self.err(
                "MISSING_BASE_RATE",
                p,
                format_args!("a `multiplier` rate multiplies the table's baseRate, but {where_}; use a percent, perUnit or perDeal rate"),
            );
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_component(&mut self, i: usize, c: &'a Component, ids: &mut Buckets) {
        let base = item("/components/", "", i, "");
        self.flush(ids, i);
        for (k, r) in c.roles.iter().enumerate() {
            if !self.roles.contains(r.as_str()) {
                self.warn(
                    "UNKNOWN_ROLE",
                    item(&base, "/roles/", k, ""),
                    format_args!("no payee has role `{r}`, so this entry selects nobody"),
                );
            }
        }
        for (k, p) in c.payees.iter().enumerate() {
            self.check_payee_ref(p, item(&base, "/payees/", k, ""), "component payee");
        }
        let applies = self.applicable(&c.roles, &c.payees);
        if applies.is_empty() {
            self.warn(
                "NO_PAYEES",
                base.clone(),
                format_args!("component `{}` applies to no payee of the plan and will never pay", c.id),
            );
        }
        let mut quota_warned = PairIndex::default();
        match &c.kind {
            ComponentKind::Rate { measure, rate } => {
                self.check_measure_ref(measure, join(&base, "/measure"));
                self.check_rate(rate, &join(&base, "/rate"), false, "a rate component has no baseRate");
            }
            ComponentKind::Tiered { measure, basis, method, base_rate, tiers, points, output, basis_cap, .. } => {
                self.check_measure_ref(measure, join(&base, "/measure"));
                if let Some(br) = base_rate {
                    let (unit, value) = rate_parts(br);
                    if matches!(br, Rate::Multiplier(_)) {
                        self.err(
                            "INVALID_BASE_RATE",
                            member(&base, "/baseRate/", unit),
                            "baseRate cannot itself be a multiplier; give a percent, perUnit or perDeal rate",
                        );
                    } else if value < Decimal::ZERO {
                        self.err(
                            "NEGATIVE_RATE",
                            member(&base, "/baseRate/", unit),
                            format_args!("the base rate {} is negative; rates must be 0 or more", value),
                        );
                    }
                    if *method == TierMethod::Interpolated {
                        self.warn(
                            "BASE_RATE_IGNORED",
                            join(&base, "/baseRate"),
                            "an interpolated curve does not use baseRate; it is ignored",
                        );
                    }
                }
                if *method == TierMethod::Interpolated {
                    self.check_curve(&base, points);
                    if !tiers.is_empty() {
                        self.warn(
                            "TIERS_IGNORED",
                            join(&base, "/tiers"),
                            "an interpolated table uses `points`; `tiers` is ignored",
                        );
                    }
                    if *output == CurveOutput::FractionOfTargetIncentive {
                        self.check_target_incentives(c, &applies, "its curve pays a fraction of target incentive");
                    }
                } else {
                    if tiers.is_empty() {
                        self.err(
                            "MISSING_TIERS",
                            join(&base, "/tiers"),
                            "a marginal or retroactive table needs at least one band in `tiers`",
                        );
                    }
                    let bands: Vec<Band> = tiers.iter().map(|t| Band { from: t.from, to: t.to }).collect();
                    let mut held = self.check_bands(&join(&base, "/tiers"), &bands, true);
                    for (k, t) in tiers.iter().enumerate() {
                        self.flush(&mut held, k);
                        self.check_rate(
                            &t.rate,
                            &item(&base, "/tiers/", k, "/rate"),
                            base_rate.is_some(),
                            "this table has no baseRate",
                        );
                    }
                    if !points.is_empty() {
                        self.warn(
                            "POINTS_IGNORED",
                            join(&base, "/points"),
                            "`points` are only used by the interpolated method; they are ignored",
                        );
                    }
                }
                if let Some(cap) = basis_cap {
                    self.check_basis_cap(&base, c, *cap, *method, tiers, points, measure, *basis);
                }
                if *basis == Basis::Attainment {
                    for &p in &applies {
                        self.missing_quota(c, p, measure, &mut quota_warned);
                    }
                }
            }
            ComponentKind::Matrix { .. } => self.check_matrix(&base, c, &applies, &mut quota_warned),
            ComponentKind::Milestone { .. } => self.check_milestone(&base, c, &applies, &mut quota_warned),
            ComponentKind::Spiff { measure, filter, window, rate } => {
                self.check_measure_ref(measure, join(&base, "/measure"));
                self.check_filter(filter, &join(&base, "/filter"), false, false);
                if window.to < window.from {
                    self.err(
                        "WINDOW_DATES",
                        join(&base, "/window/to"),
                        format_args!(
                            "the window ends on {}, before it starts on {}; `to` must be on or after `from`",
                            window.to, window.from
                        ),
                    );
                } else if let Some((ys, ye)) = self.year {
                    if window.to < ys || window.from > ye {
                        self.warn(
                            "WINDOW_OUTSIDE_YEAR",
                            join(&base, "/window"),
                            format_args!(
                                "the window {} to {} is outside the plan year ({ys} to {ye}); the SPIFF will never pay",
                                window.from, window.to
                            ),
                        );
                    }
                }
                self.check_rate(rate, &join(&base, "/rate"), false, "a spiff component has no baseRate");
            }
            ComponentKind::Mbo { target, objectives } => {
                self.check_mbo(&base, c, &applies, target, objectives);
            }
        }
        if let Some(g) = &c.gate {
            self.check_gate(&base, c, g, &applies, &mut quota_warned);
        }
        for (j, m) in c.multipliers.iter().enumerate() {
            self.check_multiplier(&item(&base, "/multipliers/", j, ""), c, m, &applies, &mut quota_warned);
        }
        self.check_caps(&base, &c.caps);
    }

    // (out of line in the Node modules, as below: compiled by WebAssembly only for plans with one)
    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_matrix(&mut self, base: &str, c: &'a Component, applies: &[usize], quota_warned: &mut PairIndex<'a>) {
        let ComponentKind::Matrix { measure, rows, columns, rates } = &c.kind else {
            return;
        };
        self.check_measure_ref(measure, join(base, "/measure"));
        for (name, axis) in [("rows", rows), ("columns", columns)] {
            let abase = member(base, "/", name);
            self.check_indicator(&axis.on, &join(&abase, "/on"), c, applies, quota_warned);
            if axis.breaks.is_empty() {
                self.err(
                    "AXIS_ORDER",
                    join(&abase, "/breaks"),
                    format_args!("the {name} axis has no breaks; give at least one"),
                );
            }
            for (k, pair) in axis.breaks.windows(2).enumerate() {
                let [a, b] = pair else { continue };
                if b <= a {
                    self.err(
                        "AXIS_ORDER",
                        item(&abase, "/breaks/", k + 1, ""),
                        format_args!(
                            "{name} break {} is {} but the one before is {}; breaks must be strictly increasing",
                            k + 1,
                            b,
                            a
                        ),
                    );
                }
            }
        }
        let (nr, nc) = (rows.breaks.len(), columns.breaks.len());
        if rates.len() != nr {
            self.err(
                "MATRIX_SHAPE",
                join(base, "/rates"),
                format_args!(
                    "`rates` has {} row(s) but the rows axis has {nr} break(s); give one row per row break",
                    rates.len()
                ),
            );
        }
        for (r, row) in rates.iter().enumerate() {
            if row.len() != nc {
                self.err(
                    "MATRIX_SHAPE",
                    item(base, "/rates/", r, ""),
                    format_args!("row {r} of `rates` has {} entr(ies) but the columns axis has {nc} break(s); give one rate per column break", row.len()),
                );
            }
            for (k, rate) in row.iter().enumerate() {
                self.check_rate(rate, &format!("{base}/rates/{r}/{k}"), false, "a matrix component has no baseRate");
            }
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_milestone(&mut self, base: &str, c: &'a Component, applies: &[usize], quota_warned: &mut PairIndex<'a>) {
        let ComponentKind::Milestone { measure, basis, scope, levels } = &c.kind else {
            return;
        };
        self.check_measure_ref(measure, join(base, "/measure"));
        if *scope == Scope::Transaction {
            self.err(
                "INVALID_SCOPE",
                join(base, "/scope"),
                "a milestone is reached by a period or year-to-date total; scope `transaction` is not allowed (use `period` or `yearToDate`)",
            );
        }
        if levels.is_empty() {
            self.err("MISSING_LEVELS", join(base, "/levels"), "a milestone component needs at least one level");
        }
        for (k, l) in levels.iter().enumerate() {
            let lbase = item(base, "/levels/", k, "");
            if l.at < Decimal::ZERO {
                self.err(
                    "NEGATIVE_BOUND",
                    join(&lbase, "/at"),
                    format_args!("milestone level {k} is at {}; it cannot be negative", l.at),
                );
            }
            if k > 0 {
                if let Some(prev) = levels.get(k - 1) {
                    if l.at <= prev.at {
                        self.err(
                            "MILESTONE_ORDER",
                            join(&lbase, "/at"),
                            format_args!("milestone level {k} is at {} but level {} is at {}; levels must be strictly increasing", l.at, k - 1, prev.at),
                        );
                    }
                }
            }
            if l.amount < Decimal::ZERO {
                self.err(
                    "NEGATIVE_AMOUNT",
                    join(&lbase, "/amount"),
                    format_args!("the bonus of milestone level {k} is {}; it must be 0 or more", l.amount),
                );
            }
        }
        if *basis == Basis::Attainment {
            for &p in applies {
                self.missing_quota(c, p, measure, quota_warned);
            }
        }
    }

    fn missing_quota(&mut self, c: &Component, p: usize, measure: &'a str, warned: &mut PairIndex<'a>) {
        let Some(payee) = self.plan.payees.get(p) else {
            return;
        };
        if !self.measures.contains(measure) || self.quota_pairs.get(&payee.id, measure).is_some() {
            return;
        }
        if warned.insert(&payee.id, measure, p).is_none() {
            self.warn(
                "MISSING_QUOTA",
                item("/payees/", "", p, ""),
                format_args!(
                    "component `{}` uses attainment on `{measure}`, but payee `{}` has no quota on `{measure}`; their attainment is undefined",
                    c.id, payee.id
                ),
            );
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_target_incentives(&mut self, c: &Component, applies: &[usize], why: &str) {
        for &p in applies {
            let Some(payee) = self.plan.payees.get(p) else {
                continue;
            };
            if payee.target_incentive.is_none() {
                self.err(
                    "MISSING_TARGET_INCENTIVE",
                    item("/payees/", "", p, ""),
                    format_args!(
                        "payee `{}` has no targetIncentive, but component `{}` applies to them and {why}",
                        payee.id, c.id
                    ),
                );
            }
        }
    }

    // out of line: compiled by WebAssembly only for plans with an interpolated curve (see fx_sequence)
    #[inline(never)]
    fn check_curve(&mut self, base: &str, points: &[crate::plan::CurvePoint]) {
        if points.len() < 2 {
            self.err(
                "MISSING_POINTS",
                join(base, "/points"),
                format_args!("an interpolated curve needs at least 2 points; it has {}", points.len()),
            );
        }
        for (k, pt) in points.iter().enumerate() {
            if k > 0 {
                if let Some(prev) = points.get(k - 1) {
                    if pt.x <= prev.x {
                        self.err(
                            "CURVE_ORDER",
                            item(base, "/points/", k, "/x"),
                            format_args!(
                                "point {k} has x = {} but point {} has x = {}; x must be strictly increasing",
                                pt.x,
                                k - 1,
                                prev.x
                            ),
                        );
                    }
                }
            }
            if pt.y < Decimal::ZERO {
                self.err(
                    "NEGATIVE_RATE",
                    item(base, "/points/", k, "/y"),
                    format_args!("point {k} has y = {}; the curve's output cannot be negative", pt.y),
                );
            }
        }
    }

    // out of line: compiled by WebAssembly only for plans with a basis cap (see fx_sequence)
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn check_basis_cap(
        &mut self,
        base: &str,
        c: &Component,
        cap: Decimal,
        method: TierMethod,
        tiers: &[crate::plan::Tier],
        points: &[crate::plan::CurvePoint],
        measure: &str,
        basis: Basis,
    ) {
        let path = join(base, "/basisCap");
        if cap <= Decimal::ZERO {
            self.err("CAP_BELOW_THRESHOLD", path, format_args!("basisCap is {}; it must be greater than 0", cap));
            return;
        }
        let first_top = if method == TierMethod::Interpolated {
            points.first().map(|p| (p.x, "the first point's x"))
        } else {
            tiers.first().and_then(|t| t.to).map(|t| (t, "the end of the first band"))
        };
        if let Some((top, what)) = first_top {
            if cap < top {
                self.err(
                    "CAP_BELOW_THRESHOLD",
                    path,
                    format_args!("basisCap {} is below {what} ({}); the table above it could never pay", cap, top),
                );
                return;
            }
        }
        if let Some(g) = &c.gate {
            if g.on.measure.as_deref() == Some(measure)
                && g.on.metric.is_none()
                && g.on.basis == basis
                && g.on.of == Whose::Payee
                && cap <= g.min
            {
                self.err(
                    "CAP_BELOW_THRESHOLD",
                    path,
                    format_args!("basisCap {} is at or below the gate's min {} on the same {} of `{measure}`; nothing could ever be paid", cap, g.min, basis_name(basis)),
                );
            }
        }
    }

    // out of line: compiled by WebAssembly only for plans with an MBO component (see fx_sequence)
    #[inline(never)]
    fn check_mbo(
        &mut self,
        base: &str,
        c: &Component,
        applies: &[usize],
        target: &crate::plan::MboTarget,
        objectives: &[crate::plan::Objective],
    ) {
        match (target.amount, target.fraction_of_target_incentive) {
            (Some(_), Some(_)) | (None, None) => self.err(
                "MBO_TARGET",
                join(base, "/target"),
                "the MBO target needs exactly one of `amount` or `fractionOfTargetIncentive`",
            ),
            _ => {}
        }
        if let Some(a) = target.amount {
            if a < Decimal::ZERO {
                self.err(
                    "NEGATIVE_AMOUNT",
                    join(base, "/target/amount"),
                    format_args!("the MBO target amount is {}; it must be 0 or more", a),
                );
            }
        }
        if let Some(f) = target.fraction_of_target_incentive {
            if f < Decimal::ZERO {
                self.err(
                    "NEGATIVE_AMOUNT",
                    join(base, "/target/fractionOfTargetIncentive"),
                    format_args!("the MBO fraction of target incentive is {}; it must be 0 or more", f),
                );
            }
            self.check_target_incentives(c, applies, "its MBO target is a fraction of target incentive");
        }
        let obase = join(base, "/objectives");
        if objectives.is_empty() {
            self.err("MISSING_OBJECTIVES", obase.clone(), "an MBO component needs at least one objective");
            return;
        }
        let mut ids = self.check_ids(&obase, "objective", objectives.iter().map(|o| o.id.as_str()));
        let mut total = Some(Decimal::ZERO);
        for (k, o) in objectives.iter().enumerate() {
            let p = item(&obase, "/", k, "");
            self.flush(&mut ids, k);
            if o.weight < Decimal::ZERO {
                self.err(
                    "MBO_WEIGHTS",
                    join(&p, "/weight"),
                    format_args!("objective `{}` has weight {}; weights cannot be negative", o.id, o.weight),
                );
            }
            total = total.and_then(|t| t.checked_add(o.weight));
            if o.threshold > o.target {
                self.err(
                    "MBO_LEVELS",
                    join(&p, "/threshold"),
                    format_args!(
                        "objective `{}` has threshold {} above target {}; need threshold <= target < stretch",
                        o.id, o.threshold, o.target
                    ),
                );
            }
            if o.target >= o.stretch {
                self.err(
                    "MBO_LEVELS",
                    join(&p, "/stretch"),
                    format_args!(
                        "objective `{}` has stretch {} not above target {}; need threshold <= target < stretch",
                        o.id, o.stretch, o.target
                    ),
                );
            }
            for (name, v) in [("atThreshold", o.at_threshold), ("atStretch", o.at_stretch)] {
                if let Some(v) = v {
                    if v < Decimal::ZERO {
                        self.err(
                            "MBO_LEVELS",
                            member(&p, "/", name),
                            format_args!("objective `{}` has {name} = {}; a score cannot be negative", o.id, v),
                        );
                    }
                }
            }
        }
        if total != Some(Decimal::ONE) {
            let actual = total.map(fmt_dec).unwrap_or_else(|| "too large".to_string());
            self.err(
                "MBO_WEIGHTS",
                obase,
                format_args!("the objective weights add up to {actual}; they must add up to exactly 1"),
            );
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_indicator(
        &mut self,
        ind: &'a Indicator,
        path: &str,
        c: &Component,
        applies: &[usize],
        warned: &mut PairIndex<'a>,
    ) {
        match (&ind.measure, &ind.metric) {
            (Some(_), Some(_)) | (None, None) => self.err(
                "INDICATOR_SOURCE",
                path.to_string(),
                "an indicator reads exactly one of `measure` or `metric`",
            ),
            (None, Some(m)) if m.trim().is_empty() => {
                self.err("INDICATOR_SOURCE", join(path, "/metric"), "the metric id is empty")
            }
            _ => {}
        }
        if let Some(m) = &ind.measure {
            self.check_measure_ref(m, join(path, "/measure"));
            if ind.basis == Basis::Attainment && ind.of == Whose::Payee {
                for &p in applies {
                    self.missing_quota(c, p, m, warned);
                }
            }
        }
        if ind.scope == Scope::Transaction {
            self.err(
                "INVALID_SCOPE",
                join(path, "/scope"),
                "an indicator is read for a period or year to date; scope `transaction` is not allowed",
            );
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_gate(&mut self, base: &str, c: &'a Component, g: &'a Gate, applies: &[usize], warned: &mut PairIndex<'a>) {
        let gbase = join(base, "/gate");
        self.check_indicator(&g.on, &join(&gbase, "/on"), c, applies, warned);
        if g.min < Decimal::ZERO {
            self.err(
                "NEGATIVE_BOUND",
                join(&gbase, "/min"),
                format_args!("the gate's min is {}; it cannot be negative", g.min),
            );
        }
        if g.pay_from == PayFrom::Threshold {
            let own: Option<(&str, Basis)> = match &c.kind {
                ComponentKind::Rate { measure, .. }
                | ComponentKind::Matrix { measure, .. }
                | ComponentKind::Spiff { measure, .. } => Some((measure, Basis::Value)),
                ComponentKind::Tiered { measure, basis, .. } => Some((measure, *basis)),
                ComponentKind::Milestone { .. } | ComponentKind::Mbo { .. } => None,
            };
            let path = join(&gbase, "/payFrom");
            match own {
                None => self.err(
                    "GATE_THRESHOLD_MISMATCH",
                    path,
                    format_args!(
                        "payFrom `threshold` cannot apply to a {} component; use `firstDollar`",
                        crate::engine::components::kind_name(&c.kind)
                    ),
                ),
                Some((m, b)) => {
                    let matches = g.on.measure.as_deref() == Some(m)
                        && g.on.metric.is_none()
                        && g.on.of == Whose::Payee
                        && g.on.basis == b;
                    if !matches {
                        self.err(
                            "GATE_THRESHOLD_MISMATCH",
                            path,
                            format_args!(
                                "payFrom `threshold` pays only the basis above the gate, so the gate must read the component's own measure `{m}` of the payee as {}; it reads {}",
                                basis_name(b),
                                describe_indicator(&g.on)
                            ),
                        );
                    }
                }
            }
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_multiplier(
        &mut self,
        mbase: &str,
        c: &'a Component,
        m: &'a Multiplier,
        applies: &[usize],
        warned: &mut PairIndex<'a>,
    ) {
        self.check_indicator(&m.on, &join(mbase, "/on"), c, applies, warned);
        if m.bands.is_empty() {
            self.warn("NO_BANDS", join(mbase, "/bands"), "the multiplier has no bands, so it never changes the pay");
        }
        let bands: Vec<Band> = m.bands.iter().map(|b| Band { from: b.from, to: b.to }).collect();
        let mut held = self.check_bands(&join(mbase, "/bands"), &bands, false);
        for (k, b) in m.bands.iter().enumerate() {
            self.flush(&mut held, k);
            if b.factor < Decimal::ZERO {
                self.err(
                    "NEGATIVE_RATE",
                    item(mbase, "/bands/", k, "/factor"),
                    format_args!("band {k} has factor {}; a factor cannot be negative", b.factor),
                );
            }
        }
    }

    /// Band checks shared by tier tables (`tier_table`: also NEGATIVE_BOUND and TIER_START) and
    /// multipliers.
    fn check_bands(&mut self, base: &str, bands: &[Band], tier_table: bool) -> Buckets {
        let found = self.capture(|v| v.band_checks(base, bands, tier_table));
        bucket_by(found, &join(base, "/"))
    }

    fn band_checks(&mut self, base: &str, bands: &[Band], tier_table: bool) {
        for (k, b) in bands.iter().enumerate() {
            if tier_table && b.from < Decimal::ZERO {
                self.err(
                    "NEGATIVE_BOUND",
                    item(base, "/", k, "/from"),
                    format_args!("band {k} starts at {}; bands cannot start below 0", b.from),
                );
            }
            if k == 0 {
                if tier_table && b.from > Decimal::ZERO {
                    self.warn(
                        "TIER_START",
                        join(base, "/0/from"),
                        format_args!("the first band starts at {}, so a basis below it pays nothing", b.from),
                    );
                }
            } else if let Some(prev) = bands.get(k - 1) {
                self.band_pair(base, k, b, prev, tier_table);
            }
            if let Some(to) = b.to {
                if to <= b.from {
                    self.err(
                        "TIER_BOUNDS",
                        item(base, "/", k, "/to"),
                        format_args!("band {k} runs from {} to {}; `to` must be greater than `from`", b.from, to),
                    );
                }
            }
        }
    }

    /// Checks consecutive bands. A gap is an error in a tier table (part of the basis would have no
    /// rate) but allowed between multiplier bands, where the factor is 1 outside every band.
    fn band_pair(&mut self, base: &str, k: usize, b: &Band, prev: &Band, tier_table: bool) {
        let path = item(base, "/", k, "/from");
        match prev.to {
            None => self.err(
                "TIER_OPEN_NOT_LAST",
                item(base, "/", k - 1, ""),
                format_args!(
                    "band {} has no `to` (it is open-ended) but is not the last band; only the last band may be open",
                    k - 1
                ),
            ),
            Some(prev_to) => {
                if b.from < prev.from {
                    self.err(
                        "TIER_ORDER",
                        path,
                        format_args!(
                            "band {k} starts at {} but band {} starts at {}; bands must be in ascending order",
                            b.from,
                            k - 1,
                            prev.from
                        ),
                    );
                } else if b.from < prev_to {
                    self.err(
                        "TIER_OVERLAP",
                        path,
                        format_args!(
                            "band {k} starts at {} but band {} ends at {}; bands must not overlap",
                            b.from,
                            k - 1,
                            prev_to
                        ),
                    );
                } else if b.from > prev_to && tier_table {
                    self.err(
                            "TIER_GAP",
                            path,
                            format_args!("band {k} starts at {} but band {} ends at {}; a band must start where the previous one ends", b.from, k - 1, prev_to),
                        );
                }
            }
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_caps(&mut self, base: &str, caps: &[Cap]) {
        let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
        for (k, cap) in caps.iter().enumerate() {
            let cbase = item(base, "/caps/", k, "");
            if cap.amount <= Decimal::ZERO {
                self.err(
                    "CAP_NOT_POSITIVE",
                    join(&cbase, "/amount"),
                    format_args!("the cap amount is {}; a cap must be greater than 0", cap.amount),
                );
            }
            if cap.per == CapPer::Transaction && cap.excess == Excess::CarryForward {
                self.warn(
                    "CAP_CARRY_IGNORED",
                    join(&cbase, "/excess"),
                    "carryForward applies to period and year caps; on a per-transaction cap the excess is forfeited",
                );
            }
            let per = match cap.per {
                CapPer::Transaction => "transaction",
                CapPer::Period => "period",
                CapPer::Year => "year",
            };
            if let Some(first) = seen.get(per) {
                self.warn(
                    "DUPLICATE_CAP",
                    join(&cbase, "/per"),
                    format_args!("there is already a per-{per} cap at {base}/caps/{first}; the lower one wins"),
                );
            } else {
                seen.insert(per, k);
            }
        }
    }

    // ----- payments -----

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_payments(&mut self) {
        let plan = self.plan;
        let pay = &plan.payments;
        let mut ids = self.check_ids("/payments/draws", "draw", pay.draws.iter().map(|d| d.id.as_str()));
        let mut draw_scope: Vec<(Vec<usize>, Option<BTreeSet<&str>>)> = Vec::new();
        for (k, d) in pay.draws.iter().enumerate() {
            let base = item("/payments/draws/", "", k, "");
            self.flush(&mut ids, k);
            for (r, role) in d.roles.iter().enumerate() {
                if !self.roles.contains(role.as_str()) {
                    self.warn(
                        "UNKNOWN_ROLE",
                        item(&base, "/roles/", r, ""),
                        format_args!("no payee has role `{role}`, so this entry selects nobody"),
                    );
                }
            }
            for (r, p) in d.payees.iter().enumerate() {
                self.check_payee_ref(p, item(&base, "/payees/", r, ""), "draw payee");
            }
            if d.amount < Decimal::ZERO {
                self.err(
                    "NEGATIVE_AMOUNT",
                    join(&base, "/amount"),
                    format_args!("the draw amount is {}; it must be greater than 0", d.amount),
                );
            } else if d.amount.is_zero() {
                self.err(
                    "DRAW_AMOUNT",
                    join(&base, "/amount"),
                    "the draw amount is 0; a draw must guarantee a positive amount",
                );
            }
            for (r, per) in d.periods.iter().enumerate() {
                if !self.known_period(per) {
                    let hint = self.periods_hint();
                    self.err(
                        "UNKNOWN_PERIOD",
                        item(&base, "/periods/", r, ""),
                        format_args!("`{per}` is not a period of this plan ({hint})"),
                    );
                }
            }
            let rec = &d.recovery;
            if let Some(p) = rec.max_percent {
                if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED {
                    self.err(
                        "RECOVERY_LIMIT",
                        join(&base, "/recovery/maxPercent"),
                        format_args!("maxPercent is {}%; it must be more than 0 and at most 100", p),
                    );
                }
            }
            if let Some(a) = rec.max_amount {
                if a <= Decimal::ZERO {
                    self.err(
                        "RECOVERY_LIMIT",
                        join(&base, "/recovery/maxAmount"),
                        format_args!("maxAmount is {}; it must be greater than 0", a),
                    );
                }
            }
            if d.kind == DrawKind::NonRecoverable
                && (rec.max_amount.is_some() || rec.max_percent.is_some() || rec.delay_periods > 0)
            {
                self.warn(
                    "RECOVERY_IGNORED",
                    join(&base, "/recovery"),
                    "a nonRecoverable draw is never recovered; its recovery limits are ignored",
                );
            }
            let applies = self.applicable(&d.roles, &d.payees);
            if applies.is_empty() {
                self.warn("NO_PAYEES", base.clone(), format_args!("draw `{}` applies to no payee of the plan", d.id));
            }
            let periods: Option<BTreeSet<&str>> =
                if d.periods.is_empty() { None } else { Some(str_set(d.periods.iter().map(|s| s.as_str()))) };
            for (j, (other_payees, other_periods)) in draw_scope.iter().enumerate() {
                let Some(shared_payee) = applies.iter().find(|p| other_payees.contains(p)) else {
                    continue;
                };
                let shared_period: Option<String> = match (&periods, other_periods) {
                    (None, None) => Some("every period".to_string()),
                    (Some(a), None) | (None, Some(a)) => a.iter().next().map(|p| format!("period `{p}`")),
                    (Some(a), Some(b)) => a.iter().find(|p| b.contains(*p)).map(|p| format!("period `{p}`")),
                };
                let (Some(when), Some(payee), Some(other)) =
                    (shared_period, plan.payees.get(*shared_payee), pay.draws.get(j))
                else {
                    continue;
                };
                self.err(
                    "DRAW_OVERLAP",
                    base.clone(),
                    format_args!(
                        "draws `{}` (/payments/draws/{j}) and `{}` both apply to payee `{}` in {when}; a payee can have only one draw in a period",
                        other.id, d.id, payee.id
                    ),
                );
            }
            draw_scope.push((applies, periods));
        }
        if let Some(cb) = &pay.clawback {
            if cb.window_days == 0 {
                self.warn(
                    "ZERO_WINDOW",
                    "/payments/clawback/windowDays",
                    "windowDays is 0, so only a cancellation on the credit date itself is clawed back",
                );
            }
            for (r, comp) in cb.components.iter().enumerate() {
                self.check_component_ref(comp, item("/payments/clawback/components/", "", r, ""));
            }
        }
        // (out of line in the Node modules: compiled by WebAssembly only for plans with holdbacks)
        if !pay.holdbacks.is_empty() {
            self.check_holdbacks();
        }
    }

    #[cfg_attr(feature = "batch-kernel", inline(never))]
    fn check_holdbacks(&mut self) {
        let plan = self.plan;
        let pay = &plan.payments;
        let mut ids = self.check_ids("/payments/holdbacks", "holdback", pay.holdbacks.iter().map(|h| h.id.as_str()));
        for (k, h) in pay.holdbacks.iter().enumerate() {
            let base = item("/payments/holdbacks/", "", k, "");
            self.flush(&mut ids, k);
            if h.percent <= Decimal::ZERO || h.percent > Decimal::ONE_HUNDRED {
                self.err(
                    "HOLDBACK_PERCENT",
                    join(&base, "/percent"),
                    format_args!("the holdback percent is {}; it must be more than 0 and at most 100", h.percent),
                );
            }
            for (r, comp) in h.components.iter().enumerate() {
                self.check_component_ref(comp, item(&base, "/components/", r, ""));
            }
            match &h.release {
                Release::OnEvent(e) if e.trim().is_empty() => self.err(
                    "EMPTY_EVENT",
                    join(&base, "/release/onEvent"),
                    "the release event name is empty; name the input event that releases the holdback",
                ),
                Release::AfterPeriods(0) => self.warn(
                    "HOLDBACK_NO_DELAY",
                    join(&base, "/release/afterPeriods"),
                    "afterPeriods is 0, so the pay is released in the period it is held: the holdback has no effect",
                ),
                Release::OnDate(d) => {
                    if let Some((ys, ye)) = self.year {
                        if *d < ys || *d > ye {
                            self.warn(
                                "RELEASE_OUTSIDE_YEAR",
                                join(&base, "/release/onDate"),
                                format_args!("the release date {d} is outside the plan year ({ys} to {ye}); the held pay is not released within this plan"),
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        // the holdbacks applying to one component must not hold more than all of its pay
        for c in &plan.components {
            let mut total = Some(Decimal::ZERO);
            let mut count = 0;
            for h in &pay.holdbacks {
                if h.components.is_empty() || h.components.iter().any(|x| x == &c.id) {
                    total = total.and_then(|t| t.checked_add(h.percent));
                    count += 1;
                }
            }
            if count > 1 && total.is_none_or(|t| t > Decimal::ONE_HUNDRED) {
                let actual = total.map(fmt_dec).unwrap_or_else(|| "too large".to_string());
                self.err(
                    "HOLDBACK_TOTAL",
                    "/payments/holdbacks",
                    format_args!("the holdbacks applying to component `{}` hold {actual}% of its pay in total; at most 100% can be held", c.id),
                );
            }
        }
    }

    fn check_component_ref(&mut self, id: &str, path: String) {
        if !self.components.contains(id) {
            let known: Vec<&str> = self.components.iter().copied().collect();
            self.err(
                "UNKNOWN_COMPONENT",
                path,
                format_args!("`{id}` is not a component of this plan (known components: {})", list(&known)),
            );
        }
    }
}

fn describe_indicator(ind: &Indicator) -> String {
    match (&ind.measure, &ind.metric) {
        (Some(m), _) => {
            let whose = match ind.of {
                Whose::Payee => "the payee",
                Whose::Manager => "the manager",
            };
            format!("the {} of `{m}` of {whose}", basis_name(ind.basis))
        }
        (None, Some(m)) => format!("the metric `{m}`"),
        (None, None) => "nothing".to_string(),
    }
}
