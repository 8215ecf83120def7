//! The embedded sample plan, a deterministic generator of sample transactions, and the demo report.
//!
//! The sample plan (`examples/plans/account-executive.json`) is a realistic account-executive plan:
//! an 8% base rate with marginal accelerators above quota (1.5x from 100%, 2x from 150%), a
//! per-period cap with carry-forward, a Q1 new-logo SPIFF, a manager override on team bookings, a
//! recoverable ramp draw for a new hire, and a 90-day clawback. The README walks through it.

use crate::inputs::{Split, Transaction};
use crate::money::fmt_pct;
use crate::statement::Evaluation;
use crate::{evaluate, Inputs, Plan, Result};
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// The sample plan, as JSON.
pub const SAMPLE_PLAN_JSON: &str = include_str!("../examples/plans/account-executive.json");

/// The sample plan, parsed.
pub fn sample_plan() -> Result<Plan> {
    Plan::from_json(SAMPLE_PLAN_JSON)
}

/// A small deterministic pseudo-random generator (SplitMix64): the same seed gives the same data on
/// every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
}

/// Settings of the sample transaction generator.
#[derive(Debug, Clone)]
pub struct GeneratorConfig {
    /// Seed; the same seed gives the same transactions.
    pub seed: u64,
    /// Number of transactions.
    pub count: usize,
    /// Owners, chosen uniformly.
    pub owners: Vec<String>,
    /// First possible close date.
    pub from: NaiveDate,
    /// Number of days close dates spread over.
    pub days: u32,
    /// Products, chosen uniformly.
    pub products: Vec<String>,
    /// Smallest and largest amount, whole currency units.
    pub amount_range: (u64, u64),
    /// One transaction in this many is split 50/50 with another owner (0: never).
    pub split_every: u64,
    /// One transaction in this many is cancelled 10 to 120 days after closing (0: never).
    pub cancel_every: u64,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        Self {
            seed: 2025,
            count: 120,
            owners: vec!["ae-ana".into(), "ae-ben".into(), "ae-chen".into()],
            from: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            days: 365,
            products: vec!["Platform".into(), "Analytics".into(), "Support".into()],
            amount_range: (2_000, 40_000),
            split_every: 10,
            cancel_every: 25,
        }
    }
}

/// Generates sample transactions: amounts in cents, close dates spread over the days, types
/// `new`/`renewal`/`upsell`, some splits and some cancellations, ids `S-00001`... in close-date
/// order.
///
/// ```
/// use payplan::sample::{generate, GeneratorConfig};
/// let a = generate(&GeneratorConfig::default());
/// let b = generate(&GeneratorConfig::default());
/// assert_eq!(a, b);
/// assert_eq!(a.len(), 120);
/// ```
pub fn generate(cfg: &GeneratorConfig) -> Vec<Transaction> {
    let mut rng = Rng::new(cfg.seed);
    let types = ["new", "renewal", "upsell"];
    let (lo, hi) = cfg.amount_range;
    let mut out: Vec<Transaction> = (0..cfg.count)
        .map(|_| {
            let owner = cfg.owners.get(rng.below(cfg.owners.len() as u64) as usize).cloned().unwrap_or_default();
            let cents = (lo * 100).saturating_add(rng.below((hi.saturating_sub(lo)) * 100 + 1));
            let close = cfg.from + Duration::days(rng.below(u64::from(cfg.days.max(1))) as i64);
            let product = cfg.products.get(rng.below(cfg.products.len() as u64) as usize).cloned();
            let kind = types.get(rng.below(3) as usize).map(|s| s.to_string());
            let mut t = Transaction {
                id: String::new(),
                owner: Some(owner.clone()),
                amount: Decimal::new(cents as i64, 2),
                close_date: Some(close),
                product,
                kind,
                ..Default::default()
            };
            if cfg.split_every > 0 && rng.below(cfg.split_every) == 0 && cfg.owners.len() > 1 {
                let other = cfg
                    .owners
                    .iter()
                    .filter(|o| **o != owner)
                    .nth(rng.below(cfg.owners.len() as u64 - 1) as usize)
                    .cloned()
                    .unwrap_or_default();
                t.splits = vec![
                    Split { payee: owner, percent: Decimal::from(50) },
                    Split { payee: other, percent: Decimal::from(50) },
                ];
            }
            if cfg.cancel_every > 0 && rng.below(cfg.cancel_every) == 0 {
                t.cancellation_date = Some(close + Duration::days(10 + rng.below(111) as i64));
            }
            t
        })
        .collect();
    out.sort_by_key(|t| t.close_date);
    for (i, t) in out.iter_mut().enumerate() {
        t.id = format!("S-{:05}", i + 1);
    }
    out
}

/// Evaluates the sample plan on generated data for every quarter and renders the statements as
/// text: what `payplan demo` prints.
pub fn demo_report() -> Result<String> {
    let plan = sample_plan()?;
    let inputs = Inputs { transactions: generate(&GeneratorConfig::default()), ..Default::default() };
    let mut s = String::new();
    let _ = writeln!(s, "payplan demo: {} ({})", plan.name.as_deref().unwrap_or(&plan.id), plan.id);
    let _ = writeln!(
        s,
        "{} generated transactions (seed 2025) for {} payees; amounts in {}\n",
        inputs.transactions.len(),
        plan.payees.len(),
        plan.currency
    );
    let periods = plan.calendar.periods();
    for p in &periods {
        let ev = evaluate(&plan, &inputs, &p.id)?;
        render(&mut s, &ev);
    }
    Ok(s)
}

fn render(s: &mut String, ev: &Evaluation) {
    let _ = writeln!(s, "=== {} ({} to {}) ===", ev.period.id, ev.period.start, ev.period.end);
    for st in &ev.statements {
        let name = st.name.as_deref().unwrap_or(&st.payee);
        let att = st
            .measures
            .first()
            .map(|m| {
                let a = m.period.attainment.map(fmt_pct).unwrap_or_else(|| "n/a".into());
                format!(
                    "{} {} of quota {} ({a})",
                    m.measure,
                    m.period.value,
                    m.period.quota.map(|q| q.round_dp(2).to_string()).unwrap_or_else(|| "none".into())
                )
            })
            .unwrap_or_default();
        let _ = writeln!(s, "{name} [{}]: payout {}   {att}", st.role, st.payout);
        for c in &st.components {
            let _ = writeln!(s, "  {:<16} {:>12}  ({} line(s))", c.component, c.amount.to_string(), c.lines.len());
            for step in &c.steps {
                let _ = writeln!(s, "      {:<16} {:>12}  {}", step.kind, step.amount.to_string(), step.trace);
            }
            // the line that crossed the most bands explains the tiers
            if let Some(l) = c.lines.iter().max_by_key(|l| l.bands.len()).filter(|l| l.bands.len() > 1) {
                let _ = writeln!(s, "      e.g. {}", l.trace);
            }
        }
        for a in &st.adjustments {
            let _ = writeln!(s, "  {:<16} {:>12}  {}", a.kind, a.amount.to_string(), a.trace);
        }
        let b = &st.balances;
        if !(b.draw_balance.is_zero() && b.held_back.is_zero() && b.carried_forward.is_zero()) {
            let _ = writeln!(
                s,
                "  balances: draw owed {}, held back {}, carried forward {}",
                b.draw_balance, b.held_back, b.carried_forward
            );
        }
    }
    let a = &ev.accounting;
    let _ = writeln!(
        s,
        "accounting: {} transactions in = {} credited (this period {}) + {} excluded + {} rejected: {}\n",
        a.input.count,
        a.credited.count,
        a.credited_in_period.count,
        a.excluded.count,
        a.rejected.count,
        if a.balanced { "balanced" } else { "NOT BALANCED" }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_plan_parses_and_demo_runs() {
        let p = sample_plan().unwrap();
        assert_eq!(p.components.len(), 3);
        let report = demo_report().unwrap();
        assert!(report.contains("=== Q4"), "{report}");
        assert!(!report.contains("NOT BALANCED"), "{report}");
    }

    #[test]
    fn generator_is_deterministic_and_spread() {
        let cfg = GeneratorConfig { count: 1000, ..Default::default() };
        let t = generate(&cfg);
        assert_eq!(t, generate(&cfg));
        assert!(t.iter().any(|x| !x.splits.is_empty()));
        assert!(t.iter().any(|x| x.cancellation_date.is_some()));
        assert!(t.windows(2).all(|w| w[0].close_date <= w[1].close_date));
        let min = t.iter().map(|x| x.amount).min().unwrap();
        let max = t.iter().map(|x| x.amount).max().unwrap();
        assert!(min >= Decimal::from(2000) && max <= Decimal::from(40000));
    }
}
