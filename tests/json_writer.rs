//! `Evaluation::to_json` is written by hand (`src/statement/write.rs`, without serde): it must write
//! exactly the bytes of `serde_json::to_string` over the types' derived `Serialize`, which is what
//! it wrote before and what the golden outputs hold. Compared here:
//! - on every golden vector, with full and summary detail (and the errors' JSON text);
//! - on the sample plan over generated transactions in every period, with awkward strings (quotes,
//!   backslashes, control characters, non-ASCII) in ids, names and products, converted currencies,
//!   rejected and excluded transactions, clawbacks, draws and warnings;
//! - on engine runs over random transactions, and on evaluations built field by field from random
//!   values (every optional field present or absent, any decimal, any date, any string);
//! - on preview sessions (`Session::preview_json`, `upsert_json`) opened for every payee of every
//!   golden vector, incremental and replay, and on the sample plan with awkward strings.

mod common;

use chrono::NaiveDate;
use payplan::inputs::{Detail, Split};
use payplan::session::Session;
use payplan::statement::*;
use payplan::{CompiledPlan, Evaluation, Inputs, Transaction};
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::path::PathBuf;

fn same(ev: &Evaluation, what: &str) {
    let serde = serde_json::to_string(ev).expect("serde_json");
    let ours = ev.to_json();
    if ours != serde {
        let at = ours.bytes().zip(serde.bytes()).position(|(a, b)| a != b).unwrap_or(ours.len().min(serde.len()));
        let from = at.saturating_sub(80);
        panic!(
            "{what}: the writer differs from serde_json at byte {at}:\n ours: {}\nserde: {}",
            String::from_utf8_lossy(&ours.as_bytes()[from..(at + 80).min(ours.len())]),
            String::from_utf8_lossy(&serde.as_bytes()[from..(at + 80).min(serde.len())])
        );
    }
}

#[test]
fn every_golden_vector_full_and_summary() {
    let (mut evaluations, mut errors) = (0, 0);
    for common::PlanVector { path, name, plan, inputs, period } in common::plan_vectors() {
        let period = period.as_str();
        let what = path.display().to_string();
        let compiled = match CompiledPlan::from_json(&plan.to_string()) {
            Ok(c) => c,
            Err(e) => {
                assert_eq!(e.to_json_text(), e.to_json().to_string(), "{what}");
                errors += 1;
                continue;
            }
        };
        for detail in [Detail::Full, Detail::Summary] {
            let mut inputs = match Inputs::from_json(&inputs.to_string()) {
                Ok(i) => i,
                Err(e) => {
                    assert_eq!(e.to_json_text(), e.to_json().to_string(), "{what}");
                    errors += 1;
                    break;
                }
            };
            inputs.options.detail = detail;
            match compiled.evaluate(&inputs, period) {
                Ok(ev) => {
                    same(&ev, &format!("{what} ({detail:?})"));
                    // and the bytes the golden outputs hold
                    if detail == Detail::Full && inputs.options == Default::default() {
                        let out = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                            .join("tests/vectors/out")
                            .join(format!("{name}.json"));
                        if let Ok(want) = std::fs::read_to_string(&out) {
                            assert_eq!(ev.to_json(), want.trim_end_matches('\n'), "{}", out.display());
                        }
                    }
                    evaluations += 1;
                }
                Err(e) => {
                    assert_eq!(e.to_json_text(), e.to_json().to_string(), "{what}");
                    errors += 1;
                }
            }
        }
    }
    assert!(evaluations >= 120, "{evaluations} evaluations compared");
    assert!(errors >= 1, "{errors} errors compared");
}

fn same_text(ours: &str, serde: &str, what: &str) {
    assert!(ours == serde, "{what}: the writer differs from serde_json:\n ours: {ours}\nserde: {serde}");
}

/// Previews and changes of a session through the writer (`preview_json`, `upsert_json`) and
/// through serde_json (`preview`, `upsert` serialized): for each transaction of the inputs with a
/// new amount, a new deal with an awkward id, then the same as changes.
fn check_session(plan: &CompiledPlan, inputs: &Inputs, payee: &str, period: &str, what: &str) -> usize {
    let Ok(mut session) = Session::open(plan, inputs, payee, period) else { return 0 };
    let mut edits: Vec<Transaction> = inputs.transactions.iter().take(6).cloned().collect();
    for t in &mut edits {
        t.amount = t.amount * Decimal::new(15, 1) + Decimal::new(1, 2);
    }
    if let Some(first) = inputs.transactions.first() {
        let mut t = first.clone();
        t.id = format!("new {} \"q\" \\ \u{1} é", AWKWARD[2]);
        t.owner = Some(payee.to_string());
        t.splits.clear();
        edits.push(t);
    }
    let mut checked = 0;
    for t in &edits {
        let text = serde_json::to_string(t).unwrap();
        if let (Ok(ours), Ok(p)) = (session.preview_json(&text), session.preview(t)) {
            same_text(&ours, &serde_json::to_string(&p).unwrap(), &format!("{what}: preview {}", t.id));
            checked += 1;
        }
    }
    for t in edits {
        let text = serde_json::to_string(&t).unwrap();
        let mut twin = Session::open(plan, &session.inputs(), payee, period).unwrap();
        if let (Ok(ours), Ok(p)) = (session.upsert_json(&text), twin.upsert(t)) {
            same_text(&ours, &serde_json::to_string(&p).unwrap(), &format!("{what}: upsert"));
            checked += 1;
        }
    }
    checked
}

#[test]
fn sessions_of_every_golden_vector_and_of_awkward_data() {
    let (mut checked, mut replays) = (0, 0);
    for common::PlanVector { path, plan, inputs, period, .. } in common::plan_vectors() {
        let Ok(compiled) = CompiledPlan::from_json(&plan.to_string()) else { continue };
        let Ok(inputs) = Inputs::from_json(&inputs.to_string()) else {
            continue;
        };
        let period = period.as_str();
        for payee in &compiled.plan().payees {
            if let Ok(s) = Session::open(&compiled, &inputs, &payee.id, period) {
                replays += usize::from(s.replay_reason().is_some());
            }
            checked += check_session(&compiled, &inputs, &payee.id, period, &path.display().to_string());
        }
    }
    let plan = CompiledPlan::from_json(&awkward_plan().to_string()).unwrap();
    let inputs = Inputs { transactions: awkward_transactions(120, 3), ..Default::default() };
    for payee in ["ae-ana", "ae-ben", "ae-zoe", "mgr-maya"] {
        for period in ["Q1", "Q3"] {
            checked += check_session(&plan, &inputs, payee, period, &format!("awkward {payee} {period}"));
        }
    }
    assert!(checked >= 1000 && replays > 0, "{checked} previews and changes compared, {replays} replay sessions");
}

/// Strings that need every kind of escape, and some that need none.
const AWKWARD: [&str; 8] = [
    "plain",
    "quote \" and backslash \\",
    "tab\tnew line\ncarriage\rback\u{8}form\u{c}",
    "nul \u{0} unit \u{1f} del \u{7f}",
    "é ü ß — 中文 😀",
    "\u{2028}\u{2029}\u{feff}",
    "\\u0041 not an escape",
    "\"",
];

/// The sample plan with an awkward name and payee, euro deals converted, a draw and clawbacks.
fn awkward_plan() -> Value {
    let mut plan: Value = serde_json::from_str(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
    plan["name"] = json!(AWKWARD.join(" | "));
    plan["version"] = json!("v\"1\"\\\u{1}é");
    plan["fx"] = json!({ "base": "USD", "rates": [
        { "currency": "EUR", "rate": "0.9259", "from": "2025-01-01", "to": "2025-05-31" },
        { "currency": "EUR", "rate": "0.875", "from": "2025-06-01" }
    ] });
    // cancelled deals taken out of attainment: reversal lines
    plan["payments"]["clawback"]["attainment"] = json!("reduce");
    // an AE without a quota: attainment undefined, a warning on the statement
    let payees = plan["payees"].as_array_mut().unwrap();
    payees[1]["name"] = json!(AWKWARD[2]);
    payees[2]["name"] = json!(AWKWARD[4]);
    payees.push(json!({ "id": "ae-zoe", "name": AWKWARD[1], "role": "AE", "reportsTo": [{ "manager": "mgr-maya" }] }));
    plan
}

fn awkward_transactions(count: usize, seed: u64) -> Vec<Transaction> {
    let cfg = payplan::sample::GeneratorConfig {
        seed,
        count,
        owners: vec!["ae-ana".into(), "ae-ben".into(), "ae-chen".into(), "ae-zoe".into()],
        products: vec!["Platform".into(), AWKWARD[1].into(), AWKWARD[3].into()],
        ..Default::default()
    };
    let mut txns = payplan::sample::generate(&cfg);
    for (i, t) in txns.iter_mut().enumerate() {
        match i % 11 {
            // ids with every escape
            0 => t.id = format!("{} #{i}", AWKWARD[i / 11 % AWKWARD.len()]),
            // converted from euros
            1 | 2 => t.currency = Some("EUR".into()),
            // rejected: unknown currency, unknown owner, no date, bad split
            3 => t.currency = Some("XXX".into()),
            4 => t.owner = Some(format!("ghost {}", AWKWARD[3])),
            5 if i % 2 == 0 => t.close_date = None,
            5 => {
                t.splits = vec![
                    Split { payee: "ae-ana".into(), percent: Decimal::from(60) },
                    Split { payee: "ae-ben".into(), percent: Decimal::from(60) },
                ]
            }
            // excluded: outside the plan year
            6 => t.close_date = NaiveDate::from_ymd_opt(2026, 3, 1),
            // long decimals and negative amounts
            7 => t.amount = Decimal::new(-123_456_789, 4),
            8 => t.amount = Decimal::from_i128_with_scale(7_922_816_251_426_433_759, 18),
            _ => {}
        }
    }
    txns
}

#[test]
fn sample_data_with_awkward_strings_in_every_period() {
    let plan = CompiledPlan::from_json(&awkward_plan().to_string()).unwrap();
    let mut inputs = Inputs { transactions: awkward_transactions(400, 7), ..Default::default() };
    let mut seen = (0, 0, 0, 0, 0, 0);
    for detail in [Detail::Full, Detail::Summary] {
        inputs.options.detail = detail;
        for period in ["Q1", "Q2", "Q3", "Q4"] {
            let ev = plan.evaluate(&inputs, period).unwrap();
            same(&ev, &format!("{period} {detail:?}"));
            let lines = ev.statements.iter().flat_map(|s| &s.credits);
            seen.0 += lines.clone().filter(|l| l.fx.is_some()).count();
            seen.1 += lines.filter(|l| l.reversal).count();
            seen.2 += ev.statements.iter().map(|s| s.adjustments.len() + s.warnings.len()).sum::<usize>();
            seen.3 += ev.rejected.len();
            seen.4 += ev.excluded.len();
            seen.5 += ev.statements.iter().flat_map(|s| &s.credits).filter(|l| l.transaction.contains('"')).count();
        }
    }
    let (fx, reversals, adjustments_and_warnings, rejected, excluded, quoted) = seen;
    assert!(fx > 0 && reversals > 0 && adjustments_and_warnings > 0, "{seen:?}");
    assert!(rejected > 0 && excluded > 0 && quoted > 0, "{seen:?}");
}

/// The benchmark's shape: many payees, many lines (the writer's speed matters there).
#[test]
fn a_large_generated_batch() {
    let plan = payplan::sample::sample_plan().unwrap();
    let inputs = Inputs {
        transactions: payplan::sample::generate(&payplan::sample::GeneratorConfig {
            count: 3000,
            ..Default::default()
        }),
        ..Default::default()
    };
    for period in ["Q1", "Q4"] {
        same(&payplan::evaluate(&plan, &inputs, period).unwrap(), period);
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,12}",
        prop::collection::vec(
            prop_oneof![Just('"'), Just('\\'), (0u8..0x20).prop_map(char::from), Just('\u{7f}'), any::<char>()],
            0..8
        )
        .prop_map(|c| c.into_iter().collect()),
    ]
}

fn decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (any::<i64>(), 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s)),
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<bool>(), 0u32..=28)
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
    ]
}

fn date() -> impl Strategy<Value = NaiveDate> {
    // years from about -2200 to 11000 (outside 0..=9999 chrono writes a signed year)
    (-800_000i32..4_000_000).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap())
}

fn tally() -> impl Strategy<Value = Tally> {
    (any::<u64>(), prop::collection::btree_map(text(), decimal(), 0..3))
        .prop_map(|(count, amounts)| Tally { count, amounts })
}

fn credit_line() -> impl Strategy<Value = CreditLine> {
    (
        (text(), text(), decimal(), decimal(), decimal(), decimal()),
        date(),
        prop::option::of((decimal(), text(), decimal(), date())),
        any::<bool>(),
        text(),
    )
        .prop_map(|((transaction, rule, share, amount, quantity, deals), credit_date, fx, reversal, trace)| {
            CreditLine {
                transaction,
                rule,
                share,
                amount,
                quantity,
                deals,
                credit_date,
                fx: fx.map(|(amount, currency, rate, rate_date)| FxNote { amount, currency, rate, rate_date }),
                reversal,
                trace,
            }
        })
}

fn figures() -> impl Strategy<Value = Figures> {
    (decimal(), prop::option::of(decimal()), prop::option::of(decimal()))
        .prop_map(|(value, quota, attainment)| Figures { value, quota, attainment })
}

fn component() -> impl Strategy<Value = ComponentResult> {
    let band = (any::<usize>(), decimal(), text(), decimal()).prop_map(|(band, credit, rate, amount)| BandSlice {
        band,
        credit,
        rate,
        amount,
    });
    let line = (text(), decimal(), prop::collection::vec(band, 0..3), decimal(), text())
        .prop_map(|(transaction, credit, bands, amount, trace)| PayLine { transaction, credit, bands, amount, trace });
    let step = (text(), decimal(), text()).prop_map(|(kind, amount, trace)| Step { kind, amount, trace });
    (
        text(),
        text(),
        decimal(),
        prop::collection::vec(line, 0..3),
        prop::collection::vec(step, 0..3),
        prop::collection::vec(text(), 0..3),
    )
        .prop_map(|(component, kind, amount, lines, steps, trace)| ComponentResult {
            component,
            kind,
            amount,
            lines,
            steps,
            trace,
        })
}

fn statement() -> impl Strategy<Value = Statement> {
    let measure = (text(), figures(), figures()).prop_map(|(measure, period, year_to_date)| MeasureResult {
        measure,
        period,
        year_to_date,
    });
    let adjustment =
        (text(), prop::option::of(text()), prop::option::of(text()), prop::option::of(text()), decimal(), text())
            .prop_map(|(kind, component, transaction, period, amount, trace)| Adjustment {
                kind,
                component,
                transaction,
                period,
                amount,
                trace,
            });
    let note = (text(), text()).prop_map(|(code, message)| Note { code, message });
    (
        (text(), prop::option::of(text()), text(), text()),
        prop::collection::vec(credit_line(), 0..3),
        prop::collection::vec(measure, 0..2),
        prop::collection::vec(component(), 0..2),
        (decimal(), prop::collection::vec(adjustment, 0..3), decimal()),
        (decimal(), decimal(), decimal()),
        prop::collection::vec(note, 0..2),
    )
        .prop_map(
            |(
                (payee, name, role, period),
                credits,
                measures,
                components,
                (earnings, adjustments, payout),
                b,
                warnings,
            )| {
                Statement {
                    payee,
                    name,
                    role,
                    period,
                    credits,
                    measures,
                    components,
                    earnings,
                    adjustments,
                    payout,
                    balances: Balances { draw_balance: b.0, held_back: b.1, carried_forward: b.2 },
                    warnings,
                }
            },
        )
}

fn evaluation() -> impl Strategy<Value = Evaluation> {
    let reason = (text(), text(), text()).prop_map(|(code, path, message)| Reason { code, path, message });
    let excluded = (text(), any::<usize>(), prop::collection::vec(reason, 0..3))
        .prop_map(|(transaction, index, reasons)| Excluded { transaction, index, reasons });
    let rejected = (text(), any::<usize>(), text(), text(), text())
        .prop_map(|(transaction, index, code, path, message)| Rejected { transaction, index, code, path, message });
    (
        (any::<u32>(), text(), prop::option::of(text()), text()),
        (text(), any::<usize>(), date(), date()),
        prop::collection::vec(statement(), 0..3),
        (tally(), tally(), tally(), tally(), tally(), any::<bool>()),
        prop::collection::vec(excluded, 0..3),
        prop::collection::vec(rejected, 0..3),
    )
        .prop_map(
            |(
                (schema_version, plan, plan_version, currency),
                (id, index, start, end),
                statements,
                a,
                excluded,
                rejected,
            )| {
                Evaluation {
                    schema_version,
                    plan,
                    plan_version,
                    period: payplan::calendar::Period { id, index, start, end },
                    currency,
                    statements,
                    accounting: Accounting {
                        input: a.0,
                        credited: a.1,
                        credited_in_period: a.2,
                        excluded: a.3,
                        rejected: a.4,
                        balanced: a.5,
                    },
                    excluded,
                    rejected,
                }
            },
        )
}

/// (owner, cents, scale, day of year, product, currency, id)
type Spec = (usize, i64, u32, i64, usize, usize, String);

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any evaluation, field by field.
    #[test]
    fn any_evaluation_is_written_as_serde_writes_it(ev in evaluation()) {
        same(&ev, "generated");
    }

    /// The engine's output over random transactions with random ids.
    #[test]
    fn engine_output_over_random_transactions(
        specs in prop::collection::vec((0usize..5, -5_000_000i64..50_000_000, 0u32..5, -30i64..400, 0usize..3, 0usize..3, text()), 1..25),
        summary: bool,
        period in 0usize..4,
    ) {
        let plan = CompiledPlan::from_json(&awkward_plan().to_string()).unwrap();
        let owners = ["ae-ana", "ae-ben", "ae-chen", "ae-zoe", "nobody"];
        let products = ["Platform", AWKWARD[1], AWKWARD[4]];
        let currencies = ["USD", "EUR", "XXX"];
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let transactions = specs
            .iter()
            .enumerate()
            .map(|(i, s): (usize, &Spec)| Transaction {
                id: format!("{}{i}", s.6),
                owner: Some(owners[s.0].into()),
                amount: Decimal::new(s.1, s.2),
                currency: Some(currencies[s.5].into()),
                close_date: Some(start + chrono::Duration::days(s.3)),
                product: Some(products[s.4].into()),
                kind: Some("new".into()),
                cancellation_date: (i % 4 == 0).then(|| start + chrono::Duration::days(s.3 + 20)),
                ..Default::default()
            })
            .collect();
        let mut inputs = Inputs { transactions, ..Default::default() };
        if summary {
            inputs.options.detail = Detail::Summary;
        }
        let ev = plan.evaluate(&inputs, ["Q1", "Q2", "Q3", "Q4"][period]).unwrap();
        same(&ev, "engine");
    }
}
