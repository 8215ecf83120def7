//! # payplan
//!
//! Exact, explainable evaluation of sales compensation plans: commission rates, tier tables that
//! rise with quota attainment, accelerators, gates, caps, bonuses, SPIFFs, MBO scorecards, draws,
//! clawbacks and holdbacks. One Rust core, linked natively by services and compiled to WebAssembly
//! for JavaScript, so that every caller gets the same numbers to the cent, with a trace that explains
//! each amount.
//!
//! - [`Plan`] is the plan document (JSON, `schemaVersion` 1), [`Inputs`] the transactions and other
//!   inputs of a run, [`Evaluation`] the result: a [`Statement`] per payee plus the accounting of
//!   every transaction.
//! - [`validate()`] returns every problem of a plan as a [`Diagnostic`] with a stable code and a JSON
//!   pointer; [`evaluate`] refuses a plan with errors.
//! - [`metrics::compute`] gives the sales metrics (win rates, deal size, cycle length, pipeline
//!   coverage...) of a window, and [`metrics::leaderboard`] ranks payees by any of them.
//! - Money is [`rust_decimal::Decimal`]; nothing uses binary floating point. Rounding happens only
//!   where the plan's [`money::RoundingPolicy`] says.
//!
//! ```
//! use payplan::{evaluate, Inputs, Plan};
//! let plan = Plan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
//! let inputs = Inputs::from_json(r#"{"transactions": [
//!   {"id": "D-1", "owner": "ae-ana", "amount": "50000", "closeDate": "2025-01-20", "product": "Platform", "type": "new"}
//! ]}"#).unwrap();
//! let result = evaluate(&plan, &inputs, "Q1").unwrap();
//! let ana = result.statement("ae-ana").unwrap();
//! assert!(result.accounting.balanced);
//! assert_eq!(ana.credits.len(), 1);
//! ```
#![forbid(unsafe_code)]
// Nothing reachable from input may panic (a panic in WebAssembly kills the caller's instance):
// outside tests, no unwrap/expect/panic and no indexing or slicing that can go out of bounds.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]
#![warn(missing_docs)]

pub mod calendar;
pub mod columns;
pub mod credit;
pub mod engine;
pub mod error;
pub mod fx;
pub mod import;
pub mod inputs;
pub mod json;
mod jsontext;
mod jsonwrite;
pub mod limits;
pub mod metrics;
pub mod money;
pub mod ops;
pub mod plan;
pub mod quota;
pub mod sample;
#[cfg(feature = "schema")]
pub mod schema;
pub mod session;
mod small;
pub mod statement;
pub mod territory;
pub mod tiers;
pub mod validate;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use engine::{evaluate, evaluate_json, CompiledPlan, Workspace};
pub use error::{Diagnostic, Error, Result, Severity};
pub use inputs::{Inputs, Transaction};
pub use limits::Limits;
pub use plan::Plan;
pub use statement::{Evaluation, Statement};
pub use validate::{has_errors, validate, validate_json};
