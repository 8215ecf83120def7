//! Transactions as columns (`payplan::columns`): rows read back exactly, and an evaluation of
//! columns (`CompiledPlan::evaluate_columns`, and `evaluate_json`, which reads its text into
//! columns) is byte for byte the evaluation of the same transactions as a list. Which path a case
//! takes (credited in place, or read back as a list) is checked too, so that a fast path that
//! silently never runs fails here.

mod common;

use payplan::columns::TransactionColumns;
use payplan::inputs::{Detail, Split, Transaction};
use payplan::sample::{generate, GeneratorConfig};
use payplan::{CompiledPlan, Inputs};
use serde_json::json;

fn date(s: &str) -> Option<chrono::NaiveDate> {
    Some(s.parse().unwrap())
}

#[test]
fn rows_read_back_exactly() {
    let full = Transaction {
        id: "D-1".into(),
        owner: Some("ae-ana".into()),
        amount: "-1200.500".parse().unwrap(),
        currency: Some("EUR".into()),
        quantity: Some("3".parse().unwrap()),
        close_date: date("2025-02-14"),
        booking_date: date("2025-02-15"),
        invoice_date: date("2025-02-16"),
        payment_date: date("2025-03-01"),
        cancellation_date: date("2025-04-01"),
        refund_amount: Some("100.00".parse().unwrap()),
        product: Some("Platform".into()),
        kind: Some("new".into()),
        region: Some("EMEA".into()),
        splits: vec![
            Split { payee: "ae-ana".into(), percent: "60".parse().unwrap() },
            Split { payee: "ae-ben".into(), percent: "40.0".parse().unwrap() },
        ],
        attributes: [("segment".to_string(), "EMEA".to_string()), ("tier".to_string(), "gold".to_string())]
            .into_iter()
            .collect(),
    };
    let bare = Transaction { id: String::new(), amount: "0".parse().unwrap(), ..Default::default() };
    let unicode = Transaction {
        id: "Ü-2 ✓".into(),
        owner: Some("ae-ben".into()),
        amount: "5".parse().unwrap(),
        product: Some("EMEA".into()),
        ..Default::default()
    };
    let list = vec![full.clone(), bare.clone(), unicode.clone(), full.clone()];
    let columns = TransactionColumns::from(list.as_slice());
    assert_eq!(columns.len(), 4);
    assert!(!columns.is_empty());
    assert_eq!(columns.to_transactions(), list);
    assert_eq!(columns.get(2), Some(unicode));
    assert_eq!(columns.get(4), None);
    // ae-ana, EUR, Platform, new, EMEA, ae-ben, segment, tier, gold: each once ("EMEA" serves
    // as a region, an attribute value and a product)
    assert_eq!(columns.distinct_strings(), 9);
    let collected: TransactionColumns = list.iter().cloned().collect();
    assert_eq!(collected, columns);
    assert!(TransactionColumns::new().is_empty());
}

/// The benchmark plan (the sample plan, five AEs under one manager).
fn bench_plan() -> CompiledPlan {
    CompiledPlan::from_json(&bench_plan_json().to_string()).unwrap()
}

fn bench_plan_json() -> serde_json::Value {
    let mut plan: serde_json::Value = serde_json::from_str(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
    let mut payees = vec![json!({ "id": "mgr", "role": "Manager" })];
    let mut quotas = vec![json!({ "payee": "mgr", "measure": "team-bookings", "annual": "4000000" })];
    for i in 0..5 {
        payees.push(json!({ "id": format!("ae-{i}"), "role": "AE", "reportsTo": [{ "manager": "mgr" }] }));
        quotas.push(json!({ "payee": format!("ae-{i}"), "measure": "bookings", "annual": "800000" }));
    }
    plan["payees"] = serde_json::Value::Array(payees);
    plan["quotas"] = serde_json::Value::Array(quotas);
    plan["payments"] = json!({});
    plan
}

fn q1_data(count: usize) -> Vec<Transaction> {
    generate(&GeneratorConfig {
        count,
        owners: (0..5).map(|i| format!("ae-{i}")).collect(),
        days: 90,
        cancel_every: 0,
        ..Default::default()
    })
}

fn summary() -> Inputs {
    let mut rest = Inputs::default();
    rest.options.detail = Detail::Summary;
    rest
}

/// The columns' evaluation of `list` (with `rest`'s other inputs): whether it was credited in
/// place, after checking that it is the list's evaluation, byte for byte.
fn in_place(plan: &CompiledPlan, list: &[Transaction], rest: &Inputs, period: &str) -> bool {
    let columns: TransactionColumns = list.iter().collect();
    let as_list = plan.evaluate(&Inputs { transactions: list.to_vec(), ..rest.clone() }, period).unwrap();
    let by_columns = plan.evaluate_columns(&columns, rest, period).unwrap();
    assert_eq!(by_columns.to_json(), as_list.to_json());
    let direct = plan.evaluate_columns_in_place(&columns, rest, period, &mut payplan::Workspace::new()).unwrap();
    if let Some(ev) = &direct {
        assert_eq!(ev.to_json(), as_list.to_json());
    }
    direct.is_some()
}

#[test]
fn summaries_are_credited_in_place_whatever_the_rows() {
    let plan = bench_plan();
    let data = q1_data(500);
    assert!(in_place(&plan, &data, &summary(), "Q1"));
    // a later quarter: Q1's rows are earlier, still plainly credited
    assert!(in_place(&plan, &data, &summary(), "Q2"));
    // full detail needs every line's trace: the engine's own crediting
    assert!(!in_place(&plan, &data, &Inputs::default(), "Q1"));
    // rows that are not plain are read back one by one and credited (or excluded, or rejected)
    // by the engine's crediting: the same evaluation, still from the columns
    let odd: [fn(&mut Transaction); 8] = [
        |t| t.id = "S-00003".into(),                      // a repeated id (rejected)
        |t| t.currency = Some("EUR".into()),              // a foreign currency (no rate: rejected)
        |t| t.close_date = date("2025-05-01"),            // after Q1 (not credited yet)
        |t| t.owner = Some("nobody".into()),              // not a payee (rejected)
        |t| t.close_date = None,                          // no credit date
        |t| t.refund_amount = Some("1".parse().unwrap()), // a refund
        |t| t.cancellation_date = date("2025-01-01"),     // cancelled before it closed
        |t| t.id = " ".into(),                            // a blank id
    ];
    for (k, change) in odd.iter().enumerate() {
        let mut list = data.clone();
        change(&mut list[7]);
        assert!(in_place(&plan, &list, &summary(), "Q1"), "case {k}");
    }
    // a year of data evaluated for Q1: three quarters of the rows are not credited yet
    let year = generate(&GeneratorConfig {
        count: 400,
        owners: (0..5).map(|i| format!("ae-{i}")).collect(),
        cancel_every: 9,
        ..Default::default()
    });
    assert!(in_place(&plan, &year, &summary(), "Q1"));
    // strict mode: the first rejected row fails the evaluation, as it does the list's
    let mut list = data.clone();
    list[9].owner = Some("nobody".into());
    list[12].owner = Some("nobody either".into());
    let mut strict = summary();
    strict.options.strict = true;
    let columns: TransactionColumns = list.iter().collect();
    let e = plan.evaluate_columns(&columns, &strict, "Q1").unwrap_err();
    let listed = plan.evaluate(&Inputs { transactions: list.clone(), ..strict.clone() }, "Q1").unwrap_err();
    assert_eq!(e.to_string(), listed.to_string());
    assert_eq!(e.code(), "TRANSACTION_REJECTED");
    assert!(e.to_string().contains(&list[9].id), "{e}");
}

/// What an evaluation keeps of the rows (their processing order, whether ids repeat) serves the
/// next evaluation of the same columns, by another plan or for another period, and is dropped
/// when a row is added: every evaluation is still the list's.
#[test]
fn what_an_evaluation_keeps_of_the_rows() {
    let plan = bench_plan();
    let mut list = q1_data(300);
    let mut columns: TransactionColumns = list.iter().collect();
    let same = |columns: &TransactionColumns, list: &[Transaction], period: &str, plan: &CompiledPlan| {
        let as_list = plan.evaluate(&Inputs { transactions: list.to_vec(), ..summary() }, period).unwrap();
        assert_eq!(
            plan.evaluate_columns(columns, &summary(), period).unwrap().to_json(),
            as_list.to_json(),
            "{period}"
        );
    };
    for period in ["Q1", "Q1", "Q2"] {
        same(&columns, &list, period, &plan);
    }
    // a row that comes first in the order, then one that repeats an id: pushed after evaluations
    let mut early = list[3].clone();
    early.id = "A-first".into();
    early.close_date = date("2025-01-01");
    early.amount = "400000".parse().unwrap();
    let repeated = Transaction { amount: "90000".parse().unwrap(), ..list[5].clone() };
    for t in [early, repeated] {
        columns.push(&t);
        list.push(t);
        same(&columns, &list, "Q1", &plan);
        same(&columns, &list, "Q1", &plan);
    }
    // another plan crediting on booking dates, the same columns (the order is kept per field)
    let mut booking = bench_plan_json();
    booking["crediting"]["creditDate"] = json!("booking");
    let booking = CompiledPlan::from_json(&booking.to_string()).unwrap();
    let mut list: Vec<Transaction> = q1_data(300);
    for (i, t) in list.iter_mut().enumerate() {
        // booking dates in another order than the close dates
        t.booking_date = t.close_date.map(|d| d + chrono::Duration::days(i64::try_from((i * 37) % 29).unwrap()));
    }
    let columns: TransactionColumns = list.iter().collect();
    for (p, period) in [(&booking, "Q1"), (&plan, "Q1"), (&booking, "Q1"), (&plan, "Q2")] {
        same(&columns, &list, period, p);
    }
    // the accounting's sums per currency (kept with the columns): rows that name the plan's
    // currency, and rows without one, which count in it, added together in row order; amounts of
    // several scales whose sum passes through zero (where a decimal sum's scale depends on order)
    let mut list: Vec<Transaction> = q1_data(60);
    for (i, t) in list.iter_mut().enumerate() {
        t.amount = ["1.5", "-1.5", "2.25", "-2.250", "3", "0.000"][i % 6].parse().unwrap();
    }
    for named in [0, 1, 3] {
        let mut list = list.clone();
        for (i, t) in list.iter_mut().enumerate() {
            // (none, all, or every third row names the plan's currency)
            t.currency = (named != 0 && i % named == 0).then(|| "USD".to_string());
        }
        let columns: TransactionColumns = list.iter().collect();
        for _ in 0..2 {
            same(&columns, &list, "Q1", &plan);
        }
    }
}

/// Three deals of the one AE of `common::one_ae_tiers`, out of date order (the kernel orders each
/// payee's lines by date): 110,000.24 in Q1, paid 6,000.02 (worked out below).
fn hand_checked_rows() -> [Transaction; 3] {
    let row = |id: &str, amount: &str, day: &str| Transaction {
        id: id.into(),
        owner: Some("ae".into()),
        amount: amount.parse().unwrap(),
        close_date: date(day),
        ..Default::default()
    };
    [row("c", "0.09", "2025-03-10"), row("a", "60000.10", "2025-01-10"), row("b", "50000.05", "2025-02-10")]
}

#[test]
fn a_hand_checked_statement_from_columns() {
    // one AE, quota 100,000 for the quarter, 5% to 100% of quota and 10% above, half-even per line
    let plan = CompiledPlan::from_json(&common::one_ae_tiers().to_string()).unwrap();
    let columns: TransactionColumns = hand_checked_rows().iter().collect();
    let ev = plan
        .evaluate_columns_in_place(&columns, &summary(), "Q1", &mut payplan::Workspace::new())
        .unwrap()
        .expect("credited in place");
    // a: 60,000.10 × 5% = 3,000.005 -> 3,000.00 (half-even)
    // b: 39,999.90 × 5% + 10,000.15 × 10% = 1,999.995 + 1,000.015 = 3,000.01
    // c: 0.09 × 10% = 0.009 -> 0.01
    assert_eq!(ev.statements[0].payout.to_string(), "6000.02");
    assert_eq!(ev.accounting.credited.count, 3);
    assert_eq!(ev.accounting.input.amounts["USD"].to_string(), "110000.24");
    assert!(ev.accounting.balanced);
}

/// A workspace (`evaluate_columns_with`) keeps the kernel's lists from one evaluation for the
/// next and nothing else: a sequence of evaluations through one workspace (larger and smaller
/// tables, other periods, another plan, rows whose lines the kernel groups by its slower path,
/// an evaluation the kernel leaves to the engine) gives each the bytes of a fresh evaluation.
#[test]
fn a_workspace_carries_nothing_from_one_evaluation_to_the_next() {
    let bench = bench_plan();
    let tiers = CompiledPlan::from_json(&common::one_ae_tiers().to_string()).unwrap();
    // the hand-checked rows of `a_hand_checked_statement_from_columns`: 6,000.02
    let hand = hand_checked_rows();
    let big = q1_data(3000);
    let small = q1_data(40);
    // a repeated id: the lines are grouped by the slower path (no rows' order to follow)
    let mut repeated = q1_data(300);
    repeated[7].id = repeated[3].id.clone();
    let cases: [(&CompiledPlan, &[Transaction], Inputs, &str); 8] = [
        (&bench, &big, summary(), "Q1"),
        (&bench, &small, summary(), "Q1"),
        (&tiers, &hand, summary(), "Q1"),
        (&bench, &big, summary(), "Q2"),
        (&bench, &repeated, summary(), "Q1"),
        (&bench, &small, Inputs::default(), "Q1"),
        (&bench, &small, summary(), "Q3"),
        (&tiers, &hand, summary(), "Q1"),
    ];
    let mut workspace = payplan::Workspace::new();
    assert_eq!(workspace.bytes(), 0);
    for (i, (plan, list, rest, period)) in cases.iter().enumerate() {
        let columns: TransactionColumns = list.iter().collect();
        let fresh = plan.evaluate_columns(&columns, rest, period).unwrap().to_json();
        let kept = plan.evaluate_columns_with(&columns, rest, period, &mut workspace).unwrap().to_json();
        assert_eq!(kept, fresh, "case {i}");
        assert_eq!(
            kept,
            plan.evaluate(&Inputs { transactions: list.to_vec(), ..rest.clone() }, period).unwrap().to_json()
        );
        if i == 0 {
            // 3,000 rows: at least their lines and the lines' grouped copy, 24 bytes each
            assert!(workspace.bytes() >= 2 * 24 * 3000, "{}", workspace.bytes());
        }
    }
    let columns: TransactionColumns = hand.iter().collect();
    let ev = tiers.evaluate_columns_with(&columns, &summary(), "Q1", &mut workspace).unwrap();
    assert_eq!(ev.statements[0].payout.to_string(), "6000.02");
}

#[test]
fn transactions_given_both_ways_are_refused() {
    let plan = bench_plan();
    let columns: TransactionColumns = q1_data(3).iter().collect();
    let rest = Inputs { transactions: q1_data(1), ..Inputs::default() };
    let e = plan.evaluate_columns(&columns, &rest, "Q1").unwrap_err();
    assert_eq!(e.code(), "TRANSACTIONS_TWICE");
    assert_eq!(e.path(), Some("/transactions"));
    let e = plan.evaluate_columns(&columns, &Inputs::default(), "Q9").unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_PERIOD");
}

/// `evaluate_json` reads the transactions into columns: every golden vector, in every period,
/// summary and full, gives the bytes (or the error) of the inputs read as a list.
#[test]
fn evaluate_json_is_the_lists_evaluation() {
    let mut compared = 0;
    for common::PlanVector { path, plan, inputs, .. } in common::plan_vectors() {
        let Ok(plan) = CompiledPlan::from_json(&plan.to_string()) else { continue };
        for detail in ["summary", "full"] {
            let mut inputs = inputs.clone();
            if let Some(o) = inputs.as_object_mut() {
                let options = o.entry("options").or_insert(json!({}));
                if let Some(options) = options.as_object_mut() {
                    options.insert("detail".into(), json!(detail));
                }
            }
            let text = inputs.to_string();
            for period in plan.period_ids() {
                let via_text = plan.evaluate_json(&text, period);
                let via_list = Inputs::from_json(&text).and_then(|i| plan.evaluate(&i, period)).map(|e| e.to_json());
                match (via_text, via_list) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{} {period} {detail}", path.display()),
                    (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{} {period}", path.display()),
                    (a, b) => panic!("{} {period}: text {a:?}, list {b:?}", path.display()),
                }
                compared += 1;
            }
        }
    }
    assert!(compared >= 400, "{compared}");
}

/// Documents the typed reader hands back to the tree: a repeated `transactions` key (the last
/// counts), an unknown field, a bad amount, a bad date; the same evaluation or the same error.
#[test]
fn evaluate_json_on_odd_documents() {
    let plan = bench_plan();
    let one = r#"{"id": "A", "owner": "ae-1", "amount": "100", "closeDate": "2025-01-05"}"#;
    let two = r#"{"id": "B", "owner": "ae-2", "amount": "250.50", "closeDate": "2025-02-05", "product": "Platform", "type": "new"}"#;
    let docs = [
        format!(r#"{{"transactions": [{one}], "transactions": [{two}], "options": {{"detail": "summary"}}}}"#),
        format!(r#"{{"options": {{"detail": "summary"}}, "transactions": [{one}, {two}]}}"#),
        r#"{"transactions": [{"id": "A", "amount": "1", "extra": 1}]}"#.to_string(),
        r#"{"transactions": [{"id": "A", "amount": "1e3"}]}"#.to_string(),
        r#"{"transactions": [{"id": "A", "amount": "1", "closeDate": "2025-02-30"}]}"#.to_string(),
        r#"{"transactions": [{"id": "A", "amount": "1", "closeDate": "2025-01-05", "owner": "ae-1"}, "#.to_string(),
    ];
    for doc in &docs {
        let via_text = plan.evaluate_json(doc, "Q1");
        let via_list = Inputs::from_json(doc).and_then(|i| plan.evaluate(&i, "Q1")).map(|e| e.to_json());
        match (via_text, via_list) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{doc}"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{doc}"),
            (a, b) => panic!("{doc}: text {a:?}, list {b:?}"),
        }
    }
    // the repeated key: only B counts (250.50 credited to ae-2 and rolled up to mgr)
    let ev: serde_json::Value = serde_json::from_str(&plan.evaluate_json(&docs[0], "Q1").unwrap()).unwrap();
    assert_eq!(ev["accounting"]["input"]["count"], 1);
    assert_eq!(ev["accounting"]["input"]["amounts"]["USD"], "250.50");
}

/// The compact form the JavaScript package sends (`TransactionColumns::from_wire`): the rows it
/// describes, or `None` wherever reading the same rows as a list could differ or fail.
#[test]
fn the_compact_form_of_javascript() {
    let none = u32::MAX;
    let limits = payplan::limits::Limits::default();
    let doc = |ids: &str, amounts: &str, whole: &str| {
        format!(
            r#"{{"strings": ["ae-1", "2025-02-03", "USD", "2025-02-30", "ae-2"], "ids": {ids}, "amounts": {amounts}, "whole": {whole}}}"#
        )
    };
    // ten string numbers, then the id's and the amount's length in UTF-16 code units
    let row = |owner: u32, currency: u32, close: u32, id: u32, amount: u32| {
        [owner, currency, none, none, none, close, none, none, none, none, id, amount]
    };
    // row 1 goes whole; row 2's id is "Cé😀" (4 units: 'C', 'é' and the two halves of '😀')
    let refs: Vec<u32> = [row(0, 2, 1, 1, 5), row(none, none, none, 0, 0), row(0, none, 1, 4, 2)].concat();
    let whole = r#"[[1, {"id": "B", "amount": "7", "splits": [{"payee": "ae-1", "percent": "50"}]}]],
        "splits": [[2, 0, "60"], [2, 4, "40.0"]]"#;
    let good = doc(r#""ACé😀""#, r#""10.50-3""#, whole);
    let columns = TransactionColumns::from_wire(&good, &refs, &limits).expect("read");
    let list: Vec<Transaction> = serde_json::from_value(json!([
        { "id": "A", "owner": "ae-1", "amount": "10.50", "currency": "USD", "closeDate": "2025-02-03" },
        { "id": "B", "amount": "7", "splits": [{ "payee": "ae-1", "percent": "50" }] },
        { "id": "Cé😀", "owner": "ae-1", "amount": "-3", "closeDate": "2025-02-03",
          "splits": [{ "payee": "ae-1", "percent": "60" }, { "payee": "ae-2", "percent": "40.0" }] }
    ]))
    .unwrap();
    assert_eq!(columns.to_transactions(), list);
    // "ae-1", "USD" and "ae-2" (dates are not kept as strings)
    assert_eq!(columns.distinct_strings(), 3);
    // escapes in the ids' string are read as in any string
    let escaped = doc(r#""A\u0043\u00e9\ud83d\ude00""#, r#""10.50-3""#, whole);
    assert_eq!(TransactionColumns::from_wire(&escaped, &refs, &limits).expect("read").to_transactions(), list);
    let plain = |amount: u32| [row(0, 2, 1, 1, amount), row(none, none, none, 0, 0), row(0, none, 1, 4, 1)].concat();
    let bad: [(String, Vec<u32>); 15] = [
        (doc(r#""ACé😀""#, r#""10.501e3""#, "[]"), plain(5)), // an exponent
        (doc(r#""ACé😀""#, r#"["10.50", "3"]"#, "[]"), plain(5)), // amounts as a list
        (doc(r#""ACé😀""#, r#""10.50""#, "[]"), plain(5)),    // an amount missing
        (doc(r#""ACé😀""#, r#""10.5033""#, "[]"), plain(5)),  // an amount left over
        (doc(r#""ACé""#, r#""10.503""#, "[]"), plain(5)),     // an id cut short
        (good.clone(), refs[..24].to_vec()),                  // a row's references missing
        (good.clone(), refs[..35].to_vec()),                  // not a whole row's references
        (good.clone(), [row(0, 2, 3, 1, 5), row(none, none, none, 0, 0), row(0, none, 1, 4, 2)].concat()), // 2025-02-30
        (good.clone(), [row(0, 2, 9, 1, 5), row(none, none, none, 0, 0), row(0, none, 1, 4, 2)].concat()), // no string 9
        (good.clone(), [row(0, 2, 1, 1, 5), row(none, none, none, 0, 0), row(0, none, 1, 3, 2)].concat()), // inside '😀'
        (good.clone(), [row(0, 2, 1, 1, 5), row(none, none, none, 1, 0), row(0, none, 1, 3, 2)].concat()), // a whole row's id
        (doc(r#""ACé😀""#, r#""123""#, r#"[[5, {"id": "B", "amount": "7"}]]"#), plain(1)),                 // no row 5
        (doc(r#""ACé😀""#, r#""123""#, r#"[], "splits": [[2, 0, "50"], [1, 0, "50"]]"#), plain(1)), // out of order
        (doc(r#""ACé😀""#, r#""123""#, r#"[[1, {"id": "B", "amount": "7"}]], "splits": [[1, 0, "50"]]"#), plain(1)), // on a whole row
        (doc(r#""ACé😀""#, r#""123""#, r#"[], "splits": [[2, 0, 50]]"#), plain(1)), // a number percent
    ];
    for (k, (doc, refs)) in bad.iter().enumerate() {
        assert!(TransactionColumns::from_wire(doc, refs, &limits).is_none(), "case {k}");
    }
    let small = payplan::limits::Limits { max_inputs_bytes: 10, ..Default::default() };
    assert!(TransactionColumns::from_wire(&good, &refs, &small).is_none());
    // each id within the limit on strings (the ids' string as a whole may be longer)
    // (7 bytes: the longest key, "strings" and "amounts")
    let seven = payplan::limits::Limits { max_string_bytes: 7, ..Default::default() };
    let two = |ids: &str, units: u32| {
        let refs: Vec<u32> = [row(none, none, none, units, 1), row(none, none, none, units, 1)].concat();
        TransactionColumns::from_wire(&format!(r#"{{"strings": [], "ids": "{ids}", "amounts": "12"}}"#), &refs, &seven)
    };
    assert_eq!(two("AAAAAAABBBBBBB", 7).map(|c| c.len()), Some(2));
    assert!(two("AAAAAAAABBBBBBBB", 8).is_none());
}
