//! Native preview latency and memory of a live session (issue 6):
//!
//!     cargo run --release --example bench_preview [transactions=10000] [calls=20000]
//!     OPENS=20 cargo run --release --example bench_preview 10000 1   # opening, fastest of 20
//!
//! The sample plan; one account executive with N deals over Q1 (the crate's deterministic
//! generator). Each call previews the deal being edited with a new amount, "closing today" (after
//! every other deal), back-dated to mid-period (the lines after it stay in the top band) and
//! back-dated to the start of the quarter (before the quota is reached: the lines after it cross
//! the band bounds). Prints median and 99th percentile per call and the session's memory per
//! transaction.

use payplan::sample::{generate, GeneratorConfig, SAMPLE_PLAN_JSON};
use payplan::session::Session;
use payplan::{CompiledPlan, Inputs, Transaction};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let n = args.first().copied().unwrap_or(10_000);
    let calls = args.get(1).copied().unwrap_or(20_000);
    let plan = CompiledPlan::from_json(SAMPLE_PLAN_JSON).expect("plan");
    let cfg = GeneratorConfig {
        count: n,
        owners: vec!["ae-ana".into()],
        from: chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        days: 88,
        amount_range: (20, 420),
        split_every: 0,
        cancel_every: 0,
        ..Default::default()
    };
    let inputs = Inputs { transactions: generate(&cfg), ..Default::default() };
    // (OPENS=n: the session opened n times, the fastest reported: one opening is a few
    // milliseconds of a noisy machine's time)
    let opens: usize = std::env::var("OPENS").ok().and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let mut open = std::time::Duration::MAX;
    let mut session = None;
    for _ in 0..opens {
        let t = Instant::now();
        let s = Session::open(&plan, &inputs, "ae-ana", "Q1").expect("session");
        open = open.min(t.elapsed());
        session = Some(s);
    }
    let Some(session) = session else { return };
    println!(
        "session of {n} transactions ({:?}), opened in {:.1} ms{}; memory {:.1} bytes per transaction (Session::memory_bytes {} B: compact transaction columns, credit lines and component state)",
        session.mode(),
        open.as_secs_f64() * 1e3,
        if opens > 1 { format!(" (fastest of {opens})") } else { String::new() },
        session.memory_bytes() as f64 / n.max(1) as f64,
        session.memory_bytes()
    );
    println!("| deal | mode | median µs | p99 µs |");
    println!("|---|---|---:|---:|");
    let only = std::env::var("PREVIEW_ONLY").ok();
    for (label, date) in [
        ("closing today", "2025-03-31"),
        ("back-dated (mid-period)", "2025-02-14"),
        ("back-dated (start of quarter)", "2025-01-03"),
    ] {
        if only.as_deref().is_some_and(|o| !label.starts_with(o)) {
            continue;
        }
        let mut times = Vec::with_capacity(calls);
        let mut mode = None;
        for i in 0..calls + 1000 {
            let deal = Transaction {
                id: "EDITED".into(),
                owner: Some("ae-ana".into()),
                amount: rust_decimal::Decimal::new(100_050 + (i as i64 & 1023) * 100, 2),
                close_date: date.parse().ok(),
                product: Some("Platform".into()),
                kind: Some("new".into()),
                ..Default::default()
            };
            let s = Instant::now();
            let p = session.preview(&deal).expect("preview");
            let e = s.elapsed();
            mode = Some(p.mode);
            if i >= 1000 {
                times.push(e.as_secs_f64() * 1e6);
            }
        }
        times.sort_by(|a, b| a.total_cmp(b));
        // the same through JSON text in and out (what the WebAssembly binding does)
        let mut json_times = Vec::with_capacity(calls);
        for i in 0..calls + 1000 {
            let deal = format!(
                r#"{{"id":"EDITED","owner":"ae-ana","amount":"{}.50","closeDate":"{date}","product":"Platform","type":"new"}}"#,
                1000 + (i & 1023)
            );
            let s = Instant::now();
            let out = session.preview_json(&deal).expect("preview");
            let e = s.elapsed();
            std::hint::black_box(out);
            if i >= 1000 {
                json_times.push(e.as_secs_f64() * 1e6);
            }
        }
        json_times.sort_by(|a, b| a.total_cmp(b));
        let qj = |p: f64| {
            json_times.get(((p * json_times.len() as f64) as usize).min(json_times.len() - 1)).copied().unwrap_or(0.0)
        };
        let json_row = (qj(0.5), qj(0.99));
        // the keystroke path: the deal set once, then only its amount (Decimal in, compact result out)
        let mut session = session.clone();
        let deal = Transaction {
            id: "EDITED".into(),
            owner: Some("ae-ana".into()),
            amount: rust_decimal::Decimal::new(100_050, 2),
            close_date: date.parse().ok(),
            product: Some("Platform".into()),
            kind: Some("new".into()),
            ..Default::default()
        };
        session.edit(deal.clone()).expect("edit");
        let mut quick = [Vec::with_capacity(calls), Vec::with_capacity(calls)];
        let mut keystroke = true;
        for (k, times) in quick.iter_mut().enumerate() {
            for i in 0..calls + 1000 {
                let amount = rust_decimal::Decimal::new(100_050 + (i as i64 & 1023) * 100, 2);
                let s = Instant::now();
                if k == 0 {
                    keystroke &= session.preview_amount(amount, None, None).expect("preview").keystroke;
                } else {
                    std::hint::black_box(session.preview_amount_text(amount, None, None).expect("preview"));
                }
                let e = s.elapsed();
                if i >= 1000 {
                    times.push(e.as_secs_f64() * 1e6);
                }
            }
            times.sort_by(|a, b| a.total_cmp(b));
        }
        let qq = |t: &Vec<f64>, p: f64| t.get(((p * t.len() as f64) as usize).min(t.len() - 1)).copied().unwrap_or(0.0);
        let q = |p: f64| times.get(((p * times.len() as f64) as usize).min(times.len() - 1)).copied().unwrap_or(0.0);
        println!("| {label} | {:?} | {:.2} | {:.2} |", mode.expect("mode"), q(0.5), q(0.99));
        println!(
            "| {label}, JSON text in and out | {:?} | {:.2} | {:.2} |",
            mode.expect("mode"),
            json_row.0,
            json_row.1
        );
        let path = if keystroke { "keystroke path" } else { "full preview" };
        println!("| {label}, `preview_amount` ({path}) | | {:.2} | {:.2} |", qq(&quick[0], 0.5), qq(&quick[0], 0.99));
        println!(
            "| {label}, `preview_amount_text` ({path}) | | {:.2} | {:.2} |",
            qq(&quick[1], 0.5),
            qq(&quick[1], 0.99)
        );
        // saving the deal and removing it again (each re-rates the lines after it and refreshes
        // the session's state from there)
        let mut saves = Vec::with_capacity(200);
        for i in 0..220 {
            let deal = Transaction { amount: rust_decimal::Decimal::new(100_050 + i * 100, 2), ..deal.clone() };
            let s = Instant::now();
            session.upsert(deal).expect("upsert");
            session.remove("EDITED").expect("remove");
            if i >= 20 {
                saves.push(s.elapsed().as_secs_f64() * 1e6);
            }
        }
        saves.sort_by(|a, b| a.total_cmp(b));
        println!("| {label}, `upsert` + `remove` | | {:.2} | {:.2} |", qq(&saves, 0.5), qq(&saves, 0.99));
    }
}
