//! The Rust service example (`examples/payroll_run.rs`), run for real as a process: the sample plan
//! on the sample deals (hand-checked statements), the field-sales plan with the roster and deals of
//! the real CRM export (skipped with a message where `../shared/data/crm/` is absent), and its
//! errors and exit codes.
#![cfg(feature = "csv")]

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// The example's binary, which `cargo test` builds with the other targets (built here when a
/// filtered run skipped it).
fn binary() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = profile_dir.join("examples").join(format!("payroll_run{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--example", "payroll_run", "--features", "csv"])
            .current_dir(REPO)
            .status()
            .expect("cargo build");
        assert!(status.success(), "building the payroll_run example failed");
    }
    bin
}

fn run(args: &[&str]) -> Output {
    Command::new(binary()).args(args).current_dir(REPO).output().expect("payroll_run")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The lines of a report with runs of spaces made single (the columns' widths are not the point).
fn squeezed(s: &str) -> String {
    s.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\n") + "\n"
}

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("payplan-payroll-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn read_json(path: PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .expect("JSON")
}

#[test]
fn sample_plan_on_sample_deals() {
    let out = out_dir("sample");
    let o = run(&[
        "--plan",
        "examples/plans/account-executive.json",
        "--transactions",
        "examples/data/deals-2025.csv",
        "--period",
        "Q1",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = squeezed(&text(&o.stdout));
    // Ana 24,900.00 + Ben 6,000.00 (draw top-up) + Chen 12,650.00 = 43,550.00 for the AEs; Maya 4,520.00
    assert!(
        stdout.starts_with("ae-fy2025 Q1 (2025-01-01 to 2025-03-31): 4 statements, payout 48070.00 USD\n"),
        "{stdout}"
    );
    assert!(stdout.contains("AE 3 payees 43550.00\n"), "{stdout}");
    assert!(stdout.contains("Manager 1 payees 4520.00\n"), "{stdout}");
    assert!(
        stdout.contains("transactions: 8 in = 7 credited (7 this period) + 1 excluded + 0 rejected: balanced"),
        "{stdout}"
    );
    assert!(stdout.contains("top: ae-ana 24900.00\n"), "{stdout}");
    let stderr = text(&o.stderr);
    assert!(stderr.contains("] 8 transactions read; evaluating Q1"), "{stderr}");
    assert!(stderr.contains("] statements written 4/4 (100%)"), "{stderr}");

    // the whole evaluation is what the library (and `payplan evaluate`) gives, byte for byte
    let whole = std::fs::read_to_string(out.join("evaluation-Q1.json")).expect("evaluation");
    let plan = payplan::Plan::from_json(payplan::sample::SAMPLE_PLAN_JSON).expect("plan");
    let txs = payplan::import::transactions_from_path(
        &Path::new(REPO).join("examples/data/deals-2025.csv"),
        &payplan::import::ColumnMap::new(),
    )
    .expect("csv");
    let inputs = payplan::Inputs { transactions: txs, ..Default::default() };
    assert_eq!(whole, payplan::evaluate(&plan, &inputs, "Q1").expect("evaluate").to_json());

    // one statement per payee
    let ben = read_json(out.join("statements-Q1").join("ae-ben.json"));
    assert_eq!(ben["payout"], "6000.00");
    assert_eq!(ben["earnings"], "2410.04");
    assert_eq!(ben["balances"]["drawBalance"], "3589.96");
    assert_eq!(std::fs::read_dir(out.join("statements-Q1")).expect("dir").count(), 4);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn crm_export_with_roster() {
    let Some(dir) = common::crm_dir("the payroll example over the CRM export") else { return };
    let out = out_dir("crm");
    let (teams, pipeline) = (dir.join("sales_teams.csv"), dir.join("sales_pipeline.csv"));
    let o = run(&[
        "--plan",
        "examples/plans/field-sales.json",
        "--roster",
        teams.to_str().expect("path"),
        "--roster-map",
        "id=sales_agent",
        "--role",
        "AE",
        "--quota",
        "300000",
        "--add-managers",
        "Manager",
        "--transactions",
        pipeline.to_str().expect("path"),
        "--map",
        "id=opportunity_id,owner=sales_agent,amount=close_value,closeDate=close_date",
        "--where",
        "deal_stage=Won",
        "--period",
        "Q1",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = squeezed(&text(&o.stdout));
    // 35 agents and their 6 managers; the managers' 1% override on the 1,134,672 credited in Q1
    assert!(stdout.contains(": 41 statements, payout 69714.51 USD\n"), "{stdout}");
    assert!(stdout.contains("Manager 6 payees 11346.72\n"), "{stdout}");
    assert!(
        stdout
            .contains("transactions: 4238 in = 531 credited (531 this period) + 3707 excluded + 0 rejected: balanced"),
        "{stdout}"
    );
    // Darcel Schlecht: 112,255 on a 75,000 quarter: 75,000 x 5% + 37,255 x 8% = 6,730.40 (tests/crm.rs)
    assert!(stdout.contains("top: Darcel Schlecht 6730.40\n"), "{stdout}");
    let darcel = read_json(out.join("statements-Q1").join("Darcel_Schlecht.json"));
    assert_eq!(darcel["payout"], "6730.40");
    assert_eq!(darcel["measures"][0]["period"]["value"], "112255.00");
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn generated_roster_and_deals() {
    let dir = out_dir("generated");
    let d = dir.to_str().expect("path");
    let g = run(&["--generate", d, "--payees", "40", "--deals", "30"]);
    assert!(g.status.success(), "{}", text(&g.stderr));
    let roster = std::fs::read_to_string(dir.join("roster.csv")).expect("roster");
    assert_eq!(roster.lines().count(), 1 + 4 + 40, "header, 4 managers, 40 AEs");
    let out = dir.join("out");
    let o = run(&[
        "--plan",
        "examples/plans/field-sales.json",
        "--roster",
        dir.join("roster.csv").to_str().expect("path"),
        "--transactions",
        dir.join("deals.csv").to_str().expect("path"),
        "--period",
        "Q4",
        "--out",
        out.to_str().expect("path"),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains(": 44 statements, payout "), "{stdout}");
    assert!(stdout.contains("transactions: 1200 in = 1200 credited"), "{stdout}");
    let ev = read_json(out.join("evaluation-Q4.json"));
    assert_eq!(ev["accounting"]["balanced"], true);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn errors_and_exit_codes() {
    // usage: 2
    let o = run(&["--plan", "examples/plans/account-executive.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("error USAGE_ERROR: --plan, --transactions, --period and --out are required"));
    // a bad CSV cell: 1, with the code and the pointer of the transaction
    let dir = out_dir("errors");
    std::fs::create_dir_all(&dir).expect("dir");
    let csv = dir.join("deals.csv");
    std::fs::write(&csv, "id,owner,amount,close_date\nD-1,ae-ana,100,2025-01-20\nD-2,ae-ana,12.5.0,2025-01-21\n")
        .expect("csv");
    let o = run(&[
        "--plan",
        "examples/plans/account-executive.json",
        "--transactions",
        csv.to_str().expect("path"),
        "--period",
        "Q1",
        "--out",
        dir.join("out").to_str().expect("path"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr)
            .contains("\nerror CSV_BAD_VALUE at /transactions/1/amount: line 3, column amount: `12.5.0` is not"),
        "{}",
        text(&o.stderr)
    );
    // an invalid plan: 1, every diagnostic listed
    let o = run(&[
        "--plan",
        "examples/node-validate/plans/broken.json",
        "--transactions",
        "examples/data/deals-2025.csv",
        "--period",
        "Q1",
        "--out",
        dir.join("out").to_str().expect("path"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = text(&o.stderr);
    assert!(stderr.contains("error INVALID_PLAN"), "{stderr}");
    assert!(stderr.contains("\n  error TIER_GAP at /components/0/tiers/1/from: "), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
