//! Native batch throughput of plan evaluation (a first benchmark for issue 6): the sample plan
//! (marginal tiers on attainment with accelerators above quota, a SPIFF on one product, a period
//! cap, a split rule) widened to many payees, over generated transactions.
//!
//!     cargo run --release --example bench_native [payees] [transactions-per-payee]
//!
//! Prints credited transaction lines per second on one core (the engine is single-threaded): full
//! detail and the time to write it as JSON, summary (through the batch kernel,
//! `src/engine/batch.rs`), the same summary by the engine alone, and JSON text in and out.

use payplan::sample::{generate, GeneratorConfig, SAMPLE_PLAN_JSON};
use payplan::{CompiledPlan, Inputs};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let payees = args.first().copied().unwrap_or(1_000);
    let per_payee = args.get(1).copied().unwrap_or(100);
    // the sample plan with `payees` account executives under one manager
    let mut plan: serde_json::Value = serde_json::from_str(SAMPLE_PLAN_JSON).expect("sample plan");
    let mut list = vec![serde_json::json!({ "id": "mgr", "role": "Manager" })];
    let mut quotas = vec![
        serde_json::json!({ "payee": "mgr", "measure": "team-bookings", "annual": (payees * 800_000).to_string() }),
    ];
    for i in 0..payees {
        let id = format!("ae-{i:05}");
        list.push(serde_json::json!({ "id": id, "role": "AE", "reportsTo": [{ "manager": "mgr" }] }));
        quotas.push(serde_json::json!({ "payee": id, "measure": "bookings", "annual": "800000" }));
    }
    plan["payees"] = serde_json::Value::Array(list);
    plan["quotas"] = serde_json::Value::Array(quotas);
    plan["payments"] = serde_json::json!({});
    let compiled = CompiledPlan::from_json(&plan.to_string()).expect("plan");
    let cfg = GeneratorConfig {
        count: payees * per_payee,
        owners: (0..payees).map(|i| format!("ae-{i:05}")).collect(),
        from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        days: 90,
        cancel_every: 0,
        ..Default::default()
    };
    let mut inputs = Inputs { transactions: generate(&cfg), ..Default::default() };
    if std::env::var_os("COLUMNS_ONLY").is_some() {
        // profiling aid: only the summary of the transactions as columns
        inputs.options.detail = payplan::inputs::Detail::Summary;
        let columns: payplan::columns::TransactionColumns = inputs.transactions.iter().collect();
        let rest = Inputs { transactions: Vec::new(), ..inputs.clone() };
        // (REPEAT=n: the evaluation n times, for profiling; the time is the mean. WORKSPACE=1:
        // one workspace kept across them, as a service evaluating again and again keeps it)
        let repeat: u32 = std::env::var("REPEAT").ok().and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
        let keep = std::env::var("WORKSPACE").is_ok_and(|v| v == "1");
        let mut workspace = payplan::Workspace::new();
        let run = |workspace: &mut payplan::Workspace| {
            compiled.evaluate_columns_in_place(&columns, &rest, "Q1", workspace).expect("evaluate").expect("in place")
        };
        let start = Instant::now();
        let mut ev = run(&mut workspace);
        for _ in 1..repeat {
            ev = if keep { run(&mut workspace) } else { run(&mut payplan::Workspace::new()) };
        }
        let secs = start.elapsed().as_secs_f64() / f64::from(repeat);
        let payout: rust_decimal::Decimal = ev.statements.iter().map(|s| s.payout).sum();
        let kept = if keep { format!(", one workspace kept ({} B)", workspace.bytes()) } else { String::new() };
        println!("evaluate_columns Q1, summary only: {:.3} ms{kept}, total payout {payout}", secs * 1e3);
        return;
    }
    if std::env::var_os("SUMMARY_ONLY").is_some() {
        // profiling aid: only the summary run
        inputs.options.detail = payplan::inputs::Detail::Summary;
        let start = Instant::now();
        let ev = compiled.evaluate(&inputs, "Q1").expect("evaluate");
        let secs = start.elapsed().as_secs_f64();
        let payout: rust_decimal::Decimal = ev.statements.iter().map(|s| s.payout).sum();
        println!("evaluate Q1, summary only: {secs:.3} s, total payout {payout}");
        return;
    }
    let start = Instant::now();
    let ev = compiled.evaluate(&inputs, "Q1").expect("evaluate");
    let secs = start.elapsed().as_secs_f64();
    let lines: usize = ev.statements.iter().map(|s| s.credits.len()).sum();
    println!("payees {payees}, transactions {}, credit lines {lines}", inputs.transactions.len());
    println!("evaluate Q1, full detail: {:.3} s, {:.0} credit lines/s on one core", secs, lines as f64 / secs);
    // writing the full evaluation as JSON (what `evaluateJson` returns to JavaScript)
    let start = Instant::now();
    let json = ev.to_json();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "to_json, full detail:     {:.3} s, {:.1} MB ({:.0} MB/s)",
        secs,
        json.len() as f64 / 1e6,
        json.len() as f64 / 1e6 / secs
    );
    drop(json);
    // the same figures without per-line detail (options.detail = summary)
    inputs.options.detail = payplan::inputs::Detail::Summary;
    let start = Instant::now();
    let summary = compiled.evaluate(&inputs, "Q1").expect("evaluate");
    let secs = start.elapsed().as_secs_f64();
    let same = ev.statements.iter().zip(&summary.statements).all(|(a, b)| a.payout == b.payout);
    println!(
        "evaluate Q1, summary:     {:.3} s, {:.0} credit lines/s on one core (payouts equal to the full run: {same})",
        secs,
        lines as f64 / secs
    );
    // the same transactions as columns (`evaluate_columns`): built once, then credited in place
    let start = Instant::now();
    let columns: payplan::columns::TransactionColumns = inputs.transactions.iter().collect();
    let build = start.elapsed().as_secs_f64();
    let rest = Inputs { transactions: Vec::new(), ..inputs.clone() };
    let start = Instant::now();
    let by_columns = compiled
        .evaluate_columns_in_place(&columns, &rest, "Q1", &mut payplan::Workspace::new())
        .expect("evaluate_columns");
    let secs = start.elapsed().as_secs_f64();
    let by_columns = by_columns.expect("every generated row is credited in place");
    let same = by_columns.to_json() == summary.to_json();
    println!(
        "evaluate_columns Q1, summary: {:.3} s, {:.0} credit lines/s on one core (same bytes as the list's: {same}; columns built in {:.3} s)",
        secs,
        lines as f64 / secs,
        build
    );
    // the same summary by the engine alone (without the batch kernel): the same bytes, slower
    let start = Instant::now();
    let engine = compiled.evaluate_without_kernel(&inputs, "Q1").expect("evaluate");
    let secs = start.elapsed().as_secs_f64();
    let same = engine.to_json() == summary.to_json();
    println!(
        "evaluate Q1, summary by the engine alone: {:.3} s, {:.0} credit lines/s (same bytes as the kernel's: {same})",
        secs,
        lines as f64 / secs
    );
    // what the JavaScript package does: JSON text in, JSON text out (summary)
    let text = serde_json::to_string(&inputs).expect("inputs as JSON");
    let start = Instant::now();
    let parsed = Inputs::from_json(&text).expect("inputs");
    let parse = start.elapsed().as_secs_f64();
    assert_eq!(parsed.transactions.len(), inputs.transactions.len());
    let start = Instant::now();
    let out = compiled.evaluate_json(&text, "Q1").expect("evaluate_json");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "evaluate_json Q1, summary: {:.3} s, {:.0} credit lines/s ({:.1} MB of JSON in, read in {:.3} s; {:.1} MB out)",
        secs,
        lines as f64 / secs,
        text.len() as f64 / 1e6,
        parse,
        out.len() as f64 / 1e6
    );
}
