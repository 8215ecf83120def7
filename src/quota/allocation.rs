//! Top-down quota allocation: a target (optionally over-assigned) split across a tree of teams and
//! payees by weights, with minimum and maximum bounds, rounded to a unit so that every level adds
//! up exactly.
//!
//! # Semantics
//!
//! - **Assigned total.** The amount split among the top-level nodes is
//!   `target × (1 + overAssignmentPercent / 100)`, exactly (no rounding): a target of 1,000,000
//!   over-assigned by 10% assigns 1,100,000.
//! - **Tree.** A node has children (a team) or none (a payee). A team's amount is split among its
//!   children in turn, so the children of every node add up exactly to the node's amount.
//! - **Weights.** The request's [`WeightBasis`] chooses which value of each node is its weight:
//!   `equal` (every node weighs 1), `priorActuals`, `trailingTwelveMonths`, `territoryPotential`
//!   or `custom` (the node's `weight`). A payee must carry the value of the chosen basis; a team
//!   that does not carry it weighs the sum of its children's weights. Weights must not be negative.
//! - **All weights zero.** When every node of a level weighs zero, the level is split **equally**
//!   (not an error): a new team with no history still gets its share. Likewise, when bounds have
//!   fixed some nodes and every remaining node weighs zero, the rest is split equally among them.
//! - **Bounds (water-filling).** `minimum` and `maximum` bound a node's exact share. The level's
//!   amount `A` is split as `share_i = clamp(λ·w_i, min_i, max_i)` with the `λ` that makes the
//!   shares add up to `A`. It is computed by clamping and redistributing: split the rest by weight
//!   among the unclamped nodes; if the total excess over maxima is larger than the total shortfall
//!   below minima, the nodes above their maximum are fixed at it (the true `λ` is larger still), if
//!   smaller the nodes below their minimum are fixed at it, if equal both; repeat. A level whose
//!   bounds cannot hold (`Σ min > A`, or every node has a maximum and `Σ max < A`) is an error
//!   `QUOTA_BOUNDS_INFEASIBLE` whose path names the level (`/nodes/1/children`).
//! - **Rounding (largest remainder).** Each exact share is cut down to a whole number of `unit`s
//!   (default `0.01`); the units left over are given one each to the nodes with the largest
//!   fractional remainders. Equal remainders are broken by node order: the node listed first in
//!   the request gets the unit first (positions are unique, so the order is total and ids are never
//!   needed to break a tie). The amounts of a level therefore add up exactly to the level's amount.
//!   Bounds that are multiples of the unit hold after rounding; other bounds may be crossed by
//!   less than one unit.
//! - **Amount not a multiple of the unit.** The odd remainder `A − unit·⌊A/unit⌋` (less than one
//!   unit) goes to the node that would have received the next whole unit, i.e. the next node in the
//!   largest-remainder order (always one with a fractional share); it passes down to that node's
//!   children the same way. The sum stays exact; that one node's amount is not a multiple of the
//!   unit. Example: 1,000.50 split equally in two with unit 1 gives 501 and 499.50.
//!
//! ```
//! use payplan::quota::allocation::{allocate, AllocationRequest};
//! let req: AllocationRequest = serde_json::from_str(r#"{
//!   "target": "1000000", "overAssignmentPercent": "10", "basis": "priorActuals", "unit": "1000",
//!   "nodes": [
//!     { "id": "east", "children": [
//!         { "id": "ana", "priorActuals": "300000" },
//!         { "id": "ben", "priorActuals": "100000" } ] },
//!     { "id": "west", "priorActuals": "600000", "children": [ { "id": "chen", "priorActuals": "1" } ] }
//!   ]
//! }"#).unwrap();
//! let a = allocate(&req).unwrap();
//! // 1,100,000 by 400,000 : 600,000 -> 440,000 and 660,000; east by 3 : 1 -> 330,000 and 110,000
//! assert_eq!(a.assigned.to_string(), "1100000");
//! assert_eq!(a.nodes[0].amount.to_string(), "440000");
//! assert_eq!(a.nodes[0].children[0].amount.to_string(), "330000");
//! assert_eq!(a.nodes[1].children[0].amount.to_string(), "660000");
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

use super::invalid;
use crate::money::{pct, sum_c, Checked};
use crate::Result;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which value of a node weighs its share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum WeightBasis {
    /// Every node weighs 1 (the default).
    #[default]
    Equal,
    /// The node's `priorActuals` (last period's or last year's results).
    PriorActuals,
    /// The node's `trailingTwelveMonths` results.
    TrailingTwelveMonths,
    /// The node's `territoryPotential`.
    TerritoryPotential,
    /// The node's `weight`.
    Custom,
}

/// A team (with children) or a payee (without) in an allocation request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllocationNode {
    /// Identifier, unique in the whole tree.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Prior-period actuals (basis `priorActuals`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prior_actuals: Option<Decimal>,
    /// Trailing-twelve-months actuals (basis `trailingTwelveMonths`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailing_twelve_months: Option<Decimal>,
    /// Territory potential (basis `territoryPotential`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub territory_potential: Option<Decimal>,
    /// Custom weight (basis `custom`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<Decimal>,
    /// Smallest amount this node may receive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Decimal>,
    /// Largest amount this node may receive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Decimal>,
    /// Members of a team; empty for a payee.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<AllocationNode>,
}

/// A top-down allocation request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AllocationRequest {
    /// The target to split (not negative).
    pub target: Decimal,
    /// Over-assignment in percent (`"10"` assigns 110% of the target); default 0, not negative.
    #[serde(default)]
    pub over_assignment_percent: Decimal,
    /// Which value weighs each node; default `equal`.
    #[serde(default)]
    pub basis: WeightBasis,
    /// Rounding unit of the amounts (for example `"1000"` or `"0.01"`); default `0.01`, positive.
    #[serde(default = "default_unit")]
    pub unit: Decimal,
    /// The top level of the tree.
    pub nodes: Vec<AllocationNode>,
}

fn default_unit() -> Decimal {
    Decimal::new(1, 2)
}

/// Which bound fixed a node's share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Bound {
    /// The share was raised to the node's minimum.
    Minimum,
    /// The share was lowered to the node's maximum.
    Maximum,
}

/// A node's allocated amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct AllocatedNode {
    /// The node's id.
    pub id: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The weight used (1 for every node of a level split equally).
    pub weight: Decimal,
    /// The allocated amount (the sum of the children's amounts for a team).
    pub amount: Decimal,
    /// The bound that fixed the share, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<Bound>,
    /// The team's members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<AllocatedNode>,
}

/// The result of [`allocate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Allocation {
    /// The target as requested.
    pub target: Decimal,
    /// The over-assigned total that was split: `target × (1 + overAssignmentPercent / 100)`.
    pub assigned: Decimal,
    /// The top level of the tree.
    pub nodes: Vec<AllocatedNode>,
}

/// Splits the request's target over its tree (see the [module documentation](self)).
///
/// Errors (all [`crate::Error::InvalidInput`] with a JSON pointer into the request):
/// `QUOTA_INVALID_UNIT` (`/unit` not positive), `QUOTA_NEGATIVE_TARGET`,
/// `QUOTA_NEGATIVE_OVER_ASSIGNMENT`, `QUOTA_NO_NODES` (an empty top level), `QUOTA_DUPLICATE_ID`,
/// `QUOTA_MISSING_WEIGHT` (a payee without the basis' value), `QUOTA_NEGATIVE_WEIGHT`,
/// `QUOTA_INVALID_BOUNDS` (a negative bound or a minimum above the maximum),
/// `QUOTA_BOUNDS_INFEASIBLE` (a level whose bounds cannot hold); `DECIMAL_OVERFLOW`.
pub fn allocate(req: &AllocationRequest) -> Result<Allocation> {
    if req.unit <= Decimal::ZERO {
        return Err(invalid("QUOTA_INVALID_UNIT", "/unit", format!("the unit must be positive, not {}", req.unit)));
    }
    if req.target.is_sign_negative() && !req.target.is_zero() {
        return Err(invalid("QUOTA_NEGATIVE_TARGET", "/target", format!("the target {} is negative", req.target)));
    }
    if req.over_assignment_percent < Decimal::ZERO {
        return Err(invalid(
            "QUOTA_NEGATIVE_OVER_ASSIGNMENT",
            "/overAssignmentPercent",
            format!("the over-assignment {}% is negative", req.over_assignment_percent),
        ));
    }
    if req.nodes.is_empty() {
        return Err(invalid("QUOTA_NO_NODES", "/nodes", "there is no node to allocate the target to"));
    }
    let mut ids = BTreeSet::new();
    check_ids(&req.nodes, "/nodes", &mut ids)?;
    let factor = Decimal::ONE.add_c(pct(req.over_assignment_percent), "the over-assigned target")?;
    let mut assigned = req.target.mul_c(factor, "the over-assigned target")?;
    if !req.over_assignment_percent.is_zero() {
        // 1000 x 1.05 is 1050.00: drop the zeros the product adds, keep the target's own scale
        let scale = req.target.scale();
        assigned = assigned.normalize();
        if assigned.scale() < scale {
            assigned.rescale(scale);
        }
    }
    let nodes = allocate_level(&req.nodes, assigned, req.basis, req.unit, "/nodes", "the top level")?;
    Ok(Allocation { target: req.target, assigned, nodes })
}

fn check_ids<'a>(nodes: &'a [AllocationNode], path: &str, ids: &mut BTreeSet<&'a str>) -> Result<()> {
    for (i, n) in nodes.iter().enumerate() {
        if !ids.insert(n.id.as_str()) {
            return Err(invalid(
                "QUOTA_DUPLICATE_ID",
                format!("{path}/{i}/id"),
                format!("the id `{}` appears more than once in the tree", n.id),
            ));
        }
        for (b, name) in [(n.minimum, "minimum"), (n.maximum, "maximum")] {
            if let Some(v) = b {
                if v < Decimal::ZERO {
                    return Err(invalid(
                        "QUOTA_INVALID_BOUNDS",
                        format!("{path}/{i}/{name}"),
                        format!("the {name} {v} of `{}` is negative", n.id),
                    ));
                }
            }
        }
        if let (Some(lo), Some(hi)) = (n.minimum, n.maximum) {
            if lo > hi {
                return Err(invalid(
                    "QUOTA_INVALID_BOUNDS",
                    format!("{path}/{i}/minimum"),
                    format!("the minimum {lo} of `{}` is above its maximum {hi}", n.id),
                ));
            }
        }
        check_ids(&n.children, &format!("{path}/{i}/children"), ids)?;
    }
    Ok(())
}

/// The weight of `node` for `basis`: its own value, or for a team without one the sum of its
/// children's weights.
fn node_weight(node: &AllocationNode, basis: WeightBasis, path: &str) -> Result<Decimal> {
    let (value, field) = match basis {
        WeightBasis::Equal => return Ok(Decimal::ONE),
        WeightBasis::PriorActuals => (node.prior_actuals, "priorActuals"),
        WeightBasis::TrailingTwelveMonths => (node.trailing_twelve_months, "trailingTwelveMonths"),
        WeightBasis::TerritoryPotential => (node.territory_potential, "territoryPotential"),
        WeightBasis::Custom => (node.weight, "weight"),
    };
    match value {
        Some(v) if v < Decimal::ZERO => Err(invalid(
            "QUOTA_NEGATIVE_WEIGHT",
            format!("{path}/{field}"),
            format!("the {field} {v} of `{}` is negative", node.id),
        )),
        Some(v) => Ok(v),
        None if node.children.is_empty() => Err(invalid(
            "QUOTA_MISSING_WEIGHT",
            format!("{path}/{field}"),
            format!("`{}` has no {field}, which the basis needs", node.id),
        )),
        None => {
            let mut total = Decimal::ZERO;
            for (i, c) in node.children.iter().enumerate() {
                let w = node_weight(c, basis, &format!("{path}/children/{i}"))?;
                total = total.add_c(w, "a team's weight")?;
            }
            Ok(total)
        }
    }
}

fn allocate_level(
    nodes: &[AllocationNode],
    amount: Decimal,
    basis: WeightBasis,
    unit: Decimal,
    path: &str,
    level: &str,
) -> Result<Vec<AllocatedNode>> {
    let mut weights = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        weights.push(node_weight(n, basis, &format!("{path}/{i}"))?);
    }
    if weights.iter().all(|w| w.is_zero()) {
        weights.iter_mut().for_each(|w| *w = Decimal::ONE);
    }
    let bounds: Vec<(Option<Decimal>, Option<Decimal>)> = nodes.iter().map(|n| (n.minimum, n.maximum)).collect();
    let (shares, fixed) = water_fill(amount, &weights, &bounds, path, level)?;
    let amounts = round_shares(amount, &shares, unit)?;
    let mut out = Vec::with_capacity(nodes.len());
    for (i, ((n, w), (a, b))) in nodes.iter().zip(weights).zip(amounts.into_iter().zip(fixed)).enumerate() {
        let children = if n.children.is_empty() {
            Vec::new()
        } else {
            allocate_level(&n.children, a, basis, unit, &format!("{path}/{i}/children"), &format!("team `{}`", n.id))?
        };
        out.push(AllocatedNode { id: n.id.clone(), name: n.name.clone(), weight: w, amount: a, bound: b, children });
    }
    Ok(out)
}

/// An exact share `num / den` (`den > 0`).
#[derive(Debug, Clone, Copy)]
struct Frac {
    num: Decimal,
    den: Decimal,
}

/// Splits `amount` as `clamp(λ·w_i, min_i, max_i)` (see the module documentation); returns the
/// exact shares and which bound fixed each.
#[allow(clippy::type_complexity)]
fn water_fill(
    amount: Decimal,
    weights: &[Decimal],
    bounds: &[(Option<Decimal>, Option<Decimal>)],
    path: &str,
    level: &str,
) -> Result<(Vec<Frac>, Vec<Option<Bound>>)> {
    let ctx = "a bounded allocation";
    let min_total = sum_c(bounds.iter().map(|b| b.0.unwrap_or_default()), ctx)?;
    let max_total = if bounds.iter().all(|b| b.1.is_some()) {
        Some(sum_c(bounds.iter().map(|b| b.1.unwrap_or_default()), ctx)?)
    } else {
        None
    };
    if min_total > amount || max_total.is_some_and(|m| m < amount) {
        let why = if min_total > amount {
            format!("the minima add up to {min_total}")
        } else {
            format!("the maxima add up to {}", max_total.unwrap_or_default())
        };
        return Err(invalid(
            "QUOTA_BOUNDS_INFEASIBLE",
            path,
            format!("the bounds of {level} cannot hold: it has {amount} to split but {why}"),
        ));
    }
    let n = weights.len();
    let mut fixed: Vec<Option<Bound>> = vec![None; n];
    // at most one pass per node: every pass that does not finish fixes at least one node
    for _ in 0..=n {
        let mut rest = amount;
        for (f, b) in fixed.iter().zip(bounds) {
            match f {
                Some(Bound::Minimum) => rest = rest.sub_c(b.0.unwrap_or_default(), ctx)?,
                Some(Bound::Maximum) => rest = rest.sub_c(b.1.unwrap_or_default(), ctx)?,
                None => {}
            }
        }
        let free_weight = sum_c(weights.iter().zip(&fixed).filter(|(_, f)| f.is_none()).map(|(w, _)| *w), ctx)?;
        let equal = free_weight.is_zero();
        let den = if equal { Decimal::from(fixed.iter().filter(|f| f.is_none()).count()) } else { free_weight };
        if den.is_zero() {
            // every node is fixed; the feasibility check makes the bounds add up to the amount
            break;
        }
        // excess over maxima and shortfall below minima, as numerators over `den`
        let mut over = Decimal::ZERO;
        let mut under = Decimal::ZERO;
        let mut nums = vec![Decimal::ZERO; n];
        for (i, ((w, f), b)) in weights.iter().zip(&fixed).zip(bounds).enumerate() {
            if f.is_some() {
                continue;
            }
            let num = rest.mul_c(if equal { Decimal::ONE } else { *w }, ctx)?;
            if let Some(slot) = nums.get_mut(i) {
                *slot = num;
            }
            if let Some(hi) = b.1 {
                let cap = hi.mul_c(den, ctx)?;
                if num > cap {
                    over = over.add_c(num.sub_c(cap, ctx)?, ctx)?;
                }
            }
            if let Some(lo) = b.0 {
                let floor = lo.mul_c(den, ctx)?;
                if num < floor {
                    under = under.add_c(floor.sub_c(num, ctx)?, ctx)?;
                }
            }
        }
        if over.is_zero() && under.is_zero() {
            let shares = nums
                .iter()
                .zip(&fixed)
                .zip(bounds)
                .map(|((num, f), b)| match f {
                    Some(Bound::Minimum) => Frac { num: b.0.unwrap_or_default(), den: Decimal::ONE },
                    Some(Bound::Maximum) => Frac { num: b.1.unwrap_or_default(), den: Decimal::ONE },
                    None => Frac { num: *num, den },
                })
                .collect();
            return Ok((shares, fixed));
        }
        for ((num, f), b) in nums.iter().zip(fixed.iter_mut()).zip(bounds) {
            if f.is_some() {
                continue;
            }
            if over >= under {
                if let Some(hi) = b.1 {
                    if *num > hi.mul_c(den, ctx)? {
                        *f = Some(Bound::Maximum);
                    }
                }
            }
            if under >= over {
                if let Some(lo) = b.0 {
                    if *num < lo.mul_c(den, ctx)? {
                        *f = Some(Bound::Minimum);
                    }
                }
            }
        }
    }
    // all nodes fixed at a bound
    let shares = fixed
        .iter()
        .zip(bounds)
        .map(|(f, b)| match f {
            Some(Bound::Maximum) => Frac { num: b.1.unwrap_or_default(), den: Decimal::ONE },
            _ => Frac { num: b.0.unwrap_or_default(), den: Decimal::ONE },
        })
        .collect::<Vec<_>>();
    let total = sum_c(shares.iter().map(|s| s.num), ctx)?;
    if total != amount {
        return Err(invalid(
            "QUOTA_BOUNDS_INFEASIBLE",
            path,
            format!(
                "the bounds of {level} cannot hold: every node is at a bound and they add up to {total}, not {amount}"
            ),
        ));
    }
    Ok((shares, fixed))
}

/// `⌊n / d⌋` for `n ≥ 0`, `d > 0`, exact even when the decimal division is not.
fn floor_div(n: Decimal, d: Decimal) -> Result<Decimal> {
    let ctx = "a rounded allocation";
    let mut q = n.div_c(d, ctx)?.floor();
    if q.mul_c(d, ctx)? > n {
        q = q.sub_c(Decimal::ONE, ctx)?;
    }
    if q.add_c(Decimal::ONE, ctx)?.mul_c(d, ctx)? <= n {
        q = q.add_c(Decimal::ONE, ctx)?;
    }
    Ok(q)
}

/// Rounds exact shares that add up to `total` to multiples of `unit` by the largest-remainder
/// method (ties by position; an odd remainder below one unit to the next node in that order).
fn round_shares(total: Decimal, shares: &[Frac], unit: Decimal) -> Result<Vec<Decimal>> {
    let ctx = "a rounded allocation";
    let mut amounts = Vec::with_capacity(shares.len());
    let mut fractions = Vec::with_capacity(shares.len());
    for s in shares {
        let step = s.den.mul_c(unit, ctx)?;
        let q = floor_div(s.num, step)?;
        let rem = s.num.sub_c(q.mul_c(step, ctx)?, ctx)?;
        amounts.push(q.mul_c(unit, ctx)?);
        // the fractional part of the share in units, in [0, 1); only used for ranking
        fractions.push(rem.div_c(step, ctx)?);
    }
    let left = total.sub_c(sum_c(amounts.iter().copied(), ctx)?, ctx)?;
    let whole = floor_div(left.max(Decimal::ZERO), unit)?;
    let odd = left.sub_c(whole.mul_c(unit, ctx)?, ctx)?;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let fa = fractions.get(a).copied().unwrap_or_default();
        let fb = fractions.get(b).copied().unwrap_or_default();
        fb.cmp(&fa).then(a.cmp(&b))
    });
    // fewer whole units are left than there are shares (each fraction is below one unit)
    let mut units_left = whole;
    let mut rank = order.iter();
    while units_left > Decimal::ZERO {
        match rank.next().and_then(|&i| amounts.get_mut(i)) {
            Some(a) => *a = a.add_c(unit, ctx)?,
            None => break,
        }
        units_left -= Decimal::ONE;
    }
    if !odd.is_zero() {
        let i = rank.next().or(order.first()).copied().unwrap_or_default();
        if let Some(a) = amounts.get_mut(i) {
            *a = a.add_c(odd, ctx)?;
        }
    }
    // one scale for all amounts: the unit's, or the total's when it is finer
    let scale = unit.scale().max(total.scale());
    for a in &mut amounts {
        a.rescale(scale);
    }
    Ok(amounts)
}

/// Splits `total` in proportion to `weights` into multiples of `unit` that add up exactly to
/// `total`, by the largest-remainder method (equal remainders: the earlier weight first; a
/// remainder of `total` below one unit goes to the next weight in that order). All-zero weights
/// split equally.
///
/// ```
/// use payplan::quota::allocation::apportion;
/// let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
/// // 100 / 3 = 33.33.. each: 33 + 33 + 33, one unit left to the first of three equal remainders
/// let a = apportion(d("100"), &[d("1"), d("1"), d("1")], d("1")).unwrap();
/// assert_eq!(a, vec![d("34"), d("33"), d("33")]);
/// ```
///
/// Errors: `QUOTA_INVALID_UNIT` (unit not positive), `QUOTA_NEGATIVE_TARGET`,
/// `QUOTA_NEGATIVE_WEIGHT` (path `/weights/i`), `QUOTA_NO_NODES` (no weights); `DECIMAL_OVERFLOW`.
pub fn apportion(total: Decimal, weights: &[Decimal], unit: Decimal) -> Result<Vec<Decimal>> {
    if unit <= Decimal::ZERO {
        return Err(invalid("QUOTA_INVALID_UNIT", "/unit", format!("the unit must be positive, not {unit}")));
    }
    if total < Decimal::ZERO {
        return Err(invalid("QUOTA_NEGATIVE_TARGET", "/total", format!("the total {total} is negative")));
    }
    if weights.is_empty() {
        return Err(invalid("QUOTA_NO_NODES", "/weights", "there is nothing to apportion the total to"));
    }
    if let Some(i) = weights.iter().position(|w| *w < Decimal::ZERO) {
        return Err(invalid("QUOTA_NEGATIVE_WEIGHT", format!("/weights/{i}"), "a weight is negative"));
    }
    let all_zero = weights.iter().all(|w| w.is_zero());
    let den = if all_zero { Decimal::from(weights.len()) } else { sum_c(weights.iter().copied(), "weights")? };
    let mut shares = Vec::with_capacity(weights.len());
    for w in weights {
        let w = if all_zero { Decimal::ONE } else { *w };
        shares.push(Frac { num: total.mul_c(w, "an apportioned share")?, den });
    }
    round_shares(total, &shares, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn leaf(id: &str, w: &str) -> AllocationNode {
        AllocationNode {
            id: id.into(),
            name: None,
            prior_actuals: None,
            trailing_twelve_months: None,
            territory_potential: None,
            weight: Some(d(w)),
            minimum: None,
            maximum: None,
            children: vec![],
        }
    }
    fn req(target: &str, unit: &str, nodes: Vec<AllocationNode>) -> AllocationRequest {
        AllocationRequest {
            target: d(target),
            over_assignment_percent: Decimal::ZERO,
            basis: WeightBasis::Custom,
            unit: d(unit),
            nodes,
        }
    }
    fn amounts(a: &[AllocatedNode]) -> Vec<String> {
        a.iter().map(|n| n.amount.to_string()).collect()
    }

    #[test]
    fn equal_split_with_largest_remainder_and_ties_by_order() {
        // 100,000 / 3 = 33,333.33..; unit 1,000: 33,000 each, 1,000 left, all remainders 333.33.. tie,
        // so the first node gets it: 34,000 + 33,000 + 33,000 = 100,000
        let mut r = req("100000", "1000", vec![leaf("a", "0"), leaf("b", "0"), leaf("c", "0")]);
        r.basis = WeightBasis::Equal;
        let a = allocate(&r).unwrap();
        assert_eq!(amounts(&a.nodes), ["34000", "33000", "33000"]);
        assert!(a.nodes.iter().all(|n| n.weight == Decimal::ONE));
    }

    #[test]
    fn largest_remainder_goes_to_largest_fraction() {
        // weights 1 : 2 : 4 of 10,000 (sum 7), unit 100: exact 1428.57, 2857.14, 5714.29
        // in units 14.2857, 28.5714, 57.1428 -> floors 14, 28, 57 = 99 units; 1 left to the
        // largest fraction .5714 (b): 1,400 + 2,900 + 5,700 = 10,000
        let r = req("10000", "100", vec![leaf("a", "1"), leaf("b", "2"), leaf("c", "4")]);
        assert_eq!(amounts(&allocate(&r).unwrap().nodes), ["1400", "2900", "5700"]);
    }

    #[test]
    fn over_assignment_and_tree_add_up_at_every_level() {
        // 900,000 x 1.10 = 990,000; top level 1 : 2 -> 330,000 and 660,000
        // team t2 (660,000) equal in 3 -> 220,000 each; unit 0.01 keeps them exact
        let mut t2 = leaf("t2", "2");
        t2.children = vec![leaf("x", "5"), leaf("y", "5"), leaf("z", "5")];
        let mut r = req("900000", "0.01", vec![leaf("t1", "1"), t2]);
        r.over_assignment_percent = d("10");
        let a = allocate(&r).unwrap();
        assert_eq!(a.assigned, d("990000"));
        assert_eq!(amounts(&a.nodes), ["330000.00", "660000.00"]);
        assert_eq!(amounts(&a.nodes[1].children), ["220000.00", "220000.00", "220000.00"]);
    }

    #[test]
    fn team_weight_defaults_to_sum_of_children() {
        // basis priorActuals; team A has no value: 100 + 300 = 400; B has 600 -> 40% / 60% of 1,000
        let mut a = leaf("A", "0");
        a.weight = None;
        a.children = vec![leaf("a1", "0"), leaf("a2", "0")];
        a.children[0].prior_actuals = Some(d("100"));
        a.children[1].prior_actuals = Some(d("300"));
        let mut b = leaf("B", "0");
        b.prior_actuals = Some(d("600"));
        let mut r = req("1000", "1", vec![a, b]);
        r.basis = WeightBasis::PriorActuals;
        let out = allocate(&r).unwrap();
        assert_eq!(out.nodes[0].weight, d("400"));
        assert_eq!(amounts(&out.nodes), ["400", "600"]);
        // 400 by 1 : 3 -> 100 and 300
        assert_eq!(amounts(&out.nodes[0].children), ["100", "300"]);
    }

    #[test]
    fn one_payee_takes_everything() {
        let r = req("123456.78", "0.01", vec![leaf("solo", "5")]);
        assert_eq!(amounts(&allocate(&r).unwrap().nodes), ["123456.78"]);
    }

    #[test]
    fn zero_target_gives_zeros() {
        let r = req("0", "1000", vec![leaf("a", "1"), leaf("b", "3")]);
        assert_eq!(amounts(&allocate(&r).unwrap().nodes), ["0", "0"]);
    }

    #[test]
    fn all_zero_weights_split_equally() {
        // both weights 0 -> equal: 500 and 500
        let r = req("1000", "1", vec![leaf("a", "0"), leaf("b", "0")]);
        let a = allocate(&r).unwrap();
        assert_eq!(amounts(&a.nodes), ["500", "500"]);
        assert_eq!(a.nodes[0].weight, Decimal::ONE);
    }

    #[test]
    fn maximum_binds_and_rest_is_redistributed() {
        // 1,000 by 2 : 1 : 1 -> 500, 250, 250; a's maximum 400 binds: a = 400, the 600 left is
        // split 1 : 1 -> 300 and 300
        let mut a = leaf("a", "2");
        a.maximum = Some(d("400"));
        let r = req("1000", "1", vec![a, leaf("b", "1"), leaf("c", "1")]);
        let out = allocate(&r).unwrap();
        assert_eq!(amounts(&out.nodes), ["400", "300", "300"]);
        assert_eq!(out.nodes[0].bound, Some(Bound::Maximum));
        assert_eq!(out.nodes[1].bound, None);
    }

    #[test]
    fn minimum_binds_then_cascades() {
        // 1,000 by 8 : 1 : 1 -> 800, 100, 100; minima b 150, c 150: shortfall 100 > no excess, so
        // b and c are fixed at 150 and a gets 1,000 - 300 = 700
        let mut b = leaf("b", "1");
        b.minimum = Some(d("150"));
        let mut c = leaf("c", "1");
        c.minimum = Some(d("150"));
        let r = req("1000", "1", vec![leaf("a", "8"), b, c]);
        let out = allocate(&r).unwrap();
        assert_eq!(amounts(&out.nodes), ["700", "150", "150"]);
        assert_eq!(out.nodes[2].bound, Some(Bound::Minimum));
    }

    #[test]
    fn max_and_min_in_two_rounds() {
        // 1,000 by 6 : 3 : 1 -> 600, 300, 100; a max 500 (excess 100), c min 200 (shortfall 100):
        // equal, both fixed: a 500, c 200, b gets 1,000 - 700 = 300
        let mut a = leaf("a", "6");
        a.maximum = Some(d("500"));
        let mut c = leaf("c", "1");
        c.minimum = Some(d("200"));
        let r = req("1000", "1", vec![a, leaf("b", "3"), c]);
        assert_eq!(amounts(&allocate(&r).unwrap().nodes), ["500", "300", "200"]);
        // a max 550 (excess 50) and c min 200 (shortfall 100): minima first, c = 200; then
        // 800 by 6 : 3 -> 533.33, 266.67: a under 550; with unit 1: 533 + 267 (fraction .67 > .33)
        let mut a = leaf("a", "6");
        a.maximum = Some(d("550"));
        let mut c = leaf("c", "1");
        c.minimum = Some(d("200"));
        let r = req("1000", "1", vec![a, leaf("b", "3"), c]);
        assert_eq!(amounts(&allocate(&r).unwrap().nodes), ["533", "267", "200"]);
    }

    #[test]
    fn zero_weights_after_clamping_share_the_rest_equally() {
        // weights 10 : 0 : 0 of 900, a max 300: a = 300; b and c weigh 0 -> 600 equally: 300, 300
        let mut a = leaf("a", "10");
        a.maximum = Some(d("300"));
        let r = req("900", "1", vec![a, leaf("b", "0"), leaf("c", "0")]);
        assert_eq!(amounts(&allocate(&r).unwrap().nodes), ["300", "300", "300"]);
    }

    #[test]
    fn infeasible_bounds_name_the_level() {
        // team t has 1,000; its children's minima add up to 600 + 600 = 1,200 > 1,000
        let mut x = leaf("x", "1");
        x.minimum = Some(d("600"));
        let mut y = leaf("y", "1");
        y.minimum = Some(d("600"));
        let mut t = leaf("t", "1");
        t.children = vec![x, y];
        let r = req("1000", "1", vec![leaf("other", "0"), t]);
        let mut r2 = r.clone();
        // other weighs 0: t gets all 1,000
        let e = allocate(&r).unwrap_err();
        assert_eq!(e.code(), "QUOTA_BOUNDS_INFEASIBLE");
        assert_eq!(e.path(), Some("/nodes/1/children"));
        assert!(e.to_string().contains("team `t`"), "{e}");
        // maxima 400 + 400 = 800 < 1,000 at the top level
        r2.nodes = vec![leaf("a", "1"), leaf("b", "1")];
        r2.nodes[0].maximum = Some(d("400"));
        r2.nodes[1].maximum = Some(d("400"));
        let e = allocate(&r2).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_BOUNDS_INFEASIBLE", Some("/nodes")));
        // a minimum above the maximum
        r2.nodes[0].minimum = Some(d("500"));
        let e = allocate(&r2).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_INVALID_BOUNDS", Some("/nodes/0/minimum")));
    }

    #[test]
    fn target_not_a_multiple_of_the_unit() {
        // 1,000.50 equally in two, unit 1: exact 500.25 each -> floors 500 + 500, 0.50 left:
        // no whole unit, the odd 0.50 goes to the first node in remainder order (tie -> a): 500.50
        let r = req("1000.50", "1", vec![leaf("a", "1"), leaf("b", "1")]);
        assert_eq!(amounts(&allocate(&r).unwrap().nodes), ["500.50", "500.00"]);
        // 2,500 by 1 : 1 : 2, unit 1,000: exact 625, 625, 1,250 -> floors 0, 0, 1,000 (1,000),
        // 1,500 left = 1 unit + 500 odd; fractions .625, .625, .25 -> a gets 1,000, b the odd 500
        let r = req("2500", "1000", vec![leaf("a", "1"), leaf("b", "1"), leaf("c", "2")]);
        assert_eq!(amounts(&allocate(&r).unwrap().nodes), ["1000", "500", "1000"]);
        // over-assignment makes an odd target: 1,000 x 1.05 = 1,050 in two, unit 100:
        // 525 each -> 500 + 500, 50 odd to a: 550 + 500
        let mut r = req("1000", "100", vec![leaf("a", "1"), leaf("b", "1")]);
        r.over_assignment_percent = d("5");
        assert_eq!(amounts(&allocate(&r).unwrap().nodes), ["550", "500"]);
    }

    #[test]
    fn request_errors_have_codes_and_paths() {
        let mut r = req("1000", "0", vec![leaf("a", "1")]);
        assert_eq!(allocate(&r).unwrap_err().path(), Some("/unit"));
        r.unit = d("1");
        r.target = d("-1");
        assert_eq!(allocate(&r).unwrap_err().code(), "QUOTA_NEGATIVE_TARGET");
        r.target = d("1");
        r.over_assignment_percent = d("-5");
        assert_eq!(allocate(&r).unwrap_err().code(), "QUOTA_NEGATIVE_OVER_ASSIGNMENT");
        r.over_assignment_percent = d("0");
        r.nodes = vec![];
        assert_eq!(allocate(&r).unwrap_err().code(), "QUOTA_NO_NODES");
        let mut t = leaf("t", "1");
        t.children = vec![leaf("a", "1"), leaf("t", "1")];
        r.nodes = vec![t];
        let e = allocate(&r).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_DUPLICATE_ID", Some("/nodes/0/children/1/id")));
        r.nodes = vec![leaf("a", "1"), leaf("b", "-2")];
        let e = allocate(&r).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_NEGATIVE_WEIGHT", Some("/nodes/1/weight")));
        r.basis = WeightBasis::TerritoryPotential;
        let e = allocate(&r).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_MISSING_WEIGHT", Some("/nodes/0/territoryPotential")));
    }

    #[test]
    fn json_round_trip_and_unknown_fields() {
        let r: AllocationRequest = serde_json::from_str(
            r#"{"target": "10", "basis": "trailingTwelveMonths", "nodes": [{"id": "a", "trailingTwelveMonths": "3"}]}"#,
        )
        .unwrap();
        assert_eq!(r.unit, d("0.01"));
        let a = allocate(&r).unwrap();
        let v = serde_json::to_value(&a).unwrap();
        assert_eq!(v["nodes"][0]["amount"], "10.00");
        assert!(serde_json::from_str::<AllocationRequest>(r#"{"target": "1", "nodes": [], "x": 1}"#).is_err());
    }

    #[test]
    fn apportion_helper() {
        // 10 in 4 equal parts, unit 1: 2.5 each -> 2,2,2,2 and 2 left to the first two
        assert_eq!(apportion(d("10"), &[d("0"); 4], d("1")).unwrap(), vec![d("3"), d("3"), d("2"), d("2")]);
        assert_eq!(apportion(d("10"), &[d("1"), d("-1")], d("1")).unwrap_err().path(), Some("/weights/1"));
    }
}
