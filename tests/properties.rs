//! Property tests of the engine's invariants, through the public API.

use payplan::{evaluate, Inputs, Plan, Transaction};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

fn dec(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

fn base_plan(components: serde_json::Value, payments: serde_json::Value) -> Plan {
    let plan = json!({
        "schemaVersion": 1, "id": "prop", "currency": "USD",
        "calendar": { "yearStart": "2025-01-01", "periodType": "quarter" },
        "fx": { "base": "USD", "rates": [{ "currency": "EUR", "rate": "1.1", "from": "2025-01-01" }] },
        "payees": [
            { "id": "m", "role": "Manager" },
            { "id": "a", "role": "AE", "reportsTo": [{ "manager": "m" }] },
            { "id": "b", "role": "AE", "reportsTo": [{ "manager": "m" }] },
            { "id": "c", "role": "AE", "reportsTo": [{ "manager": "m" }] }
        ],
        "measures": [{ "id": "bookings", "filter": { "rules": ["deal"] } }],
        "quotas": [
            { "payee": "a", "measure": "bookings", "annual": "400000" },
            { "payee": "b", "measure": "bookings", "annual": "400000" },
            { "payee": "c", "measure": "bookings", "annual": "400000" }
        ],
        "crediting": { "rules": [{ "type": "split", "id": "deal", "mustTotal": "100" }, { "type": "rollup", "id": "up" }] },
        "components": components,
        "payments": payments
    });
    Plan::from_json(&plan.to_string()).expect("plan")
}

fn tiered(rates: &[u32], bounds: &[u32]) -> serde_json::Value {
    // bounds are attainment percentages; band i is [bounds[i-1], bounds[i])
    let mut tiers = Vec::new();
    let mut from = 0u32;
    for (i, r) in rates.iter().enumerate() {
        let to = bounds.get(i).copied();
        let mut t = json!({ "from": Decimal::new(from as i64, 2).to_string(), "rate": { "percent": r.to_string() } });
        if let Some(to) = to {
            t["to"] = json!(Decimal::new(to as i64, 2).to_string());
            from = to;
        }
        tiers.push(t);
    }
    json!([{ "id": "commission", "type": "tiered", "roles": ["AE"], "measure": "bookings", "basis": "attainment", "method": "marginal", "tiers": tiers }])
}

fn txn(id: &str, owner: &str, cents: i64, date: &str) -> Transaction {
    Transaction {
        id: id.into(),
        owner: Some(owner.into()),
        amount: dec(cents),
        close_date: Some(date.parse().expect("date")),
        ..Default::default()
    }
}

fn payout(plan: &Plan, inputs: &Inputs, period: &str, payee: &str) -> Decimal {
    evaluate(plan, inputs, period).expect("evaluate").statement(payee).expect("payee").payout
}

/// Tier tables: 1 to 4 bands with increasing bounds and non-negative rates.
fn tables() -> impl Strategy<Value = (Vec<u32>, Vec<u32>)> {
    (1usize..=4).prop_flat_map(|n| {
        (prop::collection::vec(0u32..30, n), prop::collection::btree_set(10u32..300, n - 1))
            .prop_map(|(rates, bounds)| (rates, bounds.into_iter().collect()))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// With non-negative rates, more credit never pays less under marginal tiers.
    #[test]
    fn marginal_pay_is_monotonic((rates, bounds) in tables(), x in 0i64..50_000_000, extra in 0i64..20_000_000) {
        let plan = base_plan(tiered(&rates, &bounds), json!({}));
        let small = Inputs { transactions: vec![txn("T1", "a", x, "2025-02-01")], ..Default::default() };
        let large = Inputs { transactions: vec![txn("T1", "a", x + extra, "2025-02-01")], ..Default::default() };
        prop_assert!(payout(&plan, &small, "Q1", "a") <= payout(&plan, &large, "Q1", "a"));
    }

    /// Split credit lines add up exactly to the transaction amount (and roll up unchanged).
    #[test]
    fn split_lines_add_up(cents in 1i64..100_000_000, cut1 in 1u32..99, cut2 in 1u32..99) {
        let (lo, hi) = (cut1.min(cut2), cut1.max(cut2));
        prop_assume!(lo != hi);
        let shares = [lo, hi - lo, 100 - hi];
        let mut t = txn("T1", "a", cents, "2025-02-01");
        t.splits = ["a", "b", "c"].iter().zip(shares).map(|(p, s)| payplan::inputs::Split { payee: p.to_string(), percent: Decimal::from(s) }).collect();
        let plan = base_plan(json!([]), json!({}));
        let ev = evaluate(&plan, &Inputs { transactions: vec![t], ..Default::default() }, "Q1").expect("evaluate");
        let reps: Decimal = ["a", "b", "c"].iter().flat_map(|p| ev.statement(p).expect("payee").credits.iter().map(|c| c.amount)).sum();
        prop_assert_eq!(reps, dec(cents));
        let mgr: Decimal = ev.statement("m").expect("manager").credits.iter().map(|c| c.amount).sum();
        prop_assert_eq!(mgr, dec(cents));
    }

    /// A full clawback reverses exactly what the transaction paid.
    #[test]
    fn clawback_reverses_the_pay((rates, bounds) in tables(), cents in 1i64..40_000_000, before in 0i64..30_000_000, days in 0i64..=55) {
        let plan = base_plan(tiered(&rates, &bounds), json!({ "clawback": { "windowDays": 90 } }));
        // credited 2025-03-01, cancelled 2025-04-05 + days: 35 to 90 days later, inside the window
        let mut t = txn("T2", "a", cents, "2025-03-01");
        t.cancellation_date = Some("2025-04-05".parse::<chrono::NaiveDate>().expect("date") + chrono::Duration::days(days));
        let mut txns = vec![t];
        if before > 0 {
            txns.push(txn("T1", "a", before, "2025-02-01"));
        }
        let inputs = Inputs { transactions: txns, ..Default::default() };
        let q1 = evaluate(&plan, &inputs, "Q1").expect("q1");
        let paid: Decimal = q1.statement("a").expect("a").components[0].lines.iter().filter(|l| l.transaction == "T2").map(|l| l.amount).sum();
        let q2 = evaluate(&plan, &inputs, "Q2").expect("q2");
        let back: Decimal = q2.statement("a").expect("a").adjustments.iter().filter(|x| x.kind == "clawback").map(|x| x.amount).sum();
        prop_assert_eq!(back, -paid);
    }

    /// Every transaction is credited, excluded or rejected, and the accounting balances.
    #[test]
    fn accounting_always_balances(specs in prop::collection::vec((0u8..6, 0u8..4, -1_000_000i64..10_000_000, 0u8..5), 0..40)) {
        let plan = base_plan(json!([]), json!({}));
        let owners = ["a", "b", "zz", "c", "m", "a"];
        let ccys = [None, Some("EUR"), Some("XXX"), Some("USD")];
        let dates = [Some("2025-01-15"), Some("2025-03-31"), Some("2025-05-01"), None, Some("2024-12-31")];
        let txns: Vec<Transaction> = specs.iter().enumerate().map(|(i, (o, c, a, d))| Transaction {
            id: format!("T{i}"),
            owner: owners.get(*o as usize).map(|s| s.to_string()),
            amount: dec(*a),
            currency: ccys.get(*c as usize).copied().flatten().map(String::from),
            close_date: dates.get(*d as usize).copied().flatten().map(|s| s.parse().expect("date")),
            ..Default::default()
        }).collect();
        let n = txns.len() as u64;
        let ev = evaluate(&plan, &Inputs { transactions: txns, ..Default::default() }, "Q1").expect("evaluate");
        let a = &ev.accounting;
        prop_assert!(a.balanced);
        prop_assert_eq!(a.input.count, n);
        prop_assert_eq!(a.credited.count + a.excluded.count + a.rejected.count, n);
        prop_assert_eq!(a.excluded.count as usize, ev.excluded.len());
        prop_assert_eq!(a.rejected.count as usize, ev.rejected.len());
    }

    /// The statements do not depend on the order of the input transactions.
    #[test]
    fn order_does_not_matter((rates, bounds) in tables(), amounts in prop::collection::vec((1i64..5_000_000, 0u8..3, 1u32..90), 1..25), seed in any::<u64>()) {
        let plan = base_plan(tiered(&rates, &bounds), json!({}));
        let owners = ["a", "b", "c"];
        let txns: Vec<Transaction> = amounts.iter().enumerate().map(|(i, (a, o, day))| {
            let d = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date") + chrono::Duration::days(i64::from(*day));
            txn(&format!("T{i:03}"), owners[*o as usize], *a, &d.to_string())
        }).collect();
        let mut shuffled = txns.clone();
        let mut rng = payplan::sample::Rng::new(seed);
        for i in (1..shuffled.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            shuffled.swap(i, j);
        }
        let a = evaluate(&plan, &Inputs { transactions: txns, ..Default::default() }, "Q1").expect("a");
        let b = evaluate(&plan, &Inputs { transactions: shuffled, ..Default::default() }, "Q1").expect("b");
        prop_assert_eq!(serde_json::to_string(&a.statements).expect("json"), serde_json::to_string(&b.statements).expect("json"));
        prop_assert_eq!(a.accounting, b.accounting);
    }
}
