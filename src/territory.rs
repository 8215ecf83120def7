//! Territory balancing: assign accounts to payees so that each payee's total potential is as even as
//! possible, respecting accounts that must stay with a given payee.
//!
//! # The request
//!
//! A [`BalanceRequest`] lists the accounts (`id`, `potential`, optional `workload`, optional
//! `fixedOwner`), the payees (`id`) and [`BalanceOptions`]. The options choose the *balanced
//! measure* (`balanceOn`: `potential`, the default, or `workload`; a missing workload counts as 0) and
//! cap the improvement phase (`maxIterations`). Figures are always reported for both measures, but
//! only the balanced measure is optimized; the other one only breaks ties (see below). Potentials and
//! workloads are decimal strings and must not be negative.
//!
//! # The algorithm
//!
//! 1. **Fixed accounts** go to their fixed owner.
//! 2. **Greedy placement (LPT).** The other ("free") accounts are taken by decreasing weight (the
//!    balanced measure; ties by account id) and each is given to the payee with the least load, ties
//!    broken by the smaller total of the other measure, then by the fewer accounts, then by payee id.
//!    So accounts of zero potential are spread by count instead of all landing on one payee.
//! 3. **Local search.** Repeatedly, the most loaded payee `H` is paired with the least loaded payee
//!    `L` (if that pair has no improving change, with the next least loaded ones, then the least loaded
//!    payee with the next most loaded ones). With `D` the difference of their loads, the best change
//!    among *moving* a free account of weight `δ` from `H` to `L` and *swapping* two free accounts
//!    whose weights differ by `δ` is applied, provided `0 < δ < D`; the best is the one with `δ`
//!    closest to `D / 2` (found by binary search in each payee's accounts sorted by weight, so an
//!    examination of a pair of payees costs `O(k)` for `k` accounts per payee: one walk over
//!    both lists sorted by weight, not `O(k²)`). The search stops at a
//!    local optimum (no pair of the most loaded payee with another, or of the least loaded payee with
//!    another, can be improved) or after `maxIterations` changes.
//!
//! Every step is exact decimal arithmetic; iteration orders come from sorted structures (no hash-map
//! order), so the result depends only on the *sets* of accounts and payees: reordering either list in
//! the request gives the same result, byte for byte. Assignments are listed by account id and payees
//! by payee id.
//!
//! # Guarantees
//!
//! - Every account is assigned exactly once, and a fixed account to its fixed owner.
//! - A local-search change moves `δ` with `0 < δ < D` between two payees whose loads differ by `D`:
//!   both new loads lie strictly between the old ones. So the maximum load never rises, the minimum
//!   never falls, and the sum of squared loads falls by `2δ(D − δ) > 0` each time, so the search
//!   cannot cycle (and the iteration cap bounds its time anyway).
//! - The greedy phase gives each free account to a payee whose load was at most the mean of the
//!   loads at the time, so `max load ≤ max(heaviest fixed load, ideal + largest free account)`.
//!   Without fixed accounts this is Graham's LPT schedule, so also `max load ≤ (4/3 − 1/(3N)) × the
//!   best possible max load` and `max − min ≤ the largest account`; local search only improves on it.
//! - `lowerBound ≤` the best max load any assignment could reach, hence `gap = maxLoad − lowerBound ≥
//!   0` measures how far (at most) the result is from optimal. Minimizing the max load exactly is
//!   NP-hard, so the result is not claimed optimal; the gap says how close it is.
//!
//! # The lower bound
//!
//! With `F_p` the fixed load of payee `p` (the weight of its fixed accounts), `S` the total weight of
//! the free accounts, `N` payees and `a₁ ≥ a₂ ≥ …` the free weights, no assignment can do better than
//! the largest of:
//!
//! - **ideal** `= total / N`: the max is at least the mean;
//! - **fixedLoad** `= max F_p`: fixed accounts cannot leave;
//! - **largestAccount** `= min F_p + a₁`: the largest free account lands on some payee;
//! - **twoAccounts** `= min F_p + a_N + a_{N+1}` when there are more than `N` free accounts: two of
//!   the `N + 1` largest share a payee.
//!
//! The first two together are exactly the best max load if accounts could be split (pour the free
//! weight over the fixed loads like water: the level `W` that fills `Σ_p max(0, W − F_p) = S` is at
//! most the ideal, and equals it unless some fixed load stands above it), so a bound that beats them
//! must use the accounts' indivisibility, as the last two do.
//!
//! [`BalanceFigures::lower_bound_basis`] names the one that gives the bound (the first in this order
//! on a tie). Quotients (the ideal, ratios, percentages) carry rust_decimal's 28 significant digits
//! and are not rounded further.
//!
//! # Measured
//!
//! 10,000 generated accounts (potentials skewed between 1,000 and 100,000 with cents, ten of 500,000 to
//! 2,000,000, 1% fixed) over 50 payees ([`sample_request`] with seed 2025), measured with
//! `cargo run --release --example territory_balance`:
//!
//! | | greedy (LPT) only | LPT + local search |
//! |---|---|---|
//! | max / min load | 5,367,525.55 / 5,366,515.49 | 5,366,780.43 / 5,366,780.31 |
//! | max/min ratio | 1.00018822 | 1.00000002 |
//! | max deviation from the ideal (5,366,780.363) | 745.19 (0.0139%) | 0.07 (0.00000125%) |
//! | gap to the lower bound (the ideal here) | 745.19 | 0.07 (7 cents) |
//! | time, release build, one core | about 10 ms | about 30 ms (170 swaps, 938 pairs examined) |
//!
//! Times vary with the machine (30 to 95 ms for the whole on a busy two-core machine); the figures
//! do not. A test asserts the deviation stays below 0.00001% and the gap below 1.
//!
//! # Example
//!
//! ```
//! use payplan::territory::{balance, BalanceRequest};
//! let req = BalanceRequest::from_json(r#"{
//!   "accounts": [
//!     { "id": "acme", "potential": "500" },
//!     { "id": "bolt", "potential": "400" },
//!     { "id": "core", "potential": "300" },
//!     { "id": "dyna", "potential": "200", "fixedOwner": "ana" },
//!     { "id": "echo", "potential": "100" }
//!   ],
//!   "payees": [{ "id": "ana" }, { "id": "ben" }]
//! }"#).unwrap();
//! let r = balance(&req).unwrap();
//! let owner = |a: &str| r.assignments.iter().find(|x| x.account == a).map(|x| x.payee.as_str());
//! assert_eq!(owner("dyna"), Some("ana"));
//! assert_eq!(r.figures.ideal.to_string(), "750");
//! assert_eq!(r.figures.max_load.to_string(), "800"); // 750 each is impossible: 1,500 in 100s
//! assert_eq!(r.figures.lower_bound.to_string(), "750");
//! assert_eq!(r.figures.max_min_ratio.map(|x| x.round_dp(4).to_string()), Some("1.1429".into()));
//! ```

use crate::error::{Error, Result};
use crate::money::Checked;
use crate::sample::Rng;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Default cap on local-search changes ([`BalanceOptions::max_iterations`]).
pub const DEFAULT_MAX_ITERATIONS: u32 = 10_000;

/// What to balance, one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Account {
    /// Unique id.
    pub id: String,
    /// Sales potential (a decimal string, not negative).
    pub potential: Decimal,
    /// Effort to serve the account, in any unit (hours, visits); absent counts as 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<Decimal>,
    /// The payee who must keep this account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_owner: Option<String>,
}

/// A payee accounts can be given to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "TerritoryPayee"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Payee {
    /// Unique id.
    pub id: String,
}

/// The measure that is balanced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "BalanceMeasure"))]
#[serde(rename_all = "camelCase")]
pub enum Measure {
    /// The accounts' potential (the default).
    #[default]
    Potential,
    /// The accounts' workload (absent: 0).
    Workload,
}

/// How to balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BalanceOptions {
    /// The measure made even across payees; the other one only breaks ties in the greedy phase.
    #[serde(default)]
    pub balance_on: Measure,
    /// Cap on local-search changes (moves and swaps); 0 keeps the greedy placement as it is.
    #[serde(default = "default_max_iterations")]
    pub max_iterations: u32,
}

fn default_max_iterations() -> u32 {
    DEFAULT_MAX_ITERATIONS
}

impl Default for BalanceOptions {
    fn default() -> Self {
        Self { balance_on: Measure::Potential, max_iterations: DEFAULT_MAX_ITERATIONS }
    }
}

/// Accounts, payees and options.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BalanceRequest {
    /// The accounts to assign (ids unique).
    pub accounts: Vec<Account>,
    /// The payees to assign them to (ids unique, at least one).
    pub payees: Vec<Payee>,
    /// Options (all have defaults).
    #[serde(default)]
    pub options: BalanceOptions,
}

impl BalanceRequest {
    /// Parses a request from JSON; errors carry the JSON pointer of the problem.
    pub fn from_json(text: &str) -> Result<BalanceRequest> {
        crate::json::parse_serde("territory request", text)
    }
}

/// Where one account went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// The account id.
    pub account: String,
    /// The payee id.
    pub payee: String,
    /// Whether the account had a fixed owner.
    pub fixed: bool,
}

/// One payee's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PayeeLoad {
    /// The payee id.
    pub payee: String,
    /// Number of accounts assigned.
    pub accounts: u64,
    /// How many of them are fixed.
    pub fixed_accounts: u64,
    /// Total potential.
    pub potential: Decimal,
    /// Total workload.
    pub workload: Decimal,
    /// Load (the balanced measure) minus the ideal: positive above it, negative below.
    pub deviation: Decimal,
}

/// Which candidate gives [`BalanceFigures::lower_bound`] (see the [module docs](self)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum LowerBoundBasis {
    /// Total divided by the number of payees.
    Ideal,
    /// The heaviest fixed load.
    FixedLoad,
    /// The smallest fixed load plus the largest free account.
    LargestAccount,
    /// The smallest fixed load plus the `N`-th and `N+1`-th largest free accounts.
    TwoAccounts,
}

/// How even the result is, all in the balanced measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BalanceFigures {
    /// Total over all accounts.
    pub total: Decimal,
    /// Total divided by the number of payees.
    pub ideal: Decimal,
    /// No assignment can have a max load below this.
    pub lower_bound: Decimal,
    /// Which candidate gives the lower bound.
    pub lower_bound_basis: LowerBoundBasis,
    /// The most loaded payee's load.
    pub max_load: Decimal,
    /// The least loaded payee's load.
    pub min_load: Decimal,
    /// `max_load / min_load`; none when `min_load` is zero.
    pub max_min_ratio: Option<Decimal>,
    /// Largest `|load − ideal|` over payees.
    pub max_deviation: Decimal,
    /// `max_deviation / ideal × 100`; none when the ideal is zero.
    pub max_deviation_percent: Option<Decimal>,
    /// `max_load − lower_bound` (never negative): at most this much above optimal.
    pub gap: Decimal,
    /// `gap / lower_bound × 100`; none when the lower bound is zero.
    pub gap_percent: Option<Decimal>,
}

/// What the local search did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SearchStats {
    /// Accounts moved from one payee to another.
    pub moves: u32,
    /// Pairs of accounts swapped.
    pub swaps: u32,
    /// Pairs of payees examined for a change (the work done: each costs `O(k)` for `k`
    /// accounts per payee).
    pub pairs_examined: u64,
    /// True when it stopped at a local optimum, false when it hit `maxIterations`.
    pub converged: bool,
}

/// The assignment and how balanced it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BalanceResult {
    /// The measure that was balanced (the figures are in it).
    pub balanced_on: Measure,
    /// Every account's payee, by account id.
    pub assignments: Vec<Assignment>,
    /// Every payee's totals, by payee id.
    pub payees: Vec<PayeeLoad>,
    /// How even the result is.
    pub figures: BalanceFigures,
    /// What the local search did.
    pub search: SearchStats,
}

impl BalanceResult {
    /// Serializes to compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

fn invalid(code: &str, path: String, message: String) -> Error {
    Error::InvalidInput { code: code.to_string(), path, message }
}

/// Checks a request: at least one payee; ids present and unique; potentials and workloads not
/// negative; fixed owners among the payees. The first problem, in document order, is returned with
/// its code and JSON pointer:
///
/// | code | path |
/// |---|---|
/// | `NO_PAYEES` | `/payees` |
/// | `EMPTY_ID` | `/payees/i/id`, `/accounts/i/id` |
/// | `DUPLICATE_PAYEE` | `/payees/i/id` (the second occurrence) |
/// | `DUPLICATE_ACCOUNT` | `/accounts/i/id` (the second occurrence) |
/// | `NEGATIVE_POTENTIAL` | `/accounts/i/potential` |
/// | `NEGATIVE_WORKLOAD` | `/accounts/i/workload` |
/// | `UNKNOWN_FIXED_OWNER` | `/accounts/i/fixedOwner` |
pub fn validate_request(req: &BalanceRequest) -> Result<()> {
    if req.payees.is_empty() {
        return Err(invalid("NO_PAYEES", "/payees".into(), "at least one payee is needed".into()));
    }
    let mut payees = BTreeSet::new();
    for (i, p) in req.payees.iter().enumerate() {
        if p.id.is_empty() {
            return Err(invalid("EMPTY_ID", format!("/payees/{i}/id"), "a payee id must not be empty".into()));
        }
        if !payees.insert(p.id.as_str()) {
            return Err(invalid(
                "DUPLICATE_PAYEE",
                format!("/payees/{i}/id"),
                format!("payee `{}` is listed more than once", p.id),
            ));
        }
    }
    let mut accounts = BTreeSet::new();
    for (i, a) in req.accounts.iter().enumerate() {
        if a.id.is_empty() {
            return Err(invalid("EMPTY_ID", format!("/accounts/{i}/id"), "an account id must not be empty".into()));
        }
        if !accounts.insert(a.id.as_str()) {
            return Err(invalid(
                "DUPLICATE_ACCOUNT",
                format!("/accounts/{i}/id"),
                format!("account `{}` is listed more than once", a.id),
            ));
        }
        if a.potential.is_sign_negative() && !a.potential.is_zero() {
            return Err(invalid(
                "NEGATIVE_POTENTIAL",
                format!("/accounts/{i}/potential"),
                format!("account `{}` has potential {}; it must not be negative", a.id, a.potential),
            ));
        }
        if let Some(w) = a.workload.filter(|w| w.is_sign_negative() && !w.is_zero()) {
            return Err(invalid(
                "NEGATIVE_WORKLOAD",
                format!("/accounts/{i}/workload"),
                format!("account `{}` has workload {w}; it must not be negative", a.id),
            ));
        }
        if let Some(owner) = a.fixed_owner.as_deref().filter(|o| !payees.contains(o)) {
            return Err(invalid(
                "UNKNOWN_FIXED_OWNER",
                format!("/accounts/{i}/fixedOwner"),
                format!("account `{}` is fixed to `{owner}`, who is not one of the payees", a.id),
            ));
        }
    }
    Ok(())
}

/// One account during the computation.
struct Slot<'a> {
    account: &'a Account,
    weight: Decimal,
    other: Decimal,
    owner: usize,
    fixed: bool,
}

/// A local-search change: `take` leaves `from` for `to`; `give` (a swap) goes the other way.
struct Change {
    take: (Decimal, usize),
    give: Option<(Decimal, usize)>,
    delta: Decimal,
}

const CTX: &str = "territory loads";

/// Assigns every account to a payee, as evenly as possible in the balanced measure (see the
/// [module docs](self) for the algorithm, its guarantees and the figures).
///
/// Errors: [`Error::InvalidInput`] for a bad request (see [`validate_request`]),
/// [`Error::Overflow`] when totals exceed the decimal range.
pub fn balance(req: &BalanceRequest) -> Result<BalanceResult> {
    validate_request(req)?;
    let on = req.options.balance_on;
    let mut payee_ids: Vec<&str> = req.payees.iter().map(|p| p.id.as_str()).collect();
    payee_ids.sort_unstable();
    let rank: BTreeMap<&str, usize> = payee_ids.iter().enumerate().map(|(r, id)| (*id, r)).collect();
    let m = payee_ids.len();

    let mut slots: Vec<Slot> = req
        .accounts
        .iter()
        .map(|a| {
            let w = a.workload.unwrap_or_default();
            let (weight, other) = match on {
                Measure::Potential => (a.potential, w),
                Measure::Workload => (w, a.potential),
            };
            let fixed_rank = a.fixed_owner.as_deref().and_then(|o| rank.get(o).copied());
            Slot { account: a, weight, other, owner: fixed_rank.unwrap_or(0), fixed: fixed_rank.is_some() }
        })
        .collect();
    slots.sort_unstable_by(|a, b| a.account.id.cmp(&b.account.id));

    // totals, checked once: every later sum or difference of loads stays within twice the total
    let total = crate::money::sum_c(slots.iter().map(|s| s.weight), CTX)?;
    let other_total = crate::money::sum_c(slots.iter().map(|s| s.other), CTX)?;
    total.add_c(total, CTX)?;
    other_total.add_c(other_total, CTX)?;

    // 1. fixed accounts
    let mut load = vec![Decimal::ZERO; m];
    let mut other = vec![Decimal::ZERO; m];
    let mut count = vec![0u64; m];
    for s in slots.iter().filter(|s| s.fixed) {
        if let (Some(l), Some(o), Some(c)) = (load.get_mut(s.owner), other.get_mut(s.owner), count.get_mut(s.owner)) {
            *l = l.add_c(s.weight, CTX)?;
            *o = o.add_c(s.other, CTX)?;
            *c += 1;
        }
    }
    let fixed_load = load.clone();

    // 2. LPT: free accounts by decreasing weight (then id), each to the least loaded payee
    let mut free: Vec<usize> = (0..slots.len()).filter(|&i| slots.get(i).is_some_and(|s| !s.fixed)).collect();
    free.sort_by(|&a, &b| {
        let wa = slots.get(a).map(|s| s.weight);
        let wb = slots.get(b).map(|s| s.weight);
        wb.cmp(&wa).then(a.cmp(&b))
    });
    let mut queue: BTreeSet<(Decimal, Decimal, u64, usize)> =
        (0..m).filter_map(|r| Some((*load.get(r)?, *other.get(r)?, *count.get(r)?, r))).collect();
    for &i in &free {
        let (Some(s), Some((l, o, c, r))) = (slots.get_mut(i), queue.pop_first()) else { break };
        s.owner = r;
        queue.insert((l.add_c(s.weight, CTX)?, o.add_c(s.other, CTX)?, c + 1, r));
    }
    for (l, _, _, r) in queue {
        if let Some(x) = load.get_mut(r) {
            *x = l;
        }
    }

    // 3. local search
    let search = improve(&mut slots, &mut load, m, req.options.max_iterations)?;

    // figures
    let ideal = total.div_c(Decimal::from(m as u64), CTX)?;
    let mut payees: Vec<PayeeLoad> = payee_ids
        .iter()
        .map(|id| PayeeLoad {
            payee: id.to_string(),
            accounts: 0,
            fixed_accounts: 0,
            potential: Decimal::ZERO,
            workload: Decimal::ZERO,
            deviation: Decimal::ZERO,
        })
        .collect();
    for s in &slots {
        if let Some(p) = payees.get_mut(s.owner) {
            p.accounts += 1;
            p.fixed_accounts += u64::from(s.fixed);
            p.potential = p.potential.add_c(s.account.potential, CTX)?;
            p.workload = p.workload.add_c(s.account.workload.unwrap_or_default(), CTX)?;
        }
    }
    for (p, l) in payees.iter_mut().zip(&load) {
        p.deviation = l.sub_c(ideal, CTX)?;
    }
    let max_load = load.iter().copied().max().unwrap_or_default();
    let min_load = load.iter().copied().min().unwrap_or_default();
    let max_deviation = payees.iter().map(|p| p.deviation.abs()).max().unwrap_or_default();
    let free_weights: Vec<Decimal> = free.iter().filter_map(|&i| slots.get(i).map(|s| s.weight)).collect();
    let (lower_bound, lower_bound_basis) = lower_bound(&fixed_load, &free_weights, ideal)?;
    let gap = max_load.sub_c(lower_bound, CTX)?;
    let percent = |x: Decimal, of: Decimal| -> Result<Option<Decimal>> {
        if of.is_zero() {
            return Ok(None);
        }
        Ok(Some(x.div_c(of, CTX)?.mul_c(Decimal::ONE_HUNDRED, CTX)?))
    };
    let figures = BalanceFigures {
        total,
        ideal,
        lower_bound,
        lower_bound_basis,
        max_load,
        min_load,
        max_min_ratio: if min_load.is_zero() { None } else { Some(max_load.div_c(min_load, "a max/min ratio")?) },
        max_deviation,
        max_deviation_percent: percent(max_deviation, ideal)?,
        gap,
        gap_percent: percent(gap, lower_bound)?,
    };
    let assignments = slots
        .iter()
        .map(|s| Assignment {
            account: s.account.id.clone(),
            payee: payee_ids.get(s.owner).map(|p| p.to_string()).unwrap_or_default(),
            fixed: s.fixed,
        })
        .collect();
    Ok(BalanceResult { balanced_on: on, assignments, payees, figures, search })
}

/// The lower bound of the module docs, and which candidate gives it.
///
/// `fixed` has one entry per payee (at least one), `free` is sorted by decreasing weight.
fn lower_bound(fixed: &[Decimal], free: &[Decimal], ideal: Decimal) -> Result<(Decimal, LowerBoundBasis)> {
    let m = fixed.len();
    let min_fixed = fixed.iter().copied().min().unwrap_or_default();
    let max_fixed = fixed.iter().copied().max().unwrap_or_default();

    let mut candidates = vec![(ideal, LowerBoundBasis::Ideal), (max_fixed, LowerBoundBasis::FixedLoad)];
    if let Some(&a1) = free.first() {
        candidates.push((min_fixed.add_c(a1, CTX)?, LowerBoundBasis::LargestAccount));
    }
    if let (Some(&an), Some(&an1)) = (free.get(m.saturating_sub(1)), free.get(m)) {
        candidates.push((min_fixed.add_c(an, CTX)?.add_c(an1, CTX)?, LowerBoundBasis::TwoAccounts));
    }
    let mut best = (Decimal::ZERO, LowerBoundBasis::Ideal);
    for (i, c) in candidates.into_iter().enumerate() {
        if i == 0 || c.0 > best.0 {
            best = c;
        }
    }
    Ok(best)
}

/// The local search of the module docs. `load` holds each payee's load and is kept up to date.
fn improve(slots: &mut [Slot], load: &mut [Decimal], m: usize, cap: u32) -> Result<SearchStats> {
    let mut stats = SearchStats { moves: 0, swaps: 0, pairs_examined: 0, converged: false };
    // each payee's free accounts of positive weight, by (weight, account index)
    let mut movable: Vec<BTreeSet<(Decimal, usize)>> = vec![BTreeSet::new(); m];
    for (i, s) in slots.iter().enumerate() {
        if !s.fixed && s.weight > Decimal::ZERO {
            if let Some(set) = movable.get_mut(s.owner) {
                set.insert((s.weight, i));
            }
        }
    }
    let mut order: BTreeSet<(Decimal, usize)> = load.iter().copied().zip(0..).collect();
    let mut done = 0u32;
    while let (Some(&(hi, h)), Some(&(lo, l))) = (order.last(), order.first()) {
        if hi <= lo {
            stats.converged = true;
            break;
        }
        if done >= cap {
            break;
        }
        let empty = BTreeSet::new();
        let set = |r: usize| movable.get(r).unwrap_or(&empty);
        // the most loaded payee with the others, least loaded first
        let mut found = None;
        for &(y, r) in order.iter() {
            if y >= hi {
                break;
            }
            stats.pairs_examined += 1;
            if let Some(c) = best_change(set(h), set(r), hi.sub_c(y, CTX)?)? {
                found = Some((c, h, r));
                break;
            }
        }
        // then the least loaded payee with the others, most loaded first
        if found.is_none() {
            for &(x, r) in order.iter().rev() {
                if x <= lo {
                    break;
                }
                if r == h {
                    continue;
                }
                stats.pairs_examined += 1;
                if let Some(c) = best_change(set(r), set(l), x.sub_c(lo, CTX)?)? {
                    found = Some((c, r, l));
                    break;
                }
            }
        }
        let Some((c, from, to)) = found else {
            stats.converged = true;
            break;
        };
        // apply
        let (Some(lf), Some(lt)) = (load.get(from).copied(), load.get(to).copied()) else { break };
        let (nf, nt) = (lf.sub_c(c.delta, CTX)?, lt.add_c(c.delta, CTX)?);
        order.remove(&(lf, from));
        order.remove(&(lt, to));
        order.insert((nf, from));
        order.insert((nt, to));
        if let Some(x) = load.get_mut(from) {
            *x = nf;
        }
        if let Some(x) = load.get_mut(to) {
            *x = nt;
        }
        transfer(&mut movable, slots, c.take, from, to);
        match c.give {
            Some(g) => {
                transfer(&mut movable, slots, g, to, from);
                stats.swaps += 1;
            }
            None => stats.moves += 1,
        }
        done += 1;
    }
    Ok(stats)
}

fn transfer(
    movable: &mut [BTreeSet<(Decimal, usize)>],
    slots: &mut [Slot],
    key: (Decimal, usize),
    from: usize,
    to: usize,
) {
    if let Some(set) = movable.get_mut(from) {
        set.remove(&key);
    }
    if let Some(set) = movable.get_mut(to) {
        set.insert(key);
    }
    if let Some(s) = slots.get_mut(key.1) {
        s.owner = to;
    }
}

/// The best change from a payee holding `high` to one holding `low` whose loads differ by `d > 0`:
/// a move or a swap shifting `δ` with `0 < δ < d`, `δ` closest to `d / 2` (first found on a tie:
/// moves before swaps, then by weight and account index). `None` when no change improves.
fn best_change(
    high: &BTreeSet<(Decimal, usize)>,
    low: &BTreeSet<(Decimal, usize)>,
    d: Decimal,
) -> Result<Option<Change>> {
    let half = d.div_c(Decimal::TWO, CTX)?;
    let mut best: Option<(Decimal, Change)> = None;
    // |2δ − d|, when 0 < δ < d
    let mut consider = |take: (Decimal, usize), give: Option<(Decimal, usize)>| -> Result<bool> {
        let delta = take.0.sub_c(give.map_or(Decimal::ZERO, |g| g.0), CTX)?;
        if delta <= Decimal::ZERO || delta >= d {
            return Ok(false);
        }
        let score = delta.add_c(delta, CTX)?.sub_c(d, CTX)?.abs();
        if best.as_ref().is_none_or(|(b, _)| score < *b) {
            best = Some((score, Change { take, give, delta }));
        }
        Ok(score.is_zero())
    };
    // a move: the accounts of `high` nearest `d / 2`, one on each side
    let above = high.range((half, 0)..).next().copied();
    let below = high.range(..(half, 0)).next_back().copied();
    for take in [below, above].into_iter().flatten() {
        if consider(take, None)? {
            return Ok(best.map(|b| b.1));
        }
    }
    // a swap: for each account of `low` (ascending), the accounts of `high` nearest its weight plus
    // `d / 2`; the targets ascend, so one forward walk over `high` finds them all (O(k), no search)
    let mut walk = high.iter().copied().peekable();
    let mut below: Option<(Decimal, usize)> = None;
    for &give in low {
        let target = give.0.add_c(half, CTX)?;
        while let Some(next) = walk.next_if(|x| x.0 < target) {
            below = Some(next);
        }
        for take in [below, walk.peek().copied()].into_iter().flatten() {
            if consider(take, Some(give))? {
                return Ok(best.map(|b| b.1));
            }
        }
    }
    Ok(best.map(|b| b.1))
}

/// A generated request for examples and tests: `accounts` accounts over `payees` payees, from `seed`.
///
/// Potentials are skewed toward small values: `1,000 + u` with `u` uniform in `0..v` and `v` itself
/// uniform in `1..99,000` (in cents, so the mean is about 25,750). Every 1,000th account is large
/// (500,000 to 2,000,000), every 100th is fixed to a payee, and workloads are 1 to 40 hours. Ids are
/// `A-00001`... and `P-01`...
///
/// ```
/// let req = payplan::territory::sample_request(7, 100, 5);
/// assert_eq!(req.accounts.len(), 100);
/// assert_eq!(req, payplan::territory::sample_request(7, 100, 5));
/// ```
pub fn sample_request(seed: u64, accounts: usize, payees: usize) -> BalanceRequest {
    let mut rng = Rng::new(seed);
    let payees: Vec<Payee> = (1..=payees).map(|p| Payee { id: format!("P-{p:02}") }).collect();
    let accounts = (1..=accounts)
        .map(|i| {
            let cents = if i % 1000 == 0 {
                50_000_000 + rng.below(150_000_001)
            } else {
                let v = 1 + rng.below(9_900_000);
                100_000 + rng.below(v)
            };
            let workload = 1 + rng.below(40);
            let fixed_owner = if i % 100 == 0 && !payees.is_empty() {
                payees.get(rng.below(payees.len() as u64) as usize).map(|p| p.id.clone())
            } else {
                None
            };
            Account {
                id: format!("A-{i:05}"),
                potential: Decimal::new(i64::try_from(cents).unwrap_or(i64::MAX), 2),
                workload: Some(Decimal::from(workload)),
                fixed_owner,
            }
        })
        .collect();
    BalanceRequest { accounts, payees, options: BalanceOptions::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn req(accounts: &[(&str, &str, Option<&str>)], payees: &[&str]) -> BalanceRequest {
        BalanceRequest {
            accounts: accounts
                .iter()
                .map(|(id, p, f)| Account {
                    id: id.to_string(),
                    potential: d(p),
                    workload: None,
                    fixed_owner: f.map(|s| s.to_string()),
                })
                .collect(),
            payees: payees.iter().map(|p| Payee { id: p.to_string() }).collect(),
            options: BalanceOptions::default(),
        }
    }

    fn owners(r: &BalanceResult) -> Vec<(String, String)> {
        r.assignments.iter().map(|a| (a.account.clone(), a.payee.clone())).collect()
    }

    fn loads(r: &BalanceResult) -> Vec<String> {
        r.payees.iter().map(|p| p.potential.to_string()).collect()
    }

    #[test]
    fn lpt_then_swap_reaches_the_optimum() {
        // LPT: k1 (7) -> a, k2 (6) -> b, k3 (5) -> b (11), k4 (4) -> a (11), k5 (4) -> a on the tie
        // (same workload and count, payee id): 15 / 11. No single move of less than 4 exists; swapping
        // 7 (a) with 5 (b) shifts 2 = half the difference: 13 / 13, the optimum.
        let r = balance(&req(
            &[("k1", "7", None), ("k2", "6", None), ("k3", "5", None), ("k4", "4", None), ("k5", "4", None)],
            &["a", "b"],
        ))
        .unwrap();
        assert_eq!(loads(&r), ["13", "13"]);
        assert_eq!(r.figures.lower_bound, d("13"));
        assert_eq!(r.figures.gap, Decimal::ZERO);
        assert_eq!(r.figures.max_min_ratio, Some(Decimal::ONE));
        assert!(r.search.converged);
    }

    #[test]
    fn greedy_classic_case_is_improved() {
        // Graham's worst case for LPT with 2 payees: 3,3,2,2,2 -> LPT gives 7/5, optimum 6/6
        let r = balance(&req(
            &[("a1", "3", None), ("a2", "3", None), ("a3", "2", None), ("a4", "2", None), ("a5", "2", None)],
            &["p", "q"],
        ))
        .unwrap();
        assert_eq!(loads(&r), ["6", "6"]);
        assert_eq!(r.search.swaps + r.search.moves, 1);
        let greedy = balance(&BalanceRequest {
            options: BalanceOptions { max_iterations: 0, ..Default::default() },
            ..req(
                &[("a1", "3", None), ("a2", "3", None), ("a3", "2", None), ("a4", "2", None), ("a5", "2", None)],
                &["p", "q"],
            )
        })
        .unwrap();
        // a1 -> p, a2 -> q, a3 -> p (tie at 3: fewer... equal; by id p), a4 -> q, a5 -> p
        assert_eq!(loads(&greedy), ["7", "5"]);
        assert!(!greedy.search.converged);
        assert_eq!(greedy.figures.gap, Decimal::ONE);
        assert_eq!(greedy.figures.max_deviation, Decimal::ONE);
        assert_eq!(greedy.figures.max_deviation_percent.unwrap().round_dp(4), d("16.6667"));
    }

    #[test]
    fn ties_are_broken_by_id() {
        // equal potentials: sorted by account id, each to the least loaded, ties by fewer accounts then
        // payee id: x1->a, x2->b, x3->a, x4->b
        let r = balance(&req(
            &[("x4", "10", None), ("x2", "10", None), ("x3", "10", None), ("x1", "10", None)],
            &["b", "a"],
        ))
        .unwrap();
        let want: Vec<(String, String)> = [("x1", "a"), ("x2", "b"), ("x3", "a"), ("x4", "b")]
            .iter()
            .map(|(x, y)| (x.to_string(), y.to_string()))
            .collect();
        assert_eq!(owners(&r), want);
        assert_eq!(r.payees.iter().map(|p| p.payee.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(r.search.moves + r.search.swaps, 0);
    }

    #[test]
    fn fixed_owners_are_respected_and_bound_the_result() {
        // b must keep 100; the others (10, 10, 10) all go to a: the optimum is 100
        let r = balance(&req(
            &[("big", "100", Some("b")), ("s1", "10", None), ("s2", "10", None), ("s3", "10", None)],
            &["a", "b"],
        ))
        .unwrap();
        assert_eq!(owners(&r)[0], ("big".into(), "b".into()));
        assert_eq!(loads(&r), ["30", "100"]);
        assert_eq!(r.figures.ideal, d("65"));
        assert_eq!(r.figures.lower_bound, d("100"));
        assert_eq!(r.figures.lower_bound_basis, LowerBoundBasis::FixedLoad);
        assert_eq!(r.figures.gap, Decimal::ZERO);
        assert_eq!(r.payees[1].fixed_accounts, 1);
        assert_eq!(r.payees[1].deviation, d("35"));
        assert!(r.assignments.iter().all(|a| a.fixed == (a.account == "big")));
    }

    #[test]
    fn fixed_accounts_are_never_moved_by_the_search() {
        // a is fixed to 60 + 0, b fixed 0: the free 40 and 20 go to b; moving the fixed 60 would be
        // better for the spread but is not allowed
        let r = balance(&req(
            &[("f1", "30", Some("a")), ("f2", "30", Some("a")), ("m1", "40", None), ("m2", "20", None)],
            &["a", "b"],
        ))
        .unwrap();
        assert_eq!(loads(&r), ["60", "60"]);
        let r =
            balance(&req(&[("f1", "50", Some("a")), ("f2", "30", Some("a")), ("m1", "5", None)], &["a", "b"])).unwrap();
        assert_eq!(loads(&r), ["80", "5"]);
        assert_eq!(r.figures.lower_bound, d("80"));
    }

    #[test]
    fn lower_bound_candidates() {
        // c keeps 90; the free 30 and 30 go to a and b. Ideal 50: the bound is the fixed load 90,
        // which the result reaches
        let r =
            balance(&req(&[("f", "90", Some("c")), ("x", "30", None), ("y", "30", None)], &["a", "b", "c"])).unwrap();
        assert_eq!((r.figures.ideal, r.figures.lower_bound), (d("50"), d("90")));
        assert_eq!(r.figures.lower_bound_basis, LowerBoundBasis::FixedLoad);
        assert_eq!(r.figures.gap, Decimal::ZERO);
        // a keeps 3; five free accounts of 1 fill b up to 3 and then one each: 4 and 4, the ideal
        let mut accounts: Vec<(String, &str, Option<&str>)> = (0..5).map(|i| (format!("u{i}"), "1", None)).collect();
        accounts.push(("z".into(), "3", Some("a")));
        let accounts: Vec<(&str, &str, Option<&str>)> = accounts.iter().map(|(a, b, c)| (a.as_str(), *b, *c)).collect();
        let r = balance(&req(&accounts, &["a", "b"])).unwrap();
        assert_eq!((r.figures.lower_bound, r.figures.lower_bound_basis), (d("4"), LowerBoundBasis::Ideal));
        assert_eq!(loads(&r), ["4", "4"]);
        let lb = |f: &[&str], free: &[&str], ideal: &str| {
            let f: Vec<Decimal> = f.iter().map(|x| d(x)).collect();
            let free: Vec<Decimal> = free.iter().map(|x| d(x)).collect();
            lower_bound(&f, &free, d(ideal)).unwrap()
        };
        assert_eq!(lb(&["0", "0", "9"], &["3", "3"], "5"), (d("9"), LowerBoundBasis::FixedLoad));
        assert_eq!(lb(&["6", "0", "0"], &["6", "6", "3"], "7"), (d("7"), LowerBoundBasis::Ideal));
        // the largest free account lands at best on the lightest payee: 2 + 8 = 10 > ideal 7
        assert_eq!(lb(&["2", "3", "4"], &["8", "2", "2"], "7"), (d("10"), LowerBoundBasis::LargestAccount));
        // two of the three largest share a payee: 0 + 2 + 2 = 4 > ideal 3.5 and 0 + 3
        assert_eq!(lb(&["0", "0"], &["3", "2", "2"], "3.5"), (d("4"), LowerBoundBasis::TwoAccounts));
        // with fixed loads the pair bound adds to the lightest: 1 + 2 + 2 = 5 > ideal 4.5
        assert_eq!(lb(&["1", "1"], &["3", "2", "2"], "4.5"), (d("5"), LowerBoundBasis::TwoAccounts));
    }

    #[test]
    fn one_payee_takes_everything() {
        let r = balance(&req(&[("a", "5", None), ("b", "7", None)], &["solo"])).unwrap();
        assert_eq!(loads(&r), ["12"]);
        assert_eq!(r.figures.ideal, d("12"));
        assert_eq!(r.figures.gap, Decimal::ZERO);
        assert_eq!(r.figures.max_min_ratio, Some(Decimal::ONE));
        assert_eq!(r.figures.max_deviation, Decimal::ZERO);
        assert!(r.search.converged);
    }

    #[test]
    fn more_payees_than_accounts() {
        let r = balance(&req(&[("a", "5", None), ("b", "7", None)], &["p1", "p2", "p3"])).unwrap();
        assert_eq!(loads(&r), ["7", "5", "0"]);
        assert_eq!(r.figures.min_load, Decimal::ZERO);
        assert_eq!(r.figures.max_min_ratio, None);
        assert_eq!(r.figures.ideal, d("4"));
        assert_eq!(r.figures.lower_bound, d("7"));
        assert_eq!(r.figures.lower_bound_basis, LowerBoundBasis::LargestAccount);
        assert_eq!(r.figures.gap, Decimal::ZERO);
        assert_eq!(r.figures.max_deviation, d("4"));
        assert_eq!(r.figures.max_deviation_percent, Some(d("100")));
        // no accounts at all
        let r = balance(&req(&[], &["p1", "p2"])).unwrap();
        assert!(r.assignments.is_empty());
        assert_eq!(r.figures.max_deviation_percent, None);
        assert_eq!(r.figures.gap_percent, None);
        assert_eq!(r.figures.max_min_ratio, None);
    }

    #[test]
    fn zero_potentials_are_spread_by_count() {
        let r =
            balance(&req(&[("a", "0", None), ("b", "0", None), ("c", "0", None), ("d", "0.00", None)], &["p", "q"]))
                .unwrap();
        assert_eq!(r.payees.iter().map(|p| p.accounts).collect::<Vec<_>>(), [2, 2]);
        assert_eq!(r.figures.max_min_ratio, None);
        assert_eq!(r.figures.max_deviation_percent, None);
        assert_eq!(r.figures.gap, Decimal::ZERO);
        assert!(r.search.converged);
    }

    #[test]
    fn an_account_larger_than_the_ideal() {
        // 100 alone is above the ideal (130 / 3): the optimum is 100 with the rest on the others
        let r = balance(&req(
            &[("big", "100", None), ("s1", "10", None), ("s2", "10", None), ("s3", "10", None)],
            &["a", "b", "c"],
        ))
        .unwrap();
        assert_eq!(owners(&r)[0].1, "a");
        assert_eq!(loads(&r), ["100", "20", "10"]);
        assert_eq!(r.figures.lower_bound, d("100"));
        assert_eq!(r.figures.lower_bound_basis, LowerBoundBasis::LargestAccount);
        assert_eq!(r.figures.gap, Decimal::ZERO);
        assert_eq!(r.figures.max_min_ratio, Some(d("10")));
    }

    #[test]
    fn two_accounts_bound() {
        // three accounts of 10 on two payees: two must share, 20; the ideal is only 15
        let r = balance(&req(&[("a", "10", None), ("b", "10", None), ("c", "10", None)], &["p", "q"])).unwrap();
        assert_eq!(r.figures.lower_bound, d("20"));
        assert_eq!(r.figures.lower_bound_basis, LowerBoundBasis::TwoAccounts);
        assert_eq!(r.figures.gap, Decimal::ZERO);
        assert_eq!(r.figures.gap_percent, Some(Decimal::ZERO));
    }

    #[test]
    fn workload_can_be_the_balanced_measure() {
        let mut q = req(&[("a", "100", None), ("b", "1", None), ("c", "1", None)], &["p", "q"]);
        for (a, w) in q.accounts.iter_mut().zip(["1", "2", "2"]) {
            a.workload = Some(d(w));
        }
        q.options.balance_on = Measure::Workload;
        let r = balance(&q).unwrap();
        assert_eq!(r.balanced_on, Measure::Workload);
        // workload 2 (b) -> p, 2 (c) -> q, 1 (a) -> tie at 2: smaller potential total: q has 1, p has 1
        // -> fewer accounts equal -> payee id p
        assert_eq!(r.payees.iter().map(|p| p.workload.to_string()).collect::<Vec<_>>(), ["3", "2"]);
        assert_eq!(r.figures.total, d("5"));
        assert_eq!(r.figures.ideal, d("2.5"));
        assert_eq!(r.figures.lower_bound, d("3"));
        // a missing workload counts as zero
        q.accounts[0].workload = None;
        let r = balance(&q).unwrap();
        assert_eq!(r.figures.total, d("4"));
    }

    #[test]
    fn the_secondary_measure_breaks_greedy_ties() {
        let mut q = req(&[("a", "10", None), ("b", "10", None), ("c", "5", None), ("d", "5", None)], &["p", "q"]);
        for (a, w) in q.accounts.iter_mut().zip(["9", "1", "1", "9"]) {
            a.workload = Some(d(w));
        }
        // a (10, 9) -> p; b (10, 1) -> q; c: tie at 10, q has less workload -> q; d -> p
        let r = balance(&q).unwrap();
        assert_eq!(r.payees.iter().map(|p| p.workload.to_string()).collect::<Vec<_>>(), ["18", "2"]);
        assert_eq!(loads(&r), ["15", "15"]);
    }

    #[test]
    fn shuffled_input_gives_the_same_result() {
        let base = sample_request(11, 400, 7);
        let want = balance(&base).unwrap();
        let mut rng = Rng::new(99);
        for _ in 0..5 {
            let mut q = base.clone();
            for i in (1..q.accounts.len()).rev() {
                q.accounts.swap(i, rng.below(i as u64 + 1) as usize);
            }
            q.payees.reverse();
            let got = balance(&q).unwrap();
            assert_eq!(got, want);
            assert_eq!(got.to_json(), want.to_json());
        }
        assert!(want.assignments.windows(2).all(|w| w[0].account < w[1].account));
    }

    #[test]
    fn validation_errors_have_codes_and_paths() {
        let check = |q: BalanceRequest, code: &str, path: &str| {
            let e = balance(&q).unwrap_err();
            assert_eq!((e.code(), e.path()), (code, Some(path)), "{e}");
        };
        check(req(&[("a", "1", None)], &[]), "NO_PAYEES", "/payees");
        check(req(&[("a", "1", None)], &["p", "q", "p"]), "DUPLICATE_PAYEE", "/payees/2/id");
        check(req(&[("a", "1", None)], &["p", ""]), "EMPTY_ID", "/payees/1/id");
        check(req(&[("a", "1", None), ("", "1", None)], &["p"]), "EMPTY_ID", "/accounts/1/id");
        check(
            req(&[("a", "1", None), ("b", "1", None), ("a", "2", None)], &["p"]),
            "DUPLICATE_ACCOUNT",
            "/accounts/2/id",
        );
        check(req(&[("a", "1", None), ("b", "-0.01", None)], &["p"]), "NEGATIVE_POTENTIAL", "/accounts/1/potential");
        check(
            req(&[("a", "1", Some("p")), ("b", "1", Some("zed"))], &["p"]),
            "UNKNOWN_FIXED_OWNER",
            "/accounts/1/fixedOwner",
        );
        let mut q = req(&[("a", "1", None)], &["p"]);
        q.accounts[0].workload = Some(d("-1"));
        check(q, "NEGATIVE_WORKLOAD", "/accounts/0/workload");
        // a negative zero is zero
        assert!(balance(&req(&[("a", "-0", None)], &["p"])).is_ok());
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let q = req(&[("a", "79228162514264337593543950335", None), ("b", "1", None)], &["p", "q"]);
        assert_eq!(balance(&q).unwrap_err().code(), "DECIMAL_OVERFLOW");
        let q = req(&[("a", "49228162514264337593543950335", None)], &["p", "q"]);
        assert_eq!(balance(&q).unwrap_err().code(), "DECIMAL_OVERFLOW");
    }

    #[test]
    fn json_round_trip_and_parse_errors() {
        let q = BalanceRequest::from_json(
            r#"{"accounts": [{"id": "a", "potential": "10", "workload": "2", "fixedOwner": "p"}],
                "payees": [{"id": "p"}], "options": {"balanceOn": "workload", "maxIterations": 5}}"#,
        )
        .unwrap();
        assert_eq!(q.options, BalanceOptions { balance_on: Measure::Workload, max_iterations: 5 });
        let json = balance(&q).unwrap().to_json();
        assert!(json.contains(r#""assignments":[{"account":"a","payee":"p","fixed":true}]"#), "{json}");
        assert!(json.contains(r#""maxMinRatio":"1""#), "{json}");
        let e = BalanceRequest::from_json(r#"{"accounts": [{"id": "a", "potential": 10}], "payees": []}"#).unwrap_err();
        assert_eq!((e.code(), e.path()), ("PARSE_ERROR", Some("/accounts/0/potential")));
        let e = BalanceRequest::from_json(r#"{"accounts": [], "payees": [], "colour": 1}"#).unwrap_err();
        assert_eq!(e.code(), "PARSE_ERROR");
    }

    #[test]
    fn generated_case_quality() {
        // 10,000 accounts over 50 payees (the example's case)
        let r = balance(&sample_request(2025, 10_000, 50)).unwrap();
        let f = &r.figures;
        assert_eq!(r.assignments.len(), 10_000);
        assert!(f.gap >= Decimal::ZERO);
        // measured: deviation 0.07 (0.00000125% of the ideal), gap 0.07; asserted a little looser
        assert!(f.max_deviation_percent.unwrap() < d("0.00001"), "{f:?}");
        assert!(f.gap < Decimal::ONE, "{f:?}");
        assert!(r.search.converged);
        assert_eq!(r.payees.iter().map(|p| p.accounts).sum::<u64>(), 10_000);
        // fixed accounts stayed
        let q = sample_request(2025, 10_000, 50);
        for (a, x) in q.accounts.iter().zip(&r.assignments) {
            assert_eq!(a.id, x.account);
            if let Some(f) = &a.fixed_owner {
                assert_eq!(&x.payee, f);
            }
        }
    }
}
