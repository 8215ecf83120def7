//! The quota-planning, metrics and territory computations as JSON operations: a request as JSON
//! text in, the result as compact JSON text out. The WebAssembly binding, the command-line tool
//! and the shared vectors all go through [`run_json`], so every caller gets the same bytes.
//!
//! | operation | request | result |
//! |---|---|---|
//! | `metrics` | [`MetricsRequest`] | [`MetricsReport`] |
//! | `leaderboard` | [`LeaderboardRequest`] | list of [`Rank`] |
//! | `allocateQuota` | [`AllocationRequest`] | [`Allocation`] |
//! | `rollupQuota` | [`RollupRequest`] | [`Rollup`] |
//! | `breakDownQuota` | [`BreakdownRequest`] | [`Breakdown`] |
//! | `paceQuota` | [`PacingRequest`] | [`Pacing`] |
//! | `designPlan` | [`DesignRequest`] | [`Design`] |
//! | `balanceTerritories` | [`BalanceRequest`] | [`BalanceResult`] |
//! | `transactionsFromCsv` | [`CsvImportRequest`] | [`CsvImport`] |
//!
//! ```
//! let out = payplan::ops::run_json("designPlan", r#"{"base": "90000", "targetIncentive": "60000", "quota": "900000"}"#).unwrap();
//! assert!(out.contains(r#""onTargetEarnings":"150000""#));
//! ```

use crate::error::{Error, Result};
#[cfg(feature = "csv")]
use crate::inputs::Transaction;
use crate::metrics::{MetricName, MetricsRequest, Rank};
use crate::quota::allocation::AllocationRequest;
use crate::quota::breakdown::BreakdownRequest;
use crate::quota::design::DesignRequest;
use crate::quota::pacing::PacingRequest;
use crate::quota::rollup::RollupRequest;
use crate::territory::BalanceRequest;
#[cfg(any(feature = "schema", doc))]
use crate::{
    metrics::MetricsReport, quota::allocation::Allocation, quota::breakdown::Breakdown, quota::design::Design,
    quota::pacing::Pacing, quota::rollup::Rollup, territory::BalanceResult,
};
use serde::{Deserialize, Serialize};
#[cfg(feature = "csv")]
use std::collections::BTreeMap;

/// The operations [`run_json`] knows.
pub const OPERATIONS: &[&str] = &[
    "metrics",
    "leaderboard",
    "allocateQuota",
    "rollupQuota",
    "breakDownQuota",
    "paceQuota",
    "designPlan",
    "balanceTerritories",
    "transactionsFromCsv",
];

/// A leaderboard: the metrics request, the metric to rank by, and the payees to rank (empty: the
/// request's scope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LeaderboardRequest {
    /// The metric.
    pub metric: MetricName,
    /// The payees to rank (empty: every payee of the request's scope).
    #[serde(default)]
    pub payees: Vec<String>,
    /// The window, scope and data.
    pub request: MetricsRequest,
}

/// CSV text to read into transactions, exactly as `payplan evaluate --transactions deals.csv --map
/// ... --where ...` reads a file (see [`crate::import`] for the cell formats and error codes).
///
/// Needs the crate feature `csv` (the `payplan/operations` WebAssembly module has it).
#[cfg(feature = "csv")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CsvImportRequest {
    /// The CSV text; the first row is the header.
    pub csv: String,
    /// The column map, written as the command line's `--map`: `field=header,...`, for example
    /// `id=opportunity_id,owner=sales_agent,amount=close_value`. Without it, columns are found by
    /// field name (`closeDate` or `close_date`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<String>,
    /// Keep only the rows whose cell in each named column equals the value (the command line's
    /// `--where column=value`), for example `{"deal_stage": "Won"}`.
    #[serde(default, rename = "where", skip_serializing_if = "BTreeMap::is_empty")]
    pub filters: BTreeMap<String, String>,
}

/// The transactions read from CSV: `{"transactions": [...]}`, which is itself valid evaluation
/// inputs.
#[cfg(feature = "csv")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CsvImport {
    /// One transaction per kept row, in file order.
    pub transactions: Vec<Transaction>,
}

#[cfg(feature = "csv")]
fn transactions_from_csv(request: &CsvImportRequest) -> Result<CsvImport> {
    use crate::import::ColumnMap;
    let mut map = match &request.map {
        Some(spec) => ColumnMap::parse(spec)?,
        None => ColumnMap::new(),
    };
    for (column, value) in &request.filters {
        map = map.with_row_filter(column, value);
    }
    Ok(CsvImport { transactions: crate::import::transactions_from_csv(request.csv.as_bytes(), &map)? })
}

fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::InvalidInput {
        code: "INTERNAL".into(),
        path: String::new(),
        message: e.to_string(),
    })
}

/// Runs an operation on a JSON request and returns the result as compact JSON.
///
/// Errors: `UNKNOWN_OPERATION` for a name not in [`OPERATIONS`]; `PARSE_ERROR` with the JSON
/// pointer of a malformed request; the operation's own errors (see each module).
pub fn run_json(operation: &str, request: &str) -> Result<String> {
    use crate::json::parse_serde as parse;
    match operation {
        "metrics" => to_json(&crate::metrics::compute(&parse::<MetricsRequest>("metrics request", request)?)?),
        "leaderboard" => {
            let r: LeaderboardRequest = parse("leaderboard request", request)?;
            let ranks: Vec<Rank> = crate::metrics::leaderboard(&r.request, r.metric, &r.payees)?;
            to_json(&ranks)
        }
        "allocateQuota" => {
            to_json(&crate::quota::allocation::allocate(&parse::<AllocationRequest>("allocation request", request)?)?)
        }
        "rollupQuota" => to_json(&crate::quota::rollup::rollup(&parse::<RollupRequest>("roll-up request", request)?)?),
        "breakDownQuota" => {
            to_json(&crate::quota::breakdown::break_down(&parse::<BreakdownRequest>("breakdown request", request)?)?)
        }
        "paceQuota" => to_json(&crate::quota::pacing::pace(&parse::<PacingRequest>("pacing request", request)?)?),
        "designPlan" => to_json(&crate::quota::design::design(&parse::<DesignRequest>("design request", request)?)?),
        "balanceTerritories" => {
            to_json(&crate::territory::balance(&parse::<BalanceRequest>("territory request", request)?)?)
        }
        #[cfg(feature = "csv")]
        "transactionsFromCsv" => {
            to_json(&transactions_from_csv(&parse::<CsvImportRequest>("CSV import request", request)?)?)
        }
        #[cfg(not(feature = "csv"))]
        "transactionsFromCsv" => Err(Error::InvalidInput {
            code: "UNSUPPORTED_OPERATION".into(),
            path: String::new(),
            message: "transactionsFromCsv needs the crate feature `csv`".into(),
        }),
        other => Err(Error::InvalidInput {
            code: "UNKNOWN_OPERATION".into(),
            path: String::new(),
            message: format!("unknown operation `{other}`; the operations are {}", OPERATIONS.join(", ")),
        }),
    }
}

/// Every request and result type of the operations, for the JSON Schema and the TypeScript types.
#[cfg(feature = "schema")]
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
#[serde(rename_all = "camelCase")]
pub struct Operations {
    metrics_request: MetricsRequest,
    metrics_report: MetricsReport,
    leaderboard_request: LeaderboardRequest,
    leaderboard: Vec<Rank>,
    allocation_request: AllocationRequest,
    allocation: Allocation,
    rollup_request: RollupRequest,
    rollup: Rollup,
    breakdown_request: BreakdownRequest,
    breakdown: Breakdown,
    pacing_request: PacingRequest,
    pacing: Pacing,
    design_request: DesignRequest,
    design: Design,
    balance_request: BalanceRequest,
    balance_result: BalanceResult,
    #[cfg(feature = "csv")]
    csv_import_request: CsvImportRequest,
    #[cfg(feature = "csv")]
    csv_import: CsvImport,
}
