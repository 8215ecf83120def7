//! A payroll run: a period's statements for many payees, from CSV files, written as JSON. The
//! example of a Rust service that links the crate natively.
//!
//! ```text
//! cargo run --release --features csv --example payroll_run -- \
//!     --plan examples/plans/field-sales.json \
//!     --roster ../shared/data/crm/sales_teams.csv --roster-map id=sales_agent --role AE --quota 300000 --add-managers Manager \
//!     --transactions ../shared/data/crm/sales_pipeline.csv \
//!     --map id=opportunity_id,owner=sales_agent,amount=close_value,closeDate=close_date --where deal_stage=Won \
//!     --period Q1 --out target/payroll
//! ```
//!
//! - The plan gives the rules (calendar, measures, crediting, components, payments). The roster
//!   CSV adds the payees and their annual quotas, one row per payee: columns `id`, `name`, `role`,
//!   `manager`, `start`, `end`, `quota` (any may be renamed with `--roster-map field=header,...`;
//!   `--role` and `--quota` give defaults for missing cells). Managers that the roster names but
//!   does not list are added with the role of `--add-managers`.
//! - Transactions are read by the crate's CSV import (`payplan::import`), with the command line's
//!   `--map` and `--where`.
//! - Writes `OUT/evaluation-PERIOD.json` (the whole evaluation: statements, accounting, excluded and
//!   rejected transactions, byte for byte what `payplan evaluate` prints) and one
//!   `OUT/statements-PERIOD/<payee>.json` per payee; prints the payroll summary on stdout and the
//!   progress on stderr (each phase, and a running count at most once a second while writing).
//! - `--generate DIR --payees N --deals M` writes a sample roster and N×M sample deals as CSV
//!   (the crate's deterministic generator) to try a long run on.
//!
//! Exit status: 0 done, 1 the plan, roster or transactions are invalid, 2 usage or file errors.

use payplan::import::{transactions_from_path, ColumnMap};
use payplan::{CompiledPlan, Error, Inputs};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "\
usage: payroll_run --plan PLAN.json --transactions DEALS.csv --period P --out DIR
                   [--roster ROSTER.csv [--roster-map field=header,...] [--role ROLE] [--quota AMOUNT]
                    [--quota-measure MEASURE] [--add-managers ROLE]]
                   [--map field=header,...] [--where column=value]...
       payroll_run --generate DIR [--payees N] [--deals M]";

/// What went wrong, and the exit status it gives.
struct Failure {
    status: u8,
    line: String,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure { status: 2, line: format!("error USAGE_ERROR: {}\n{USAGE}", message.into()) }
}

fn io(action: &str, path: &Path, e: std::io::Error) -> Failure {
    Failure { status: 2, line: format!("error IO_ERROR: cannot {action} `{}`: {e}", path.display()) }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        let mut line = match e.path() {
            Some(p) if !p.is_empty() => {
                // the message without the location it repeats
                let repeated = format!("invalid input at {p}: ");
                format!("error {} at {p}: {}", e.code(), message.strip_prefix(&repeated).unwrap_or(&message))
            }
            _ => format!("error {}: {message}", e.code()),
        };
        for d in e.diagnostics() {
            line.push_str(&format!("\n  {d}"));
        }
        Failure { status: 1, line }
    }
}

/// Progress on stderr: each phase with its duration, and running counts at most once a second.
struct Progress {
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new() -> Self {
        let now = Instant::now();
        Self { started: now, last: now }
    }

    fn phase(&mut self, what: &str) {
        eprintln!("[{:>7.2}s] {what}", self.started.elapsed().as_secs_f64());
        self.last = Instant::now();
    }

    fn tick(&mut self, what: &str, done: usize, total: usize) {
        if done == total || self.last.elapsed() >= Duration::from_secs(1) {
            let pct = (done * 100).checked_div(total).unwrap_or(100);
            eprintln!("[{:>7.2}s] {what} {done}/{total} ({pct}%)", self.started.elapsed().as_secs_f64());
            self.last = Instant::now();
        }
    }
}

#[derive(Default)]
struct Args {
    plan: Option<PathBuf>,
    transactions: Option<PathBuf>,
    period: Option<String>,
    out: Option<PathBuf>,
    map: Option<String>,
    filters: Vec<(String, String)>,
    roster: Option<PathBuf>,
    roster_map: BTreeMap<String, String>,
    role: Option<String>,
    quota: Option<String>,
    quota_measure: Option<String>,
    add_managers: Option<String>,
    generate: Option<PathBuf>,
    payees: usize,
    deals: usize,
}

fn parse_args() -> Result<Args, Failure> {
    let mut a = Args { payees: 1_000, deals: 100, ..Default::default() };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let mut value = || it.next().ok_or_else(|| usage(format!("{flag} needs a value")));
        match flag.as_str() {
            "--plan" => a.plan = Some(value()?.into()),
            "--transactions" => a.transactions = Some(value()?.into()),
            "--period" => a.period = Some(value()?),
            "--out" => a.out = Some(value()?.into()),
            "--map" => a.map = Some(value()?),
            "--where" => {
                let v = value()?;
                let (c, x) = v.split_once('=').ok_or_else(|| usage(format!("--where `{v}` is not column=value")))?;
                a.filters.push((c.to_string(), x.to_string()));
            }
            "--roster" => a.roster = Some(value()?.into()),
            "--roster-map" => {
                for part in value()?.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let (f, h) = part
                        .split_once('=')
                        .ok_or_else(|| usage(format!("--roster-map `{part}` is not field=header")))?;
                    if !ROSTER_FIELDS.contains(&f.trim()) {
                        return Err(usage(format!("--roster-map: `{f}` is not one of {}", ROSTER_FIELDS.join(", "))));
                    }
                    a.roster_map.insert(f.trim().to_string(), h.trim().to_string());
                }
            }
            "--role" => a.role = Some(value()?),
            "--quota" => a.quota = Some(value()?),
            "--quota-measure" => a.quota_measure = Some(value()?),
            "--add-managers" => a.add_managers = Some(value()?),
            "--generate" => a.generate = Some(value()?.into()),
            "--payees" => a.payees = value()?.parse().map_err(|_| usage("--payees needs a number"))?,
            "--deals" => a.deals = value()?.parse().map_err(|_| usage("--deals needs a number"))?,
            other => return Err(usage(format!("unknown argument `{other}`"))),
        }
    }
    Ok(a)
}

const ROSTER_FIELDS: [&str; 7] = ["id", "name", "role", "manager", "start", "end", "quota"];

/// Adds the roster's payees (and their quotas) to the plan document.
fn add_roster(plan: &mut Value, a: &Args, path: &Path) -> Result<usize, Failure> {
    let bad = |line: u64, message: String| Failure {
        status: 1,
        line: format!("error ROSTER_BAD_VALUE: `{}` line {line}: {message}", path.display()),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| Failure { status: 2, line: format!("error IO_ERROR: cannot read `{}`: {e}", path.display()) })?;
    let headers = rdr.headers().map_err(|e| bad(1, e.to_string()))?.clone();
    let column = |field: &str| {
        let header = a.roster_map.get(field).map(String::as_str).unwrap_or(field);
        headers.iter().position(|h| h == header)
    };
    let columns: BTreeMap<&str, Option<usize>> = ROSTER_FIELDS.iter().map(|f| (*f, column(f))).collect();
    if columns["id"].is_none() {
        return Err(bad(
            1,
            format!(
                "no `id` column (map one with --roster-map id=<header>); columns: {}",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let measure = a.quota_measure.clone().unwrap_or_else(|| "bookings".to_string());
    let mut payees = Vec::new();
    let mut quotas = Vec::new();
    let mut listed = BTreeSet::new();
    let mut managers = BTreeSet::new();
    for record in rdr.records() {
        let record = record.map_err(|e| bad(0, e.to_string()))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let cell = |f: &str| columns[f].and_then(|i| record.get(i)).filter(|s| !s.is_empty()).map(str::to_string);
        let id = cell("id").ok_or_else(|| bad(line, "the id is empty".into()))?;
        let role = cell("role")
            .or_else(|| a.role.clone())
            .ok_or_else(|| bad(line, format!("no role for `{id}` (add a role column or --role)")))?;
        let mut payee = json!({ "id": id, "role": role });
        for f in ["name", "start", "end"] {
            if let Some(v) = cell(f) {
                payee[f] = json!(v);
            }
        }
        if let Some(m) = cell("manager") {
            payee["reportsTo"] = json!([{ "manager": m }]);
            managers.insert(m);
        }
        if let Some(q) = cell("quota").or_else(|| a.quota.clone()) {
            quotas.push(json!({ "payee": id, "measure": measure, "annual": q }));
        }
        listed.insert(id);
        payees.push(payee);
    }
    if let Some(role) = &a.add_managers {
        let known: BTreeSet<String> = plan["payees"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["id"].as_str().map(str::to_string))
            .collect();
        for m in managers.iter().filter(|m| !listed.contains(*m) && !known.contains(*m)) {
            payees.push(json!({ "id": m, "role": role }));
        }
    }
    let added = payees.len();
    for (key, list) in [("payees", payees), ("quotas", quotas)] {
        match plan.get_mut(key).and_then(Value::as_array_mut) {
            Some(existing) => existing.extend(list),
            None => plan[key] = Value::Array(list),
        }
    }
    Ok(added)
}

/// A file name for a payee id (`Darcel Schlecht` -> `Darcel_Schlecht.json`), unique in `used`.
fn file_name(id: &str, used: &mut BTreeSet<String>) -> String {
    let base: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let mut name = format!("{base}.json");
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = format!("{base}-{n}.json");
        n += 1;
    }
    name
}

fn run(a: &Args) -> Result<(), Failure> {
    let (Some(plan_path), Some(tx_path), Some(period), Some(out)) = (&a.plan, &a.transactions, &a.period, &a.out)
    else {
        return Err(usage("--plan, --transactions, --period and --out are required"));
    };
    let mut progress = Progress::new();
    let text = std::fs::read_to_string(plan_path).map_err(|e| io("read", plan_path, e))?;
    let mut plan: Value = serde_json::from_str(&text).map_err(|e| Failure {
        status: 1,
        line: format!("error PARSE_ERROR: `{}` is not JSON: {e}", plan_path.display()),
    })?;
    if let Some(roster) = &a.roster {
        let n = add_roster(&mut plan, a, roster)?;
        progress.phase(&format!("roster {}: {n} payees", roster.display()));
    }
    let compiled = CompiledPlan::from_json(&plan.to_string())?;
    let payees = compiled.plan().payees.len();
    progress.phase(&format!(
        "plan {} compiled: {payees} payees, periods {}",
        compiled.plan().id,
        compiled.period_ids().join(" ")
    ));

    let mut map = match &a.map {
        Some(spec) => ColumnMap::parse(spec)?,
        None => ColumnMap::new(),
    };
    for (c, v) in &a.filters {
        map = map.with_row_filter(c, v);
    }
    progress.phase(&format!("reading {}", tx_path.display()));
    let transactions = transactions_from_path(tx_path, &map)?;
    progress.phase(&format!(
        "{} transactions read; evaluating {period} (the plan year is replayed up to it)",
        transactions.len()
    ));
    let inputs = Inputs { transactions, ..Default::default() };
    let evaluation = compiled.evaluate(&inputs, period)?;
    progress.phase(&format!("{} statements computed", evaluation.statements.len()));

    let dir = out.join(format!("statements-{period}"));
    std::fs::create_dir_all(&dir).map_err(|e| io("create", &dir, e))?;
    let whole = out.join(format!("evaluation-{period}.json"));
    std::fs::write(&whole, evaluation.to_json()).map_err(|e| io("write", &whole, e))?;
    let mut used = BTreeSet::new();
    let total = evaluation.statements.len();
    for (i, st) in evaluation.statements.iter().enumerate() {
        let path = dir.join(file_name(&st.payee, &mut used));
        let text = serde_json::to_string_pretty(st).map_err(|e| usage(e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| io("write", &path, e))?;
        progress.tick("statements written", i + 1, total);
    }
    progress.phase(&format!("wrote {} and {}/ ({total} files)", whole.display(), dir.display()));

    // the payroll summary: totals by role, the accounting, the largest payouts
    let mut by_role: BTreeMap<&str, (usize, Decimal)> = BTreeMap::new();
    for st in &evaluation.statements {
        let e = by_role.entry(st.role.as_str()).or_default();
        e.0 += 1;
        e.1 += st.payout;
    }
    let total_payout: Decimal = evaluation.statements.iter().map(|s| s.payout).sum();
    let acc = &evaluation.accounting;
    let mut s = String::new();
    s.push_str(&format!(
        "{} {} ({} to {}): {total} statements, payout {total_payout} {}\n",
        evaluation.plan, evaluation.period.id, evaluation.period.start, evaluation.period.end, evaluation.currency
    ));
    for (role, (n, sum)) in &by_role {
        s.push_str(&format!("  {role:<12} {n:>6} payees  {sum:>16}\n"));
    }
    s.push_str(&format!(
        "  transactions: {} in = {} credited ({} this period) + {} excluded + {} rejected: {}\n",
        acc.input.count,
        acc.credited.count,
        acc.credited_in_period.count,
        acc.excluded.count,
        acc.rejected.count,
        if acc.balanced { "balanced" } else { "NOT BALANCED" }
    ));
    let mut top: Vec<_> = evaluation.statements.iter().collect();
    top.sort_by(|x, y| y.payout.cmp(&x.payout).then_with(|| x.payee.cmp(&y.payee)));
    for st in top.iter().take(5) {
        s.push_str(&format!("  top: {:<28} {:>14}\n", st.payee, st.payout.to_string()));
    }
    print!("{s}");
    std::io::stdout().flush().ok();
    Ok(())
}

/// Writes a sample roster (one manager per 10 account executives) and deals as CSV.
fn generate(dir: &Path, payees: usize, deals: usize) -> Result<(), Failure> {
    use payplan::sample::{generate, GeneratorConfig};
    let mut progress = Progress::new();
    std::fs::create_dir_all(dir).map_err(|e| io("create", dir, e))?;
    let owners: Vec<String> = (0..payees).map(|i| format!("ae-{i:05}")).collect();
    let mut roster = String::from("id,name,role,manager,quota\n");
    for m in 0..payees.div_ceil(10) {
        roster.push_str(&format!("mgr-{m:04},Manager {m},Manager,,\n"));
    }
    for (i, id) in owners.iter().enumerate() {
        roster.push_str(&format!("{id},Rep {i},AE,mgr-{:04},800000\n", i / 10));
    }
    let cfg = GeneratorConfig {
        count: payees * deals,
        owners,
        from: chrono::NaiveDate::from_ymd_opt(2017, 1, 1).unwrap_or_default(), // the field-sales plan year
        ..Default::default()
    };
    let txs = generate(&cfg);
    let mut csv = String::from("id,owner,amount,close_date,product,type,splits,cancellation_date\n");
    for t in &txs {
        let splits: Vec<String> = t.splits.iter().map(|s| format!("{}:{}", s.payee, s.percent)).collect();
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            t.id,
            t.owner.as_deref().unwrap_or(""),
            t.amount,
            t.close_date.map(|d| d.to_string()).unwrap_or_default(),
            t.product.as_deref().unwrap_or(""),
            t.kind.as_deref().unwrap_or(""),
            splits.join(";"),
            t.cancellation_date.map(|d| d.to_string()).unwrap_or_default(),
        ));
    }
    // the roster's managers have no quota on `bookings`; the field-sales plan measures them on team bookings
    for (name, text) in [("roster.csv", roster), ("deals.csv", csv)] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| io("write", &path, e))?;
    }
    progress.phase(&format!(
        "wrote {}/roster.csv ({payees} AEs) and {}/deals.csv ({} deals)",
        dir.display(),
        dir.display(),
        txs.len()
    ));
    Ok(())
}

fn main() -> ExitCode {
    let result = parse_args().and_then(|a| match &a.generate {
        Some(dir) => generate(dir, a.payees, a.deals),
        None => run(&a),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("{}", f.line);
            ExitCode::from(f.status)
        }
    }
}
