//! The `payplan` command-line tool: validate plans, evaluate a period from CSV or JSON transactions,
//! print the JSON Schemas, run the demo.

use clap::{Args, Parser, Subcommand, ValueEnum};
use payplan::import::{transactions_from_path, ColumnMap};
use payplan::validate::{has_errors, validate_json};
use payplan::{Diagnostic, Error, Inputs, Plan, Severity};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Examples:
  payplan validate plans/ae.json plans/se.json
  payplan evaluate --plan plans/ae.json --transactions deals.csv --period Q1 --pretty
  payplan schema plan > plan.schema.json
  payplan demo

Errors are printed as `error CODE at PATH: message`, where PATH is a JSON pointer into the document.";

/// Exact, explainable sales-compensation plan evaluation.
#[derive(Parser)]
#[command(name = "payplan", version, about, after_help = AFTER_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Validate(ValidateArgs),
    Evaluate(EvaluateArgs),
    Schema(SchemaArgs),
    Demo(DemoArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line per diagnostic, then a summary line per file.
    Text,
    /// A JSON array of {file, diagnostics}.
    Json,
}

/// Check plan files and print every problem (errors and warnings) with its code and JSON pointer.
///
/// Exit status: 0 when no file has errors (warnings are fine), 1 when a file has errors,
/// 2 when a file cannot be read.
#[derive(Args)]
#[command(after_help = "\
Example:
  $ payplan validate plans/ae.json plans/broken.json
  plans/ae.json: ok
  plans/broken.json: error PARSE_ERROR at /components/0/caps/0/amount: ...
  plans/broken.json: 1 error")]
struct ValidateArgs {
    /// Plan files (JSON).
    #[arg(required = true, value_name = "PLAN")]
    plans: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// Evaluate a plan for a period and print the evaluation (statements, accounting, exclusions) as JSON.
///
/// Transactions come from a .csv or .json file. CSV columns are found by field name (`closeDate` or
/// `close_date`) unless --map says otherwise; other columns become attributes. On error, prints
/// `error CODE at PATH: message` on stderr (every diagnostic for an invalid plan) and exits with 1.
#[derive(Args)]
#[command(after_help = "\
Example (the CRM export of shared/data/crm, won opportunities only):
  payplan evaluate --plan plan.json --transactions sales_pipeline.csv --period Q1 \\
    --map id=opportunity_id,owner=sales_agent,amount=close_value,closeDate=close_date \\
    --where deal_stage=Won --pretty")]
struct EvaluateArgs {
    /// The plan (JSON).
    #[arg(long, value_name = "PLAN")]
    plan: PathBuf,
    /// Transactions: a .csv file, or a .json file with an array of transactions or {"transactions": [...]}.
    #[arg(long, value_name = "FILE")]
    transactions: PathBuf,
    /// The period to evaluate (a period id of the plan's calendar, for example Q1 or M03).
    #[arg(long, value_name = "P")]
    period: String,
    /// Other inputs as JSON (closed statements, scores, metrics, events, opening balances, options);
    /// the transactions of --transactions are appended to its transactions.
    #[arg(long, value_name = "INPUTS_JSON")]
    inputs: Option<PathBuf>,
    /// CSV column map `field=header,...`, for example id=opportunity_id,amount=close_value.
    #[arg(long, value_name = "COLUMN_MAP")]
    map: Option<String>,
    /// Keep only the CSV rows whose column equals the value (repeatable; all must hold).
    #[arg(long = "where", value_name = "COLUMN=VALUE")]
    filters: Vec<String>,
    /// Abort on the first transaction that would be rejected instead of listing it.
    #[arg(long)]
    strict: bool,
    /// Pretty-print the JSON (compact by default).
    #[arg(long)]
    pretty: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    /// The plan document.
    Plan,
    /// The inputs of an evaluation.
    Inputs,
    /// The result of an evaluation.
    Evaluation,
    /// A list of plan diagnostics.
    Diagnostics,
    /// Requests and results of the quota, metrics and territory operations.
    Operations,
}

/// Print the JSON Schema (draft 2020-12) of the plan document or of the inputs.
///
/// With --out DIR, writes DIR/plan.schema.json and DIR/inputs.schema.json instead (or only the one
/// named).
#[derive(Args)]
#[command(after_help = "\
Examples:
  payplan schema plan > plan.schema.json
  payplan schema --out schemas")]
struct SchemaArgs {
    /// Which schema (default: plan; with --out, both).
    #[arg(value_enum)]
    which: Option<Which>,
    /// Write the schema files into this directory (created if missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// Print the demo report: the sample plan evaluated on sample transactions.
#[derive(Args)]
#[command(after_help = "Example:\n  payplan demo")]
struct DemoArgs {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => validate(&args),
        Command::Evaluate(args) => match evaluate(&args) {
            Ok(json) => print_out(&json),
            Err(e) => {
                report(&e);
                ExitCode::from(1)
            }
        },
        Command::Schema(args) => match schema(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                report(&e);
                ExitCode::from(1)
            }
        },
        Command::Demo(DemoArgs {}) => match payplan::sample::demo_report() {
            Ok(text) => print_out(&text),
            Err(e) => {
                report(&e);
                ExitCode::from(1)
            }
        },
    }
}

/// Writes to stdout, ending with a newline; a closed pipe is not an error worth a panic.
fn print_out(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let nl = if text.ends_with('\n') || text.is_empty() { "" } else { "\n" };
    match write!(out, "{text}{nl}").and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error IO_ERROR: cannot write to standard output: {e}");
            ExitCode::from(1)
        }
    }
}

/// The message of an error without the location its `Display` repeats.
fn message(e: &Error) -> String {
    match e {
        Error::Parse { what, message, .. } => format!("{what} could not be read: {message}"),
        Error::InvalidInput { message, .. } | Error::LimitExceeded { message, .. } => message.clone(),
        Error::TransactionRejected { transaction, message, .. } => {
            format!("transaction `{transaction}` rejected: {message}")
        }
        other => other.to_string(),
    }
}

/// `error CODE at PATH: message` (without `at PATH` when there is no path).
fn error_line(e: &Error) -> String {
    match e.path() {
        Some(path) if !path.is_empty() => format!("error {} at {path}: {}", e.code(), message(e)),
        _ => format!("error {}: {}", e.code(), message(e)),
    }
}

fn report(e: &Error) {
    eprintln!("{}", error_line(e));
    if let Error::InvalidPlan { diagnostics } = e {
        for d in diagnostics {
            eprintln!("  {d}");
        }
    }
}

fn io_error(path: &Path, action: &str, e: &std::io::Error) -> Error {
    Error::InvalidInput {
        code: "IO_ERROR".to_string(),
        path: String::new(),
        message: format!("cannot {action} `{}`: {e}", path.display()),
    }
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| io_error(path, "read", &e))
}

/// Names the file in a parse error (`plan `plans/ae.json` could not be read...`).
fn in_file(e: Error, path: &Path) -> Error {
    match e {
        Error::Parse { what, path: pointer, message } => {
            Error::Parse { what: format!("{what} `{}`", path.display()), path: pointer, message }
        }
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// validate

#[derive(Serialize)]
struct FileReport<'a> {
    file: String,
    diagnostics: &'a [Diagnostic],
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diagnostics.len() - errors;
    match (errors, warnings) {
        (0, 0) => "ok".to_string(),
        (0, w) => format!("ok ({})", plural(w, "warning")),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

fn validate(args: &ValidateArgs) -> ExitCode {
    let mut unreadable = false;
    let mut invalid = false;
    let mut results = Vec::new();
    for path in &args.plans {
        let file = path.display().to_string();
        let diagnostics = match read(path) {
            Ok(text) => {
                let diagnostics = validate_json(&text);
                invalid |= has_errors(&diagnostics);
                diagnostics
            }
            Err(e) => {
                unreadable = true;
                vec![Diagnostic::error(e.code(), "", message(&e))]
            }
        };
        results.push((file, diagnostics));
    }
    let out = match args.format {
        Format::Text => {
            let mut lines = String::new();
            for (file, diagnostics) in &results {
                for d in diagnostics {
                    if d.path.is_empty() {
                        let sev = if d.severity == Severity::Error { "error" } else { "warning" };
                        lines.push_str(&format!("{file}: {sev} {}: {}\n", d.code, d.message));
                    } else {
                        lines.push_str(&format!("{file}: {d}\n"));
                    }
                }
                lines.push_str(&format!("{file}: {}\n", summary(diagnostics)));
            }
            lines
        }
        Format::Json => {
            let reports: Vec<FileReport> =
                results.iter().map(|(file, diagnostics)| FileReport { file: file.clone(), diagnostics }).collect();
            serde_json::to_string_pretty(&reports).unwrap_or_default()
        }
    };
    let printed = print_out(&out);
    if unreadable {
        ExitCode::from(2)
    } else if invalid || printed != ExitCode::SUCCESS {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

// ---------------------------------------------------------------------------------------------
// evaluate

fn usage(message: String) -> Error {
    Error::InvalidInput { code: "USAGE_ERROR".to_string(), path: String::new(), message }
}

fn column_map(args: &EvaluateArgs) -> Result<ColumnMap, Error> {
    let mut map = match &args.map {
        Some(spec) => ColumnMap::parse(spec)?,
        None => ColumnMap::new(),
    };
    for filter in &args.filters {
        let Some((column, value)) = filter.split_once('=') else {
            return Err(usage(format!(
                "--where `{filter}` is not of the form column=value (for example deal_stage=Won)"
            )));
        };
        map = map.with_row_filter(column, value);
    }
    let is_csv = args.transactions.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv && (args.map.is_some() || !args.filters.is_empty()) {
        return Err(usage(format!(
            "--map and --where apply to CSV transactions only, and `{}` is not a .csv file",
            args.transactions.display()
        )));
    }
    Ok(map)
}

fn evaluate(args: &EvaluateArgs) -> Result<String, Error> {
    let plan = Plan::from_json(&read(&args.plan)?).map_err(|e| in_file(e, &args.plan))?;
    let mut inputs = match &args.inputs {
        Some(path) => Inputs::from_json(&read(path)?).map_err(|e| in_file(e, path))?,
        None => Inputs::default(),
    };
    let map = column_map(args)?;
    let transactions = transactions_from_path(&args.transactions, &map).map_err(|e| in_file(e, &args.transactions))?;
    inputs.transactions.extend(transactions);
    if args.strict {
        inputs.options.strict = true;
    }
    let evaluation = payplan::evaluate(&plan, &inputs, &args.period)?;
    if args.pretty {
        serde_json::to_string_pretty(&evaluation).map_err(|e| usage(format!("cannot write the evaluation: {e}")))
    } else {
        Ok(evaluation.to_json())
    }
}

// ---------------------------------------------------------------------------------------------
// schema

fn schema(args: &SchemaArgs) -> Result<(), Error> {
    use payplan::schema::{all_schemas, to_pretty_json};
    let name_of = |w: Which| match w {
        Which::Plan => "plan.schema.json",
        Which::Inputs => "inputs.schema.json",
        Which::Evaluation => "evaluation.schema.json",
        Which::Diagnostics => "diagnostics.schema.json",
        Which::Operations => "operations.schema.json",
    };
    let Some(dir) = &args.out else {
        let want = name_of(args.which.unwrap_or(Which::Plan));
        if let Some((_, schema)) = all_schemas().into_iter().find(|(n, _)| *n == want) {
            print_out(&to_pretty_json(&schema));
        }
        return Ok(());
    };
    std::fs::create_dir_all(dir).map_err(|e| io_error(dir, "create the directory", &e))?;
    for (name, schema) in all_schemas() {
        if args.which.is_some_and(|w| name_of(w) != name) {
            continue;
        }
        let path = dir.join(name);
        std::fs::write(&path, to_pretty_json(&schema)).map_err(|e| io_error(&path, "write", &e))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
