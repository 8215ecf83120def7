//! Bottom-up quota roll-up: each team's quota is the sum of its children's, compared with the
//! top-down target given for the node.
//!
//! For every node: `bottomUp` is the payee's own `quota` or, for a team, the sum of its children's
//! `bottomUp` (a team carries no `quota` of its own, only a `target`: a team `quota` is refused with
//! `QUOTA_TEAM_QUOTA` rather than silently ignored); `gap = bottomUp − target` (positive when the
//! bottom-up quotas exceed the target, i.e. over-assignment; negative when they fall short) and
//! `ratio = bottomUp / target`, `None` when the node has no target or the target is zero. Nothing is
//! rounded.
//!
//! ```
//! use payplan::quota::rollup::{rollup, RollupRequest};
//! let req: RollupRequest = serde_json::from_str(r#"{ "nodes": [
//!   { "id": "east", "target": "500000", "children": [
//!     { "id": "ana", "quota": "300000" }, { "id": "ben", "quota": "250000" } ] }
//! ]}"#).unwrap();
//! let r = rollup(&req).unwrap();
//! // 300,000 + 250,000 = 550,000; gap 550,000 - 500,000 = 50,000; ratio 1.1
//! assert_eq!(r.nodes[0].bottom_up.to_string(), "550000");
//! assert_eq!(r.nodes[0].gap.unwrap().to_string(), "50000");
//! assert_eq!(r.nodes[0].ratio.unwrap().normalize().to_string(), "1.1");
//! ```
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

use super::invalid;
use crate::money::Checked;
use crate::Result;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A team (with children) or a payee (with a quota) in a roll-up request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RollupNode {
    /// Identifier.
    pub id: String,
    /// The payee's quota; required for a payee, refused on a team (its quota is the sum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<Decimal>,
    /// The top-down target to compare with, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Decimal>,
    /// Members of a team; empty for a payee.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<RollupNode>,
}

/// A roll-up request: the top level of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RollupRequest {
    /// The top-level nodes.
    pub nodes: Vec<RollupNode>,
    /// A target for the whole tree, compared with the sum of the top-level nodes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Decimal>,
}

/// A node's bottom-up quota and its comparison with the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RolledUpNode {
    /// The node's id.
    pub id: String,
    /// The payee's quota, or the sum of the children's bottom-up quotas.
    pub bottom_up: Decimal,
    /// The target, when given.
    pub target: Option<Decimal>,
    /// `bottomUp − target` (positive: the quotas below exceed the target); `None` without a target.
    pub gap: Option<Decimal>,
    /// `bottomUp / target`; `None` without a target or with a zero target.
    pub ratio: Option<Decimal>,
    /// The team's members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<RolledUpNode>,
}

/// The result of [`rollup`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Rollup {
    /// The sum of the top-level nodes.
    pub bottom_up: Decimal,
    /// The request's overall target.
    pub target: Option<Decimal>,
    /// `bottomUp − target`.
    pub gap: Option<Decimal>,
    /// `bottomUp / target`; `None` without a target or with a zero target.
    pub ratio: Option<Decimal>,
    /// The top-level nodes.
    pub nodes: Vec<RolledUpNode>,
}

/// The gap `value − target` and the ratio `value / target` (`None` for a zero target).
///
/// ```
/// use payplan::quota::rollup::compare;
/// let d = |s: &str| s.parse::<rust_decimal::Decimal>().unwrap();
/// assert_eq!(compare(d("90"), d("100")).unwrap(), (d("-10"), Some(d("0.9"))));
/// assert_eq!(compare(d("90"), d("0")).unwrap(), (d("90"), None));
/// ```
pub fn compare(value: Decimal, target: Decimal) -> Result<(Decimal, Option<Decimal>)> {
    let gap = value.sub_c(target, "a roll-up gap")?;
    let ratio = if target.is_zero() { None } else { Some(value.div_c(target, "a roll-up ratio")?) };
    Ok((gap, ratio))
}

/// Rolls the request's tree up (see the [module documentation](self)).
///
/// Errors: `QUOTA_MISSING_QUOTA` (a payee without `quota`), `QUOTA_TEAM_QUOTA` (a team with its own
/// `quota`), `QUOTA_NEGATIVE_QUOTA`; `DECIMAL_OVERFLOW`.
pub fn rollup(req: &RollupRequest) -> Result<Rollup> {
    let nodes = roll_level(&req.nodes, "/nodes")?;
    let bottom_up = crate::money::sum_c(nodes.iter().map(|n| n.bottom_up), "a roll-up")?;
    let (gap, ratio) = split(req.target.map(|t| compare(bottom_up, t)).transpose()?);
    Ok(Rollup { bottom_up, target: req.target, gap, ratio, nodes })
}

fn split(c: Option<(Decimal, Option<Decimal>)>) -> (Option<Decimal>, Option<Decimal>) {
    match c {
        Some((g, r)) => (Some(g), r),
        None => (None, None),
    }
}

fn roll_level(nodes: &[RollupNode], path: &str) -> Result<Vec<RolledUpNode>> {
    let mut out = Vec::with_capacity(nodes.len());
    for (i, n) in nodes.iter().enumerate() {
        let here = format!("{path}/{i}");
        let (bottom_up, children) = if n.children.is_empty() {
            match n.quota {
                None => {
                    return Err(invalid(
                        "QUOTA_MISSING_QUOTA",
                        format!("{here}/quota"),
                        format!("the payee `{}` has no quota", n.id),
                    ))
                }
                Some(q) if q < Decimal::ZERO => {
                    return Err(invalid(
                        "QUOTA_NEGATIVE_QUOTA",
                        format!("{here}/quota"),
                        format!("the quota {q} of `{}` is negative", n.id),
                    ))
                }
                Some(q) => (q, Vec::new()),
            }
        } else {
            if n.quota.is_some() {
                return Err(invalid(
                    "QUOTA_TEAM_QUOTA",
                    format!("{here}/quota"),
                    format!("the team `{}` has a quota of its own; a team's quota is the sum of its members'", n.id),
                ));
            }
            let children = roll_level(&n.children, &format!("{here}/children"))?;
            (crate::money::sum_c(children.iter().map(|c| c.bottom_up), "a roll-up")?, children)
        };
        let (gap, ratio) = split(n.target.map(|t| compare(bottom_up, t)).transpose()?);
        out.push(RolledUpNode { id: n.id.clone(), bottom_up, target: n.target, gap, ratio, children });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn payee(id: &str, q: &str) -> RollupNode {
        RollupNode { id: id.into(), quota: Some(d(q)), target: None, children: vec![] }
    }
    fn team(id: &str, target: Option<&str>, children: Vec<RollupNode>) -> RollupNode {
        RollupNode { id: id.into(), quota: None, target: target.map(d), children }
    }

    #[test]
    fn two_levels_with_gaps_and_ratios() {
        // east: 300 + 200 = 500 against 400: gap +100, ratio 1.25
        // west: 150 against 200: gap -50, ratio 0.75; total 650 against 800: gap -150, ratio 0.8125
        let req = RollupRequest {
            nodes: vec![
                team("east", Some("400"), vec![payee("a", "300"), payee("b", "200")]),
                team("west", Some("200"), vec![payee("c", "150")]),
            ],
            target: Some(d("800")),
        };
        let r = rollup(&req).unwrap();
        assert_eq!(r.nodes[0].bottom_up, d("500"));
        assert_eq!((r.nodes[0].gap, r.nodes[0].ratio), (Some(d("100")), Some(d("1.25"))));
        assert_eq!((r.nodes[1].gap, r.nodes[1].ratio), (Some(d("-50")), Some(d("0.75"))));
        assert_eq!((r.bottom_up, r.gap, r.ratio), (d("650"), Some(d("-150")), Some(d("0.8125"))));
        // a payee without target: no gap, no ratio
        assert_eq!((r.nodes[0].children[0].gap, r.nodes[0].children[0].ratio), (None, None));
    }

    #[test]
    fn zero_target_has_a_gap_but_no_ratio() {
        // 0 quota against 0 target: gap 0, ratio none; 100 against 0: gap 100, ratio none
        let req = RollupRequest {
            nodes: vec![team("t", Some("0"), vec![payee("a", "0")]), team("u", Some("0"), vec![payee("b", "100")])],
            target: None,
        };
        let r = rollup(&req).unwrap();
        assert_eq!((r.nodes[0].gap, r.nodes[0].ratio), (Some(d("0")), None));
        assert_eq!((r.nodes[1].gap, r.nodes[1].ratio), (Some(d("100")), None));
        assert_eq!((r.gap, r.ratio), (None, None));
    }

    #[test]
    fn one_payee_and_errors() {
        let mut p = payee("solo", "1000");
        p.target = Some(d("1000"));
        let r = rollup(&RollupRequest { nodes: vec![p], target: None }).unwrap();
        assert_eq!((r.bottom_up, r.nodes[0].ratio), (d("1000"), Some(d("1"))));

        let mut bad = team("t", None, vec![payee("a", "1"), RollupNode { quota: None, ..payee("b", "0") }]);
        let e = rollup(&RollupRequest { nodes: vec![bad.clone()], target: None }).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_MISSING_QUOTA", Some("/nodes/0/children/1/quota")));
        bad.quota = Some(d("5"));
        let e = rollup(&RollupRequest { nodes: vec![bad], target: None }).unwrap_err();
        assert_eq!((e.code(), e.path()), ("QUOTA_TEAM_QUOTA", Some("/nodes/0/quota")));
        let e = rollup(&RollupRequest { nodes: vec![payee("a", "-1")], target: None }).unwrap_err();
        assert_eq!(e.code(), "QUOTA_NEGATIVE_QUOTA");
        assert!(serde_json::from_str::<RollupRequest>(r#"{"nodes": [{"id": "a", "quota": "1", "q": 1}]}"#).is_err());
    }
}
