//! Property tests of robustness (issue 8), beyond the core's (`tests/properties.rs`), on the sample
//! plan with every mechanic (splits, roll-ups, tiers, caps carried forward, SPIFFs, draws,
//! clawbacks):
//! - evaluation is invariant to the order of the input transactions, in every period;
//! - a payee's transactions given in two calls (a preview session opened on the first part, the
//!   rest added one by one; or a closed period carried into the next) equal one call;
//! - rounding a pay line never moves it by more than half a unit of the rounding scale, and the
//!   `line` and `total` rounding stages differ by at most half a cent per line;
//! - absurd magnitudes give `DECIMAL_OVERFLOW` (or `PARSE_ERROR`), never a wrapped number.

use payplan::inputs::ClosedStatement;
use payplan::limits::Limits;
use payplan::session::Session;
use payplan::{evaluate, CompiledPlan, Inputs, Plan, Transaction};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::json;

fn sample() -> CompiledPlan {
    CompiledPlan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap()
}

const OWNERS: [&str; 4] = ["ae-ana", "ae-ben", "ae-chen", "mgr-maya"];
const PRODUCTS: [&str; 3] = ["Platform", "Analytics", "Support"];

/// (owner, cents, day of year, product, new?, split with the next AE?, cancelled after days)
type Spec = (usize, i64, i64, usize, bool, bool, Option<i64>);

fn spec() -> impl Strategy<Value = Spec> {
    (
        0usize..4,
        -2_000_000i64..40_000_000,
        0i64..365,
        0usize..3,
        any::<bool>(),
        any::<bool>(),
        prop::option::of(1i64..200),
    )
}

fn txn(i: usize, s: &Spec) -> Transaction {
    let (o, cents, day, p, new, split, cancel) = *s;
    let d = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(day);
    let mut t = Transaction {
        id: format!("T{i:03}"),
        owner: Some(OWNERS[o].into()),
        amount: Decimal::new(cents, 2),
        close_date: Some(d),
        product: Some(PRODUCTS[p].into()),
        kind: Some(if new { "new" } else { "renewal" }.into()),
        ..Default::default()
    };
    if split && o < 3 {
        let other = OWNERS[(o + 1) % 3];
        t.splits = vec![
            payplan::inputs::Split { payee: OWNERS[o].into(), percent: Decimal::from(70) },
            payplan::inputs::Split { payee: other.into(), percent: Decimal::from(30) },
        ];
    }
    t.cancellation_date = cancel.map(|c| d + chrono::Duration::days(c));
    t
}

fn shuffle<T>(v: &mut [T], seed: u64) {
    let mut rng = payplan::sample::Rng::new(seed);
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

fn inputs(txns: Vec<Transaction>) -> Inputs {
    Inputs { transactions: txns, ..Default::default() }
}

/// A flat-rate plan (rate in percent), rounding at `stage`.
fn flat(rate: &str, stage: &str) -> CompiledPlan {
    let plan = json!({
        "schemaVersion": 1, "id": "flat", "currency": "USD",
        "calendar": { "yearStart": "2025-01-01", "periodType": "quarter" },
        "rounding": { "stage": stage },
        "payees": [{ "id": "a", "role": "AE" }],
        "measures": [{ "id": "m", "filter": { "rules": ["d"] } }],
        "crediting": { "rules": [{ "type": "direct", "id": "d" }] },
        "components": [{ "id": "c", "type": "rate", "measure": "m", "rate": { "percent": rate } }]
    });
    CompiledPlan::new(Plan::from_json(&plan.to_string()).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Shuffling the transactions changes nothing in any period of the sample plan.
    #[test]
    fn order_invariant_in_every_period(specs in prop::collection::vec(spec(), 1..30), seed in any::<u64>()) {
        let plan = sample();
        let txns: Vec<Transaction> = specs.iter().enumerate().map(|(i, s)| txn(i, s)).collect();
        let mut shuffled = txns.clone();
        shuffle(&mut shuffled, seed);
        for period in ["Q1", "Q2", "Q3", "Q4"] {
            let a = plan.evaluate(&inputs(txns.clone()), period).unwrap();
            let b = plan.evaluate(&inputs(shuffled.clone()), period).unwrap();
            prop_assert_eq!(serde_json::to_string(&a.statements).unwrap(), serde_json::to_string(&b.statements).unwrap());
            prop_assert_eq!(&a.accounting, &b.accounting);
        }
    }

    /// A session opened on part of the transactions, with the rest added one by one, pays what
    /// one evaluation of all of them pays.
    #[test]
    fn session_in_two_parts_equals_one_call(specs in prop::collection::vec(spec(), 1..20), cut in 0usize..20, payee in 0usize..4, period in 0usize..4) {
        let plan = sample();
        let txns: Vec<Transaction> = specs.iter().enumerate().map(|(i, s)| txn(i, s)).collect();
        let cut = cut.min(txns.len());
        let period = ["Q1", "Q2", "Q3", "Q4"][period];
        let mut s = Session::open(&plan, &inputs(txns[..cut].to_vec()), OWNERS[payee], period).unwrap();
        for t in &txns[cut..] {
            s.upsert(t.clone()).unwrap();
        }
        let full = plan.evaluate(&inputs(txns), period).unwrap();
        prop_assert_eq!(s.payout(), full.statement(OWNERS[payee]).unwrap().payout);
    }

    /// Closing a period with what it paid and evaluating the next with the same transactions
    /// books no adjustment: the next period pays what it pays without the closed statement.
    #[test]
    fn closed_period_carried_equals_one_call(specs in prop::collection::vec(spec(), 1..20), k in 0usize..3) {
        let plan = sample();
        let txns: Vec<Transaction> = specs.iter().enumerate().map(|(i, s)| txn(i, s)).collect();
        let periods = ["Q1", "Q2", "Q3", "Q4"];
        let closed_ev = plan.evaluate(&inputs(txns.clone()), periods[k]).unwrap();
        let closed: Vec<ClosedStatement> = closed_ev.statements.iter().map(|st| ClosedStatement {
            payee: st.payee.clone(), period: periods[k].into(), payout: st.payout, components: Vec::new(),
        }).collect();
        let with = plan.evaluate(&Inputs { transactions: txns.clone(), closed_statements: closed, ..Default::default() }, periods[k + 1]).unwrap();
        let without = plan.evaluate(&inputs(txns), periods[k + 1]).unwrap();
        for (a, b) in with.statements.iter().zip(&without.statements) {
            prop_assert_eq!(a.payout, b.payout, "payee {}", a.payee);
        }
    }

    /// Rounding: each line is within half a cent of its unrounded amount, and the line and
    /// total stages differ by at most half a cent per line (plus half a cent for the total).
    #[test]
    fn rounding_moves_at_most_half_a_cent_per_line(amounts in prop::collection::vec(1i64..1_000_000_000, 1..40), rate in 1u32..10_000) {
        let rate = Decimal::new(i64::from(rate), 3).to_string(); // 0.001% .. 9.999%
        let txns: Vec<Transaction> = amounts.iter().enumerate().map(|(i, c)| Transaction {
            id: format!("T{i}"), owner: Some("a".into()), amount: Decimal::new(*c, 3),
            close_date: Some(chrono::NaiveDate::from_ymd_opt(2025, 2, 1).unwrap()), ..Default::default()
        }).collect();
        let line = flat(&rate, "line").evaluate(&inputs(txns.clone()), "Q1").unwrap();
        let total = flat(&rate, "total").evaluate(&inputs(txns.clone()), "Q1").unwrap();
        let half = Decimal::new(5, 3);
        let pct: Decimal = rate.parse::<Decimal>().unwrap() / Decimal::from(100);
        let st = line.statement("a").unwrap();
        let lines = &st.components[0].lines;
        prop_assert_eq!(lines.len(), txns.len());
        for l in lines {
            let t = txns.iter().find(|t| t.id == l.transaction).unwrap();
            let exact = t.amount * pct;
            prop_assert!((l.amount - exact).abs() <= half, "line {} = {} for exact {}", l.transaction, l.amount, exact);
            prop_assert!(l.amount.scale() <= 2);
        }
        let sum: Decimal = lines.iter().map(|l| l.amount).sum();
        prop_assert_eq!(sum, st.payout);
        let n = Decimal::from(lines.len() as u64);
        let diff = (st.payout - total.statement("a").unwrap().payout).abs();
        prop_assert!(diff <= half * (n + Decimal::ONE), "stages differ by {} over {} lines", diff, n);
    }

    /// Absurd magnitudes: a result is exactly the checked arithmetic's, or the error is
    /// DECIMAL_OVERFLOW; never a wrapped or saturated number.
    #[test]
    fn overflow_is_an_error_not_a_wrapped_number(digits in prop::collection::vec(20u32..=28, 1..4), rate in prop::sample::select(vec!["1", "100", "1000", "99999"])) {
        let txns: Vec<Transaction> = digits.iter().enumerate().map(|(i, d)| Transaction {
            id: format!("T{i}"), owner: Some("a".into()),
            amount: Decimal::from_i128_with_scale(10i128.pow(*d) - 1, 0),
            close_date: Some(chrono::NaiveDate::from_ymd_opt(2025, 2, 1).unwrap()), ..Default::default()
        }).collect();
        let pct = rate.parse::<Decimal>().unwrap() / Decimal::from(100);
        let expected = txns.iter().try_fold(Decimal::ZERO, |acc, t| {
            let pay = t.amount.checked_mul(pct)?.round_dp(2);
            acc.checked_add(pay)
        });
        let credit_total = txns.iter().try_fold(Decimal::ZERO, |acc, t| acc.checked_add(t.amount));
        match flat(rate, "line").evaluate(&inputs(txns), "Q1") {
            Ok(ev) => {
                prop_assert!(credit_total.is_some());
                prop_assert_eq!(Some(ev.statement("a").unwrap().payout), expected);
            }
            Err(e) => {
                prop_assert_eq!(e.code(), "DECIMAL_OVERFLOW", "{}", e);
                prop_assert!(expected.is_none() || credit_total.is_none());
            }
        }
    }
}

/// Limits: the defaults, a smaller setting, and the pointer of the first item over the limit.
#[test]
fn limits_are_enforced_with_a_pointer() {
    let text = payplan::sample::SAMPLE_PLAN_JSON;
    // components: the sample plan has 3
    let few = Limits { max_components: 2, ..Limits::default() };
    let e = CompiledPlan::from_json_with_limits(text, few).unwrap_err();
    assert_eq!((e.code(), e.path()), ("LIMIT_EXCEEDED", Some("/components/2")));
    let e = CompiledPlan::from_json_with_limits(text, Limits { max_payees: 3, ..Limits::default() }).unwrap_err();
    assert_eq!(e.path(), Some("/payees/3"));
    let e = CompiledPlan::from_json_with_limits(text, Limits { max_measures: 1, ..Limits::default() }).unwrap_err();
    assert_eq!(e.path(), Some("/measures/1"));
    let e = CompiledPlan::from_json_with_limits(text, Limits { max_bands: 2, ..Limits::default() }).unwrap_err();
    assert_eq!(e.path(), Some("/components/0/tiers/2"));
    let e = CompiledPlan::from_json_with_limits(text, Limits { max_plan_bytes: 100, ..Limits::default() }).unwrap_err();
    assert_eq!((e.code(), e.path()), ("LIMIT_EXCEEDED", Some("")));
    let e = CompiledPlan::from_json_with_limits(text, Limits { max_string_bytes: 5, ..Limits::default() }).unwrap_err();
    // keys count too: the first key longer than 5 bytes
    assert_eq!(e.path(), Some("/schemaVersion"));
    let e = CompiledPlan::from_json_with_limits(text, Limits { max_depth: 3, ..Limits::default() }).unwrap_err();
    assert_eq!(e.code(), "LIMIT_EXCEEDED");
    assert!(e.to_string().contains("max_depth"), "{e}");
    // the same plan within the limits, and raised limits
    assert!(CompiledPlan::from_json_with_limits(text, Limits::unlimited()).is_ok());
    // transactions per call: evaluation, sessions, CSV
    let plan = CompiledPlan::from_json_with_limits(text, Limits { max_transactions: 2, ..Limits::default() }).unwrap();
    let three: Vec<Transaction> = (0..3).map(|i| txn(i, &(0, 100, 10, 0, true, false, None))).collect();
    let e = plan.evaluate(&inputs(three.clone()), "Q1").unwrap_err();
    assert_eq!((e.code(), e.path()), ("LIMIT_EXCEEDED", Some("/transactions/2")));
    let e = Session::open(&plan, &inputs(three), "ae-ana", "Q1").unwrap_err();
    assert_eq!(e.path(), Some("/transactions/2"));
    let csv = "id,owner,amount,close_date\nA,ae-ana,1,2025-01-02\nB,ae-ana,1,2025-01-02\nC,ae-ana,1,2025-01-02\n";
    let e = payplan::import::transactions_from_csv_with_limits(
        csv.as_bytes(),
        &payplan::import::ColumnMap::new(),
        &Limits { max_transactions: 2, ..Limits::default() },
    )
    .unwrap_err();
    assert_eq!((e.code(), e.path()), ("LIMIT_EXCEEDED", Some("/transactions/2")));
    let e = payplan::import::transactions_from_csv_with_limits(
        csv.as_bytes(),
        &payplan::import::ColumnMap::new(),
        &Limits { max_string_bytes: 3, ..Limits::default() },
    )
    .unwrap_err();
    assert_eq!((e.code(), e.path()), ("LIMIT_EXCEEDED", Some("/transactions/0")));
    // validate() reports an exceeded default limit as one diagnostic, without validating further
    let mut big = Plan::from_json(text).unwrap();
    let c = big.components[0].clone();
    big.components = vec![c; 501];
    let d = payplan::validate(&big);
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].code.as_str(), d[0].path.as_str()), ("LIMIT_EXCEEDED", "/components/500"));
    assert_eq!(evaluate(&big, &Inputs::default(), "Q1").unwrap_err().code(), "LIMIT_EXCEEDED");
}

/// The state an evaluation keeps for the payees (a figure per payee, measure and period, a state
/// per payee and component) is bounded by `max_cells`: a plan within every other default limit can
/// otherwise ask for gigabytes, which in WebAssembly ends the instance instead of giving an error.
#[test]
fn the_state_of_an_evaluation_is_bounded() {
    let text = payplan::sample::SAMPLE_PLAN_JSON;
    // the sample plan: 4 payees × (2 measures × 4 quarters + 3 components) = 44 cells
    assert!(CompiledPlan::from_json_with_limits(text, Limits { max_cells: 44, ..Limits::default() }).is_ok());
    let e = CompiledPlan::from_json_with_limits(text, Limits { max_cells: 43, ..Limits::default() }).unwrap_err();
    assert_eq!((e.code(), e.path()), ("LIMIT_EXCEEDED", Some("")));
    let says = "44 cells of state per evaluation (payees × (measures × periods + components)), more than 43 \
                (the limit `max_cells`)";
    assert!(e.to_string().ends_with(says), "{e}");
    // 100,000 payees and 25 monthly measures, within every other default limit: 100,000 × (25 × 12
    // + 3) = 30,300,000 cells (over 1 GB), refused when compiled, validated or evaluated
    let mut big = Plan::from_json(text).unwrap();
    big.calendar.period_type = payplan::calendar::PeriodType::Month;
    let (payee, measure) = (big.payees[1].clone(), big.measures[1].clone());
    big.payees.extend((4..100_000).map(|i| payplan::plan::Payee { id: format!("p{i}"), ..payee.clone() }));
    big.measures.extend((2..25).map(|i| payplan::plan::Measure { id: format!("m{i}"), ..measure.clone() }));
    (big.quotas, big.payments.draws) = (Vec::new(), Vec::new());
    let e = CompiledPlan::new(big.clone()).unwrap_err();
    assert_eq!((e.code(), e.path()), ("LIMIT_EXCEEDED", Some("")));
    assert!(e.to_string().contains(": 30300000 cells"), "{e}");
    let d = payplan::validate(&big);
    assert_eq!((d.len(), d[0].code.as_str()), (1, "LIMIT_EXCEEDED"));
    assert_eq!(evaluate(&big, &Inputs::default(), "M01").unwrap_err().code(), "LIMIT_EXCEEDED");
    // 8 measures: 100,000 × (8 × 12 + 3) = 9,900,000 cells, within the default
    big.measures.truncate(8);
    assert!(CompiledPlan::new(big).is_ok());
}

/// Limits read from JSON (what the JavaScript package passes): every name, the defaults for the
/// names left out, and an error with a pointer for anything else.
#[test]
fn limits_read_from_json() {
    let all = r#"{"maxPlanBytes": 1, "maxInputsBytes": 2, "maxDepth": 3, "maxStringBytes": 4,
        "maxComponents": 5, "maxBands": 6, "maxPayees": 7, "maxMeasures": 8, "maxPeriods": 9,
        "maxTransactions": 10, "maxCells": 11}"#;
    let want = Limits {
        max_plan_bytes: 1,
        max_inputs_bytes: 2,
        max_depth: 3,
        max_string_bytes: 4,
        max_components: 5,
        max_bands: 6,
        max_payees: 7,
        max_measures: 8,
        max_periods: 9,
        max_transactions: 10,
        max_cells: 11,
    };
    assert_eq!(Limits::from_json(all).unwrap(), want);
    assert_eq!(Limits::from_json("{}").unwrap(), Limits::default());
    assert_eq!(Limits::from_json(r#"{"maxPayees": null}"#).unwrap(), Limits::default());
    // beyond usize (on 64-bit, u64::MAX fits): no limit
    let big = Limits::from_json(r#"{"maxTransactions": 18446744073709551615, "maxDepth": 127}"#).unwrap();
    assert_eq!((big.max_transactions as u64, big.max_depth), (u64::MAX, 127));
    for (text, path, says) in [
        (r#"{"maxTransaction": 5}"#, "/maxTransaction", "unknown field `maxTransaction`"),
        (r#"{"maxPayees": -1}"#, "/maxPayees", "expected a non-negative integer"),
        (r#"{"maxPayees": 1.5}"#, "/maxPayees", "expected a non-negative integer"),
        (r#"{"maxPayees": "10"}"#, "/maxPayees", "expected a non-negative integer"),
        (r#"{"maxDepth": 128}"#, "/maxDepth", "expected at most 127"),
        (r#"{"maxDepth": 4294967296}"#, "/maxDepth", "expected at most 127"),
        (r#"[1]"#, "", "expected an object"),
        (r#"{"maxPayees": 1"#, "/maxPayees", "EOF while parsing an object"),
    ] {
        let e = Limits::from_json(text).unwrap_err();
        assert_eq!((e.code(), e.path()), ("PARSE_ERROR", Some(path)), "{text}: {e}");
        assert!(e.to_string().contains(says), "{text}: {e}");
    }
    // a plan compiled under limits read from JSON reads its inputs under them
    let limits = Limits::from_json(r#"{"maxTransactions": 1}"#).unwrap();
    let plan = CompiledPlan::from_json_with_limits(payplan::sample::SAMPLE_PLAN_JSON, limits).unwrap();
    let inputs = r#"{"transactions": [
      {"id": "A", "owner": "ae-ana", "amount": "1", "closeDate": "2025-01-02"},
      {"id": "B", "owner": "ae-ana", "amount": "1", "closeDate": "2025-01-03"}]}"#;
    let e = plan.evaluate_json(inputs, "Q1").unwrap_err();
    assert_eq!((e.code(), e.path()), ("LIMIT_EXCEEDED", Some("/transactions/1")));
}
