//! The batch kernel (`src/engine/batch.rs`) gives byte for byte the evaluation the engine gives
//! alone: on every golden vector, on the generated benchmark data over the four quarters, and on
//! generated plans and transactions that walk through its edges (rounding modes, scales, credit
//! memos, band boundaries, rejected and excluded transactions, foreign currencies, roll-ups,
//! per-transaction caps, gates paying from the threshold, retroactive and year-to-date tables).

mod common;

use payplan::columns::TransactionColumns;
use payplan::inputs::Detail;
use payplan::{CompiledPlan, Inputs};
use proptest::prelude::*;
use serde_json::{json, Value};

proptest! {
    // Long runs of lines per payee (the kernel sorts a run of more than 256 lines as pairs of a
    // 128-bit prefix, the date and the first 12 bytes of the id after the prefix all ids share,
    // and the line's position): half the ids share 17 bytes after that prefix, so that their
    // prefixes tie and the whole order decides, on the same days, across rules and splits.
    #![proptest_config(ProptestConfig { cases: std::env::var("BATCH_CASES").ok().and_then(|c| c.parse::<u32>().ok()).map_or(12, |c| c / 8 + 1), ..ProptestConfig::default() })]
    #[test]
    fn long_runs_kernel_equals_engine(
        k in knobs(),
        t in prop::collection::vec(
            (0u8..200, 0u8..5, 0i64..9_000_000, 0u32..3, 0i64..12, 0u8..3, 0u8..2, prop_oneof![Just(0u8), 1u8..3, Just(12u8)]),
            300..700,
        ),
    ) {
        let t: Vec<Txn> = t
            .into_iter()
            .map(|(id, owner, cents, scale, day, product, kind, extra)| Txn { id, owner, cents, scale, day: 30 + day, product, kind, extra })
            .collect();
        let plan = plan_of(&k);
        let compiled = CompiledPlan::from_json(&plan.to_string()).unwrap();
        let ids = |t: &Txn| if t.id % 2 == 0 { format!("D{:03}", t.id) } else { format!("D-shared-part-of-the-id-{:03}", t.id) };
        let mut inputs = Inputs::from_json(&inputs_with_ids(&t, ids).to_string()).unwrap();
        prop_assert!(same_summary(&compiled, &mut inputs, "Q1", &format!("{k:?}")), "the evaluation failed");
    }
}

/// Summary through the kernel and through the engine alone: the same bytes, or the same error.
fn same_summary(plan: &CompiledPlan, inputs: &mut Inputs, period: &str, what: &str) -> bool {
    inputs.options.detail = Detail::Summary;
    let fast = plan.evaluate(inputs, period).map(|e| e.to_json());
    let slow = plan.evaluate_without_kernel(inputs, period).map(|e| e.to_json());
    // the same transactions as columns (`CompiledPlan::evaluate_columns`, credited in place by the
    // kernel where every row is plain): the same bytes again
    let columns: TransactionColumns = inputs.transactions.iter().collect();
    let rest = Inputs { transactions: Vec::new(), ..inputs.clone() };
    let by_columns = plan.evaluate_columns(&columns, &rest, period).map(|e| e.to_json());
    // and again, with what the first evaluation kept of the rows (their processing order)
    let again = plan.evaluate_columns(&columns, &rest, period).map(|e| e.to_json());
    assert_eq!(by_columns.as_ref().ok(), again.as_ref().ok(), "{what}: columns again");
    match (&fast, &by_columns) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{what}: columns"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}: columns"),
        (a, b) => panic!("{what}: list {a:?}, columns {b:?}"),
    }
    match (fast, slow) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{what}");
            true
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string(), "{what}");
            false
        }
        (a, b) => panic!("{what}: kernel {a:?}, engine {b:?}"),
    }
}

#[test]
fn every_golden_vector() {
    let mut compared = 0;
    for common::PlanVector { path, plan, inputs, .. } in common::plan_vectors() {
        let Ok(plan) = CompiledPlan::from_json(&plan.to_string()) else { continue };
        let Ok(mut inputs) = Inputs::from_json(&inputs.to_string()) else { continue };
        // every period of the plan, not only the vector's
        for period in plan.period_ids() {
            if same_summary(&plan, &mut inputs, period, &format!("{} {period}", path.display())) {
                compared += 1;
            }
        }
    }
    assert!(compared >= 200, "{compared} evaluations compared");
}

/// The benchmark's plan and data (`examples/bench_native.rs`), every quarter, with cancellations
/// and without.
#[test]
fn generated_benchmark_data() {
    let mut plan: Value = serde_json::from_str(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
    let mut payees = vec![json!({ "id": "mgr", "role": "Manager" })];
    let mut quotas = vec![json!({ "payee": "mgr", "measure": "team-bookings", "annual": "4000000" })];
    for i in 0..5 {
        payees.push(json!({ "id": format!("ae-{i}"), "role": "AE", "reportsTo": [{ "manager": "mgr" }] }));
        quotas.push(json!({ "payee": format!("ae-{i}"), "measure": "bookings", "annual": "800000" }));
    }
    plan["payees"] = Value::Array(payees);
    plan["quotas"] = Value::Array(quotas);
    for payments in [
        json!({}),
        json!({ "draws": [{ "id": "d", "payees": ["ae-1"], "kind": "recoverable", "amount": "6000", "periods": ["Q1", "Q2"] }] }),
    ] {
        plan["payments"] = payments;
        let compiled = CompiledPlan::from_json(&plan.to_string()).unwrap();
        for cancel_every in [0, 7] {
            let cfg = payplan::sample::GeneratorConfig {
                count: 2_000,
                owners: (0..5).map(|i| format!("ae-{i}")).collect(),
                cancel_every,
                ..Default::default()
            };
            let mut inputs = Inputs { transactions: payplan::sample::generate(&cfg), ..Default::default() };
            for q in ["Q1", "Q2", "Q3", "Q4"] {
                assert!(same_summary(&compiled, &mut inputs, q, q));
            }
        }
    }
}

/// A hand-checked figure through the kernel: 3 deals of one AE on a quota of 100,000 for the
/// quarter (annual 400,000), 5% to 100% of quota and 10% above, rounded half-even per line.
#[test]
fn a_hand_checked_statement() {
    let plan = CompiledPlan::from_json(&common::one_ae_tiers().to_string()).unwrap();
    let inputs = json!({ "transactions": [
        { "id": "a", "owner": "ae", "amount": "60000.10", "closeDate": "2025-01-10" },
        { "id": "b", "owner": "ae", "amount": "50000.05", "closeDate": "2025-02-10" },
        { "id": "c", "owner": "ae", "amount": "0.09", "closeDate": "2025-03-10" }
    ], "options": { "detail": "summary" } });
    let mut inputs = Inputs::from_json(&inputs.to_string()).unwrap();
    assert!(same_summary(&plan, &mut inputs, "Q1", "hand-checked"));
    let ev = plan.evaluate(&inputs, "Q1").unwrap();
    // a: 60,000.10 × 5% = 3,000.005 -> 3,000.00 (half-even)
    // b: 39,999.90 × 5% + 10,000.15 × 10% = 1,999.995 + 1,000.015 = 3,000.01 -> 3,000.01
    // c: 0.09 × 10% = 0.009 -> 0.01
    assert_eq!(ev.statements[0].payout.to_string(), "6000.02");
}

/// A roll-up of chosen rules (`fromRules`), checked by hand: the manager's team bookings take the
/// AE's deal credit and not the SE's overlay credit on the same deals.
#[test]
fn a_rollup_of_chosen_rules() {
    let plan = |from: Value| {
        let mut rollup = json!({ "type": "rollup", "id": "team", "levels": 1 });
        if !from.is_null() {
            rollup["fromRules"] = from;
        }
        json!({
            "schemaVersion": 1, "id": "from-rules", "currency": "USD",
            "rounding": { "mode": "halfEven", "stage": "line" },
            "calendar": { "yearStart": "2025-01-01", "periodType": "quarter" },
            "payees": [
                { "id": "mgr", "role": "Manager" },
                { "id": "ae", "role": "AE", "reportsTo": [{ "manager": "mgr" }] },
                { "id": "se", "role": "SE", "reportsTo": [{ "manager": "mgr" }] }
            ],
            "measures": [{ "id": "team-bookings", "kind": "amount", "filter": { "rules": ["team"] } }],
            "crediting": { "creditDate": "close", "rules": [
                { "type": "split", "id": "deal-credit" },
                { "type": "overlay", "id": "se-overlay", "payee": "se", "percent": "25" },
                rollup
            ] },
            "components": [{ "id": "override", "type": "rate", "roles": ["Manager"], "measure": "team-bookings", "rate": { "percent": "1.5" } }],
            "payments": {}
        })
    };
    let inputs = json!({ "transactions": [
        { "id": "a", "owner": "ae", "amount": "10000.30", "closeDate": "2025-01-10" },
        { "id": "b", "owner": "ae", "amount": "2000.10", "closeDate": "2025-02-10" }
    ], "options": { "detail": "summary" } });
    let mut inputs = Inputs::from_json(&inputs.to_string()).unwrap();
    // fromRules ["deal-credit"]: a 10,000.30 × 1.5% = 150.0045 -> 150.00, b 2,000.10 × 1.5% =
    // 30.0015 -> 30.00: 180.00. Every rule (no fromRules): the overlay's 25% rolls up too,
    // 2,500.075 × 1.5% = 37.501125 -> 37.50 and 500.025 × 1.5% = 7.500375 -> 7.50: 225.00.
    for (from, payout) in [(json!(["deal-credit"]), "180.00"), (Value::Null, "225.00")] {
        let compiled = CompiledPlan::from_json(&plan(from).to_string()).unwrap();
        assert!(same_summary(&compiled, &mut inputs, "Q1", "fromRules"));
        let ev = compiled.evaluate(&inputs, "Q1").unwrap();
        let mgr = ev.statements.iter().find(|s| s.payee == "mgr").unwrap();
        assert_eq!(mgr.payout.to_string(), payout);
    }
}

/// Amounts near rust_decimal's 96-bit limit: where a sum or a line's padding to cents would leave
/// 96 bits, rust_decimal rounds (or keeps fewer decimals), and the kernel hands those steps to
/// `Decimal` so that it gives the same bytes, or the same error.
#[test]
fn amounts_at_the_edge_of_96_bits() {
    let plan = json!({
        "schemaVersion": 1, "id": "p", "currency": "USD",
        "calendar": { "yearStart": "2025-01-01", "periodType": "quarter" },
        "payees": [{ "id": "ae", "role": "AE" }],
        "measures": [{ "id": "b", "kind": "amount" }],
        "quotas": [{ "payee": "ae", "measure": "b", "annual": "4000000000000000000000000000" }],
        "crediting": { "rules": [{ "type": "direct", "id": "own" }] },
        "components": [
            { "id": "all", "type": "rate", "measure": "b", "rate": { "percent": "10000000000" } },
            { "id": "tiers", "type": "tiered", "measure": "b", "basis": "attainment", "method": "marginal",
              "tiers": [{ "from": "0", "to": "1", "rate": { "percent": "50" } }, { "from": "1", "rate": { "percent": "100" } }] }
        ]
    });
    let plan = CompiledPlan::from_json(&plan.to_string()).unwrap();
    // (the flat rate multiplies by 10^8: amounts that fit the kernel's 64-bit lines pay beyond 96 bits)
    let cases: [&[&str]; 5] = [
        // two lines of 5e18: each pays 5e26 (5e28 cents fits 96 bits), their sum does not
        &["5000000000000000000", "5000000000000000000"],
        // a line of 9e18 pays 9e26: it cannot be padded to cents
        &["9000000000000000000", "1.01"],
        // lines beyond 64 bits: the engine credits and pays everything
        &["700000000000000000000000000", "700000000000000000000000000"],
        &["79228162514264337593543950335", "1"],
        &["123456789012345678901234.56", "-123456789012345678901234.56", "0.01"],
    ];
    let mut evaluated = 0;
    for amounts in cases {
        let list: Vec<Value> = amounts
            .iter()
            .enumerate()
            .map(|(i, a)| json!({ "id": format!("T{i}"), "owner": "ae", "amount": a, "closeDate": "2025-02-01" }))
            .collect();
        let mut inputs = Inputs::from_json(&json!({ "transactions": list }).to_string()).unwrap();
        if same_summary(&plan, &mut inputs, "Q1", &format!("{amounts:?}")) {
            evaluated += 1;
        }
    }
    // (an overflow error is compared too: the first two evaluate)
    assert!(evaluated >= 2, "{evaluated}");
}

/// More crediting rules, or more distinct shares, than the kernel's lines index (256 of each):
/// the evaluation is the engine's, to the same bytes. First 300 overlay rules credit "se" a share
/// of each deal, 0.001% to 0.300%, every one its own rule and share.
#[test]
fn more_rules_and_shares_than_the_kernel_indexes() {
    // "ae" and "se", credited by `rules`, paid 10% of their bookings: both payouts, after the
    // kernel's summary is checked against the engine's
    let payouts = |rules: Value, list: Vec<Value>, what: &str| {
        let plan = json!({
            "schemaVersion": 1, "id": "p", "currency": "USD",
            "calendar": { "yearStart": "2025-01-01", "periodType": "quarter" },
            "payees": [{ "id": "ae", "role": "AE" }, { "id": "se", "role": "SE" }],
            "measures": [{ "id": "b", "kind": "amount" }],
            "crediting": { "rules": rules },
            "components": [{ "id": "all", "type": "rate", "measure": "b", "rate": { "percent": "10" } }]
        });
        let plan = CompiledPlan::from_json(&plan.to_string()).unwrap();
        let mut inputs = Inputs::from_json(&json!({ "transactions": list }).to_string()).unwrap();
        assert!(same_summary(&plan, &mut inputs, "Q1", what));
        let ev = plan.evaluate(&inputs, "Q1").unwrap();
        let payout = |id: &str| ev.statements.iter().find(|s| s.payee == id).map(|s| s.payout.to_string());
        (payout("ae").unwrap_or_default(), payout("se").unwrap_or_default())
    };
    let mut rules = vec![json!({ "type": "direct", "id": "own" })];
    for i in 1..=300 {
        rules.push(json!({ "type": "overlay", "id": format!("o{i}"), "payee": "se", "percent": format!("0.{i:03}") }));
    }
    let list = (0..4)
        .map(|i| json!({ "id": format!("T{i}"), "owner": "ae", "amount": "1000", "closeDate": format!("2025-02-0{}", i + 1) }))
        .collect();
    // by hand: the AE's 4,000.00 pays 400.00; the SE's shares add to 0.001% + ... + 0.300% =
    // 45.150% of 4,000 = 1,806.00 of bookings, paid 10%: 180.60
    assert_eq!(payouts(json!(rules), list, "300 rules"), ("400.00".into(), "180.60".into()));

    // One split rule, and 300 deals of 1,000 split between the two at 300 different shares:
    // "ae" 0.1%, 0.2%, ..., 30.0% of each, "se" the rest (600 distinct shares)
    let list = (1..=300)
        .map(|i| {
            let (ae, se) = (format!("{}.{}", i / 10, i % 10), format!("{}.{}", (1000 - i) / 10, (1000 - i) % 10));
            json!({ "id": format!("T{i:03}"), "owner": "ae", "amount": "1000", "closeDate": "2025-02-01",
                    "splits": [{ "payee": "ae", "percent": ae }, { "payee": "se", "percent": se }] })
        })
        .collect();
    // by hand: "ae" is credited (0.1 + ... + 30.0)% = 4,515% of 1,000 = 45,150.00, paid 10%:
    // 4,515.00; "se" the rest of 300,000.00: 254,850.00, paid 25,485.00
    let split = json!([{ "type": "split", "id": "split", "mustTotal": "100" }]);
    assert_eq!(payouts(split, list, "600 shares"), ("4515.00".into(), "25485.00".into()));
}

/// Plans built from knobs, and transactions that reach every branch of the kernel's crediting.
#[derive(Debug, Clone)]
struct Knobs {
    mode: &'static str,
    method: &'static str,
    basis: &'static str,
    scope: &'static str,
    bounds: &'static str,
    base_percent: &'static str,
    txn_cap: bool,
    period_cap: Option<&'static str>,
    year_cap: bool,
    threshold_gate: bool,
    multiplier: bool,
    spiff_unit: &'static str,
    override_unit: &'static str,
    split_must_total: bool,
    overlay: bool,
    rollup_percent: Option<&'static str>,
    /// The roll-up rolls up the split's grants only (`fromRules`), not the SE's overlay.
    rollup_from: bool,
    new_only_measure: bool,
    rounding_scale: Option<u32>,
}

fn knobs() -> impl Strategy<Value = Knobs> {
    let pick = |v: &'static [&'static str]| prop::sample::select(v);
    (
        (
            pick(&["halfEven", "halfUp", "halfDown", "down", "up", "floor", "ceiling"]),
            pick(&["marginal", "marginal", "retroactive"]),
            pick(&["attainment", "value"]),
            pick(&["period", "yearToDate", "transaction"]),
            pick(&["halfOpen", "inclusiveUpper"]),
            pick(&["8", "7.25", "3.333"]),
            any::<bool>(),
            prop::option::of(pick(&["carryForward", "forfeit"])),
            any::<bool>(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            pick(&["perDeal", "percent", "perUnit"]),
            pick(&["percent", "perDeal", "perUnit"]),
            any::<bool>(),
            any::<bool>(),
            prop::option::of(pick(&["50", "100", "12.5"])),
            any::<bool>(),
            prop::option::of(0u32..4),
            any::<bool>(),
        ),
    )
        .prop_map(|(a, b)| Knobs {
            mode: a.0,
            method: a.1,
            basis: a.2,
            scope: a.3,
            bounds: a.4,
            base_percent: a.5,
            txn_cap: a.6,
            period_cap: a.7,
            year_cap: a.8,
            threshold_gate: b.0,
            multiplier: b.1,
            spiff_unit: b.2,
            override_unit: b.3,
            split_must_total: b.4,
            overlay: b.5,
            rollup_percent: b.6,
            new_only_measure: b.7,
            rounding_scale: b.8,
            rollup_from: b.9,
        })
}

fn rate(unit: &str) -> Value {
    match unit {
        "perDeal" => json!({ "perDeal": "500" }),
        "perUnit" => json!({ "perUnit": "12.5" }),
        _ => json!({ "percent": "1.5" }),
    }
}

fn plan_of(k: &Knobs) -> Value {
    let (t1, t2) = if k.basis == "attainment" { ("1.0", "1.5") } else { ("60000", "90000") };
    let mut caps = Vec::new();
    if k.txn_cap {
        caps.push(json!({ "amount": "1500.5", "per": "transaction" }));
    }
    if let Some(excess) = k.period_cap {
        caps.push(json!({ "amount": "9000", "per": "period", "excess": excess }));
    }
    if k.year_cap {
        caps.push(json!({ "amount": "20000", "per": "year" }));
    }
    let mut commission = json!({
        "id": "commission", "type": "tiered", "roles": ["AE"], "measure": "bookings",
        "basis": k.basis, "method": k.method, "scope": k.scope, "bounds": k.bounds,
        "baseRate": { "percent": k.base_percent },
        "tiers": [
            { "from": "0", "to": t1, "rate": { "multiplier": "1" } },
            { "from": t1, "to": t2, "rate": { "multiplier": "1.5" } },
            { "from": t2, "rate": { "multiplier": "2" } }
        ],
        "caps": caps
    });
    if k.threshold_gate {
        let min = if k.basis == "attainment" { "0.25" } else { "15000" };
        commission["gate"] =
            json!({ "on": { "measure": "bookings", "basis": k.basis }, "min": min, "payFrom": "threshold" });
    }
    if k.multiplier {
        commission["multipliers"] = json!([{ "on": { "measure": "bookings", "basis": "attainment" }, "bands": [{ "from": "1.2", "factor": "1.1" }] }]);
    }
    let mut rules = vec![if k.split_must_total {
        json!({ "type": "split", "id": "deal-credit", "mustTotal": "100" })
    } else {
        json!({ "type": "split", "id": "deal-credit" })
    }];
    if k.overlay {
        rules.push(json!({ "type": "overlay", "id": "se", "payee": "se", "percent": "25", "filter": { "products": ["Platform"] } }));
    }
    let mut rollup = json!({ "type": "rollup", "id": "team-rollup", "levels": 2 });
    if let Some(p) = k.rollup_percent {
        rollup["percent"] = json!(p);
    }
    if k.rollup_from {
        rollup["fromRules"] = json!(["deal-credit"]);
    }
    rules.push(rollup);
    let counted = if k.overlay { json!(["deal-credit", "se"]) } else { json!(["deal-credit"]) };
    // a filter of the transaction alone (the kernel tests each transaction once), or one that
    // also reads the line's credit rule (tested line by line)
    let spiff_filter = if k.overlay {
        json!({ "products": ["Platform"], "exclude": { "rules": ["se"] } })
    } else {
        json!({ "products": ["Platform"] })
    };
    let bookings_filter =
        if k.new_only_measure { json!({ "rules": counted, "types": ["new"] }) } else { json!({ "rules": counted }) };
    let mut rounding = json!({ "mode": k.mode, "stage": "line" });
    if let Some(s) = k.rounding_scale {
        rounding["scale"] = json!(s);
    }
    json!({
        "schemaVersion": 1, "id": "knobs", "currency": "USD", "rounding": rounding,
        "calendar": { "yearStart": "2025-01-01", "periodType": "quarter" },
        "payees": [
            { "id": "vp", "role": "Manager" },
            { "id": "mgr", "role": "Manager", "reportsTo": [{ "manager": "vp" }] },
            { "id": "ae-1", "role": "AE", "reportsTo": [{ "manager": "mgr" }] },
            { "id": "ae-2", "role": "AE", "start": "2025-02-15", "reportsTo": [{ "manager": "mgr", "to": "2025-05-31" }, { "manager": "vp", "from": "2025-06-01" }] },
            { "id": "ae-3", "role": "AE", "end": "2025-08-31", "reportsTo": [{ "manager": "mgr" }] },
            { "id": "se", "role": "SE", "reportsTo": [{ "manager": "mgr" }] }
        ],
        "measures": [
            { "id": "bookings", "kind": "amount", "filter": bookings_filter },
            { "id": "team-bookings", "kind": "amount", "filter": { "rules": ["team-rollup"] } },
            { "id": "deals", "kind": "count", "filter": { "rules": ["deal-credit"] } },
            { "id": "units", "kind": "quantity" }
        ],
        "quotas": [
            { "payee": "ae-1", "measure": "bookings", "annual": "400000" },
            { "payee": "ae-2", "measure": "bookings", "annual": "333333.33", "ramp": ["0.5"] },
            { "payee": "ae-3", "measure": "bookings", "annual": "250000.5" },
            { "payee": "mgr", "measure": "team-bookings", "annual": "1000000" }
        ],
        "crediting": { "creditDate": "close", "rules": rules },
        "fx": { "base": "USD", "rates": [{ "currency": "EUR", "rate": "1.0837", "from": "2025-01-01" }] },
        "currencies": [{ "code": "XTS", "minorUnits": 3 }],
        "components": [
            commission,
            { "id": "spiff", "type": "spiff", "roles": ["AE", "SE"], "measure": "bookings",
              "filter": spiff_filter, "window": { "from": "2025-02-01", "to": "2025-08-31" }, "rate": rate(k.spiff_unit) },
            { "id": "override", "type": "rate", "roles": ["Manager"], "measure": "team-bookings", "rate": rate(k.override_unit) },
            { "id": "units", "type": "rate", "roles": ["SE"], "measure": "units", "rate": { "perUnit": "3.5" } },
            { "id": "deals", "type": "milestone", "roles": ["AE"], "measure": "deals", "basis": "value", "scope": "yearToDate",
              "levels": [{ "at": "5", "amount": "250" }] }
        ],
        "payments": {}
    })
}

#[derive(Debug, Clone)]
struct Txn {
    id: u8,
    owner: u8,
    cents: i64,
    scale: u32,
    day: i64,
    product: u8,
    kind: u8,
    extra: u8,
}

fn txns() -> impl Strategy<Value = Vec<Txn>> {
    prop::collection::vec(
        (0u8..60, 0u8..8, -2_000_000i64..9_000_000, 0u32..4, -20i64..390, 0u8..3, 0u8..2, 0u8..16).prop_map(
            |(id, owner, cents, scale, day, product, kind, extra)| Txn {
                id,
                owner,
                cents,
                scale,
                day,
                product,
                kind,
                extra,
            },
        ),
        0..60,
    )
}

fn inputs_of(v: &[Txn]) -> Value {
    inputs_with_ids(v, |t| format!("T{:02}", t.id))
}

fn inputs_with_ids(v: &[Txn], id_of: impl Fn(&Txn) -> String) -> Value {
    let owners = ["ae-1", "ae-2", "ae-3", "mgr", "se", "nobody", "ae-1", "ae-2"];
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let list: Vec<Value> = v
        .iter()
        .map(|t| {
            let amount = rust_decimal::Decimal::new(t.cents, t.scale);
            let product = ["Platform", "Analytics", "Support"][t.product as usize];
            let kind = ["new", "renewal"][t.kind as usize];
            let mut o = json!({
                "id": id_of(t),
                "amount": amount.to_string(),
                "closeDate": (start + chrono::Duration::days(t.day)).to_string(),
                "product": product,
                "type": kind,
            });
            if t.owner != 5 || t.extra != 0 {
                o["owner"] = json!(owners[t.owner as usize]);
            }
            match t.extra {
                1 => o["splits"] = json!([{ "payee": "ae-1", "percent": "50" }, { "payee": "ae-2", "percent": "50" }]),
                2 => o["splits"] = json!([{ "payee": "ae-1", "percent": "60" }, { "payee": "ae-3", "percent": "30" }]),
                3 => o["currency"] = json!("EUR"),
                4 => o["currency"] = json!("GBP"),
                5 => o["quantity"] = json!("3"),
                6 => o["quantity"] = json!("-1"),
                7 => o["cancellationDate"] = json!((start + chrono::Duration::days(t.day + 30)).to_string()),
                8 => o["cancellationDate"] = json!((start + chrono::Duration::days(t.day - 3)).to_string()),
                9 => o["refundAmount"] = json!("1"),
                10 => o["splits"] = json!([{ "payee": "ghost", "percent": "100" }]),
                11 => o["id"] = json!(" "),
                12 => {
                    o["splits"] =
                        json!([{ "payee": "ae-2", "percent": "33.333" }, { "payee": "ae-1", "percent": "66.667" }])
                }
                13 => o["currency"] = json!("USD"),
                // one payee twice in a split: two lines of one transaction, paid in the order of
                // their shares (40 before 60)
                14 => o["splits"] = json!([{ "payee": "ae-1", "percent": "60" }, { "payee": "ae-1", "percent": "40" }]),
                _ => {}
            }
            o
        })
        .collect();
    json!({ "transactions": list })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("BATCH_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(96), ..ProptestConfig::default() })]
    #[test]
    fn kernel_equals_engine(k in knobs(), t in txns(), q in 0usize..4) {
        let plan = plan_of(&k);
        let compiled = CompiledPlan::from_json(&plan.to_string());
        let compiled = match compiled {
            Ok(c) => c,
            Err(e) => panic!("{e}: {plan}"),
        };
        let mut inputs = Inputs::from_json(&inputs_of(&t).to_string()).unwrap();
        let period = ["Q1", "Q2", "Q3", "Q4"][q];
        prop_assert!(same_summary(&compiled, &mut inputs, period, &format!("{k:?}")), "the evaluation failed");
    }

    // The same with every id distinct: columns then take the lines' order from their rows' (kept
    // with the columns), cancellations and all; half the time with amounts of one scale.
    #[test]
    fn kernel_equals_engine_with_distinct_ids(k in knobs(), t in txns(), q in 0usize..4, one_scale in any::<bool>()) {
        let mut seen = std::collections::HashSet::new();
        let mut t: Vec<Txn> = t.into_iter().filter(|t| seen.insert(t.id)).collect();
        // (amounts of one scale, the usual case, half the time)
        if one_scale {
            t.iter_mut().for_each(|x| x.scale = 2);
        }
        let compiled = CompiledPlan::from_json(&plan_of(&k).to_string()).unwrap();
        let mut inputs = Inputs::from_json(&inputs_of(&t).to_string()).unwrap();
        let period = ["Q1", "Q2", "Q3", "Q4"][q];
        prop_assert!(same_summary(&compiled, &mut inputs, period, &format!("{k:?}")), "the evaluation failed");
    }
}
