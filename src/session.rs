//! Live preview sessions: what one more deal (or a changed or removed one) does to a payee's pay.
//!
//! A [`Session`] belongs to one payee and one period. It holds the payee's credit lines of the
//! period in processing order and the running state of every component (measure totals, band
//! positions, per-band sums, carried excess), so that a CRM page can show "this deal pays you
//! 1,840.00, crosses into band 1 (1.5 x 8%) and takes you to 104% of quota" on every keystroke:
//!
//! ```
//! use payplan::{session::Session, CompiledPlan, Inputs, Transaction};
//! let plan = CompiledPlan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
//! let inputs = Inputs::from_json(r#"{"transactions": [
//!   {"id": "d1", "owner": "ae-ana", "amount": "150000", "closeDate": "2025-02-10"}
//! ]}"#).unwrap();
//! let mut session = Session::open(&plan, &inputs, "ae-ana", "Q1").unwrap();
//! assert_eq!(session.payout().to_string(), "12000.00"); // 8% of 150,000
//!
//! // the deal being edited: 100,000 takes Ana from 75% to 125% of her 200,000 quota
//! let deal: Transaction = serde_json::from_str(
//!     r#"{"id": "d2", "owner": "ae-ana", "amount": "100000", "closeDate": "2025-03-20"}"#).unwrap();
//! let p = session.preview(&deal).unwrap();
//! // 50,000 at 8% up to quota, 50,000 at 1.5 x 8% above it
//! assert_eq!(p.payout.change.to_string(), "10000.00");
//! assert_eq!(p.bands_crossed[0].to, Some(1));
//! assert_eq!(p.mode, payplan::session::Mode::Incremental);
//!
//! session.upsert(deal).unwrap();                      // the deal is saved
//! assert_eq!(session.payout().to_string(), "22000.00");
//! ```
//!
//! # Cost
//! In [`Mode::Incremental`] a preview or a save costs work proportional to the bands the deal
//! crosses. A deal credited before other lines of a marginal table whose lines are rounded one by
//! one (a back-dated deal) moves the running basis of the later lines: the table keeps per-band
//! sums of its lines' pay at marks about every 16 lines, so that the preview re-rates only the
//! lines across a band bound and at the ends of each band's range of lines, not every later line
//! (see `session/shift.rs`; work proportional to the bands times 16, plus the logarithm of the
//! number of lines). Saving it ([`Session::upsert`], [`Session::remove`]) computes the pay the
//! same way and moves the later lines' state instead of rating them again: one move of the
//! compact lines and a few integer additions per mark (see `session/save.rs`;
//! [`Session::last_save_rerated`] tells whether a save did). Without those sums (a table with
//! more than 8 paying bands, lines rounded only in the total) or after a credit memo (a negative
//! credit, which lowers the basis), a back-dated preview or save re-rates the lines after it.
//! Retroactive tables keep one running sum per band, so re-rating every line when the reached
//! band changes costs one addition per band.
//!
//! # Exactness
//! A session gives the same figures as a full [`CompiledPlan::evaluate`] over the same
//! transactions: tests check this after random additions, changes and removals. Plans or edits
//! whose effect is not local to the period fall back to [`Mode::Replay`], which re-evaluates the
//! payee's transactions with the full engine (exact, and proportional to the payee's history):
//! draws or holdbacks that apply to the payee; components with year-to-date scope, payout curves
//! or two-dimensional tables; gates or multipliers on the manager's figures; a deal that is
//! cancelled by the end of the period or credited in an earlier period. [`Session::mode`] says
//! which one a session uses and [`Session::replay_reason`] why.
//!
//! When opening, the session also computes every component from its own state and compares it
//! with the engine's statement; it only uses the incremental path when they agree.

use crate::credit::{credit_all, Credit, CreditContext, Fate};
use crate::engine::components::{resolve_table, CompState, ResolvedTable, TableSpec};
use crate::engine::{pad, selects, unit_value, CompiledPlan, Ctx};
use crate::error::Error;
use crate::inputs::{Inputs, Transaction};
use crate::money::{Checked, RoundingStage};
use crate::plan::{
    Basis, Bounds, CapPer, ComponentKind, CurveOutput, Filter, Indicator, MeasureKind, Rate, Scope, TierMethod, Whose,
};
use crate::statement::{BandSlice, Figures, MeasureResult, Note, PayLine, Statement};
use crate::tiers::{band_at, resolve_rate, PayRate};
use crate::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::cmp::Ordering;

mod edit;
mod lines;
mod save;
mod shift;
mod store;
mod write;
pub use edit::EditPreview;

/// How a session computes previews.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// From the session's running state: cost proportional to the bands crossed (see the
    /// [module docs](self) for back-dated deals).
    Incremental,
    /// By re-evaluating the payee's transactions with the full engine.
    Replay,
}

/// An amount before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Before the change.
    pub before: Decimal,
    /// After the change.
    pub after: Decimal,
    /// `after - before`.
    pub change: Decimal,
}

/// A component's pay before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ComponentChange {
    /// Component id.
    pub component: String,
    /// Its pay this period, before and after.
    #[serde(flatten)]
    pub amount: Change,
}

/// A measure's figures before and after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct MeasureChange {
    /// Measure id.
    pub measure: String,
    /// This period's figures before.
    pub before: Figures,
    /// This period's figures after.
    pub after: Figures,
}

/// The band a tier table's running basis reaches, before and after a change (band indices from
/// 0; `None` below the first band).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BandCrossing {
    /// Component id.
    pub component: String,
    /// Band reached before.
    pub from: Option<usize>,
    /// Band reached after.
    pub to: Option<usize>,
    /// The rate of the band reached after, as written (`1.5 x 8%`).
    pub rate: Option<String>,
}

/// A pay line of the previewed transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PreviewLine {
    /// Component id.
    pub component: String,
    /// The line, with its band slices and explanation.
    #[serde(flatten)]
    pub line: PayLine,
}

/// What a change does to the payee's statement of the session's period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Preview {
    /// The transaction added, changed or removed.
    pub transaction: String,
    /// How it was computed.
    pub mode: Mode,
    /// Whether the transaction credits the payee in the session's period.
    pub credited: bool,
    /// Pay per component (every component that applies to the payee, in plan order).
    pub components: Vec<ComponentChange>,
    /// Earnings (the components' sum).
    pub earnings: Change,
    /// The payout (earnings plus adjustments, rounded by the plan's policy).
    pub payout: Change,
    /// Measure figures for the period (value, quota, attainment).
    pub measures: Vec<MeasureChange>,
    /// Tier tables whose reached band changes (incremental mode only).
    pub bands_crossed: Vec<BandCrossing>,
    /// The pay lines of the transaction (incremental mode: computed for the preview; replay mode:
    /// taken from the recomputed statement).
    pub lines: Vec<PreviewLine>,
    /// Why the transaction does not count, when it does not.
    pub notes: Vec<Note>,
}

/// A session's current figures (what [`Session::summary`] returns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionSummary {
    /// Payee id.
    pub payee: String,
    /// Period id.
    pub period: String,
    /// How previews are computed.
    pub mode: Mode,
    /// Why the session replays (absent in incremental mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_reason: Option<String>,
    /// Number of transactions held.
    pub transactions: usize,
    /// Pay per component, in plan order.
    pub components: Vec<ComponentAmount>,
    /// Earnings.
    pub earnings: Decimal,
    /// Payout.
    pub payout: Decimal,
    /// Measure figures, as on the statement.
    pub measures: Vec<MeasureResult>,
    /// The band each tier table's running basis has reached.
    pub bands: Vec<BandReached>,
}

/// A component's pay in a [`SessionSummary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ComponentAmount {
    /// Component id.
    pub component: String,
    /// Pay this period.
    pub amount: Decimal,
}

/// The band a tier table has reached (incremental mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct BandReached {
    /// Component id.
    pub component: String,
    /// Band index from 0 (`None` below the first band).
    pub band: Option<usize>,
    /// Its rate as written.
    pub rate: Option<String>,
}

/// The root of the session JSON Schema: what the preview-session calls return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct SessionTypes {
    /// A preview.
    pub preview: Preview,
    /// A summary.
    pub summary: SessionSummary,
}

/// The figures a session keeps current.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    components: Vec<(String, Decimal)>,
    earnings: Decimal,
    payout: Decimal,
    measures: Vec<MeasureResult>,
    bands: Vec<(String, Option<usize>, Option<String>)>,
}

impl Outcome {
    fn from_statement(st: &Statement) -> Self {
        Self {
            components: st.components.iter().map(|c| (c.component.clone(), c.amount)).collect(),
            earnings: st.earnings,
            payout: st.payout,
            measures: st.measures.clone(),
            bands: Vec::new(),
        }
    }
}

/// A credit line of the payee in the session's period, compactly.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KLine {
    date: NaiveDate,
    /// index into the session's transactions (`u32::MAX`: the previewed transaction)
    txn: u32,
    rule: u32,
    reversal: bool,
    /// bit `m`: counted by measure `m`
    counts: u64,
    share: Decimal,
    amount: Decimal,
    quantity: Decimal,
    deals: Decimal,
}

const PREVIEWED: u32 = u32::MAX;

/// The previewed transaction's lines in the period (and whether it also credits another period),
/// or why it does not count.
type Credited = std::result::Result<(Vec<KLine>, bool), Vec<Note>>;

impl KLine {
    fn counted(&self, m: usize) -> bool {
        m < 64 && self.counts & (1u64 << m) != 0
    }

    fn credit(&self) -> Credit {
        Credit {
            txn: self.txn as usize,
            payee: 0,
            rule: self.rule as usize,
            share: self.share,
            amount: self.amount,
            quantity: self.quantity,
            deals: self.deals,
            date: self.date,
            period: 0,
            reversal: self.reversal,
            fx: None,
            trace: String::new(),
        }
    }
}

#[derive(Debug, Clone)]
struct KMeasure {
    kind: MeasureKind,
    /// this period's value
    value: Decimal,
    /// the value of the earlier periods of the year
    before: Decimal,
    quota: Option<Decimal>,
    quota_ytd: Option<Decimal>,
    has_quota: bool,
    /// counted lines of earlier periods, and of this one
    lines_before: usize,
    lines_now: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// each line's pay depends on the line alone
    Independent,
    /// a line's pay depends on the running basis before it
    Sequential,
    /// every line is paid at the band the period's total reaches
    Retroactive,
}

#[derive(Debug, Clone)]
enum Calc {
    Table {
        m: usize,
        table: ResolvedTable,
        order: Order,
        /// each line's pay (sequential tables without per-band sums: those rate a line when needed)
        pays: lines::Nums,
        /// the running basis before the line of each mark (sequential tables; see [`lines::Marks`])
        cum: lines::Nums,
        band_sums: Vec<Decimal>,
        /// per-band sums for moving lines without re-rating them (marginal tables whose lines are
        /// rounded; see [`shift`])
        shift: Option<shift::Shift>,
    },
    Spiff {
        m: usize,
        filter: Filter,
        from: NaiveDate,
        to: NaiveDate,
        rate: Option<PayRate>,
    },
    Milestone {
        m: usize,
        basis: Basis,
        ytd: bool,
        levels: Vec<(Decimal, Decimal)>,
    },
    Fixed,
}

#[derive(Debug, Clone)]
struct KComp {
    c: usize,
    id: String,
    calc: Calc,
    /// pay of the lines and bonuses, before gate, multipliers and caps
    base: Decimal,
    amount: Decimal,
    carry_in: Decimal,
    paid_ytd: Decimal,
}

#[derive(Debug, Clone)]
struct Kernel {
    lines: lines::Lines,
    measures: Vec<KMeasure>,
    comps: Vec<KComp>,
    adjustments: Decimal,
}

/// A change to the session's transactions.
struct Edit<'t> {
    /// index of the transaction removed or replaced
    remove: Option<usize>,
    /// the transaction added or replacing it
    add: Option<&'t Transaction>,
}

/// The state after an edit, computed without changing the session.
struct After {
    first: usize,
    /// the lines removed, and the lines added with the old lines they go before (see
    /// [`lines::Lines::edit`])
    removed: Vec<usize>,
    at: Vec<usize>,
    added: Vec<KLine>,
    values: Vec<Decimal>,
    lines_now: Vec<usize>,
    comps: Vec<CompAfter>,
    outcome: Outcome,
    lines: Vec<PreviewLine>,
}

struct CompAfter {
    base: Decimal,
    amount: Decimal,
    /// the pay and running basis of the lines from `first` on, when they were rated (`None`:
    /// from the per-band sums)
    tail: Option<(Vec<Decimal>, Vec<Decimal>)>,
    band_sums: Vec<Decimal>,
}

/// A live preview session for one payee and one period. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct Session {
    plan: CompiledPlan,
    payee: usize,
    period: usize,
    /// payee positions sorted by id (looked up by binary search)
    payee_order: Vec<usize>,
    /// the payee's transactions, in input order (compact columns; removed slots stay until a
    /// rebuild)
    txns: store::Store,
    /// positions in `txns` of the transactions held, sorted by id
    ids: Vec<u32>,
    /// the inputs other than transactions
    rest: Inputs,
    kernel: Option<Kernel>,
    replay_reason: Option<String>,
    current: Outcome,
    /// the plan currency's rounding scale, and whether lines are rounded (looked up once)
    scale: u32,
    round_lines: bool,
    /// the deal being edited (the keystroke path), and its reused buffers
    draft: Option<edit::Draft>,
    /// lines the last save rated again (`None`: it rebuilt the state with the engine)
    rerated: Option<usize>,
    scratch: edit::Scratch,
}

fn invalid(code: &str, path: &str, message: String) -> Error {
    Error::InvalidInput { code: code.into(), path: path.into(), message }
}

fn figures(value: Decimal, quota: Option<Decimal>, money: bool, scale: u32) -> Result<Figures> {
    let attainment = match quota {
        Some(q) if !q.is_zero() => Some(value.div_c(q, "an attainment")?.round_dp(6).normalize()),
        _ => None,
    };
    let (value, quota) = if money {
        (pad(value, scale), quota.map(|q| pad(q, scale)))
    } else {
        (value.normalize(), quota.map(|q| q.normalize()))
    };
    Ok(Figures { value, quota, attainment })
}

impl Session {
    /// Opens a session for `payee` in `period` over `inputs` (only the transactions that credit
    /// the payee are kept).
    ///
    /// Errors: an unknown payee (`UNKNOWN_PAYEE`) or period (`UNKNOWN_PERIOD`), and every error a
    /// full evaluation of `inputs` gives.
    pub fn open(plan: &CompiledPlan, inputs: &Inputs, payee: &str, period: &str) -> Result<Session> {
        let p = plan.plan().payees.iter().position(|x| x.id == payee).ok_or_else(|| {
            invalid("UNKNOWN_PAYEE", "/payee", format!("`{payee}` is not a payee of plan `{}`", plan.plan().id))
        })?;
        let Some(k) = plan.periods().iter().position(|x| x.id == period) else {
            return Err(Error::UnknownPeriod { period: period.to_string(), known: plan.period_ids().join(", ") });
        };
        plan.check_inputs(inputs)?;
        // the transactions that concern the payee: those credited to them (and to their managers
        // when an indicator reads the manager's figures)
        // (figures only: the credit lines' traces are not read)
        let found = Ctx::figures_only(plan.plan(), inputs, plan.periods().to_vec(), k)?;
        let mut wanted = vec![false; plan.plan().payees.len()];
        if let Some(w) = wanted.get_mut(p) {
            *w = true;
        }
        if reads_manager(plan, p) {
            for kk in 0..=k {
                if let Some(w) = found.manager_at(p, kk).and_then(|m| wanted.get_mut(m)) {
                    *w = true;
                }
            }
        }
        let mut keep = vec![false; inputs.transactions.len()];
        for l in &found.lines {
            if wanted.get(l.payee).copied().unwrap_or(false) {
                if let Some(x) = keep.get_mut(l.txn) {
                    *x = true;
                }
            }
        }
        let mut txns = store::Store::default();
        for (t, _) in inputs.transactions.iter().zip(&keep).filter(|(_, k)| **k) {
            txns.push(t.clone());
        }
        let rest = Inputs { transactions: Vec::new(), ..inputs.clone() };
        let payees = &plan.plan().payees;
        let mut payee_order: Vec<usize> = (0..payees.len()).collect();
        crate::small::sort_indices(&mut payee_order, &|a, b| {
            payees.get(a).map(|x| x.id.as_str()).cmp(&payees.get(b).map(|x| x.id.as_str()))
        });
        let mut s = Session {
            plan: plan.clone(),
            payee: p,
            period: k,
            payee_order,
            ids: Vec::new(),
            txns,
            rest,
            kernel: None,
            replay_reason: None,
            scale: {
                let p = plan.plan();
                p.rounding.scale_for(p.minor_units(&p.currency).unwrap_or(2))
            },
            round_lines: plan.plan().rounding.stage == RoundingStage::Line,
            draft: None,
            rerated: None,
            scratch: edit::Scratch::default(),
            current: Outcome {
                components: Vec::new(),
                earnings: Decimal::ZERO,
                payout: Decimal::ZERO,
                measures: Vec::new(),
                bands: Vec::new(),
            },
        };
        if keep.iter().all(|k| *k) {
            // (every transaction concerns the payee, as when a CRM passes the rep's own deals:
            // the session's transactions are the inputs', in their order, and the context made
            // to find them is the one the rebuild would make again)
            s.txns.shrink();
            s.reindex();
            let (current, kernel, reason) = s.evaluate_state(&found, inputs)?;
            (s.current, s.kernel, s.replay_reason) = (current, kernel, reason);
        } else {
            // (its lines, of every transaction, freed before the rebuild makes the payee's)
            drop(found);
            s.rebuild()?;
        }
        Ok(s)
    }

    /// The payee id.
    pub fn payee(&self) -> &str {
        self.plan.plan().payees.get(self.payee).map(|x| x.id.as_str()).unwrap_or("")
    }

    /// The period id.
    pub fn period(&self) -> &str {
        self.plan.periods().get(self.period).map(|x| x.id.as_str()).unwrap_or("")
    }

    /// How previews are computed.
    pub fn mode(&self) -> Mode {
        if self.kernel.is_some() {
            Mode::Incremental
        } else {
            Mode::Replay
        }
    }

    /// Why the session replays instead of working incrementally (`None` in incremental mode).
    pub fn replay_reason(&self) -> Option<&str> {
        self.replay_reason.as_deref()
    }

    /// The number of transactions held.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the session holds no transaction.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The payout of the period, as the statement would show it.
    pub fn payout(&self) -> Decimal {
        self.current.payout
    }

    /// The earnings of the period.
    pub fn earnings(&self) -> Decimal {
        self.current.earnings
    }

    /// Pay per component (component id, amount), in plan order.
    pub fn components(&self) -> &[(String, Decimal)] {
        &self.current.components
    }

    /// The measure figures, as on the statement.
    pub fn measures(&self) -> &[MeasureResult] {
        &self.current.measures
    }

    /// The inputs the session stands for: its transactions and the other inputs it was opened
    /// with.
    pub fn inputs(&self) -> Inputs {
        Inputs { transactions: self.txns.all(), ..self.rest.clone() }
    }

    /// The current figures.
    pub fn summary(&self) -> SessionSummary {
        SessionSummary {
            payee: self.payee().to_string(),
            period: self.period().to_string(),
            mode: self.mode(),
            replay_reason: self.replay_reason.clone(),
            transactions: self.len(),
            components: self
                .current
                .components
                .iter()
                .map(|(c, a)| ComponentAmount { component: c.clone(), amount: *a })
                .collect(),
            earnings: self.current.earnings,
            payout: self.current.payout,
            measures: self.current.measures.clone(),
            bands: self
                .current
                .bands
                .iter()
                .map(|(c, b, r)| BandReached { component: c.clone(), band: *b, rate: r.clone() })
                .collect(),
        }
    }

    /// [`Session::preview`] with the transaction as JSON text; the preview as compact JSON.
    pub fn preview_json(&self, txn: &str) -> Result<String> {
        let t = crate::json::transaction_from_text(txn)?;
        Ok(to_json(&self.preview(&t)?))
    }

    /// [`Session::upsert`] with the transaction as JSON text; the change as compact JSON.
    pub fn upsert_json(&mut self, txn: &str) -> Result<String> {
        let t = crate::json::transaction_from_text(txn)?;
        Ok(to_json(&self.upsert(t)?))
    }

    /// The payee's full statement for the period, with every line and trace (a full evaluation of
    /// the session's transactions).
    pub fn statement(&self) -> Result<Statement> {
        let ev = self.plan.evaluate(&self.inputs(), self.period())?;
        ev.statements.into_iter().find(|s| s.payee == self.payee()).ok_or_else(|| Error::overflow("a statement"))
    }

    /// What adding `txn` would do (or replacing the transaction with the same id). Nothing changes.
    ///
    /// A transaction the plan rejects (no credit date, unknown owner...) gives
    /// [`Error::TransactionRejected`]; one that does not credit the payee in the period gives a
    /// preview with no change and a note saying why.
    pub fn preview(&self, txn: &Transaction) -> Result<Preview> {
        let remove = self.find(&txn.id);
        self.preview_edit(&Edit { remove, add: Some(txn) }, &txn.id)
    }

    /// What removing the transaction `id` would do.
    pub fn preview_remove(&self, id: &str) -> Result<Preview> {
        let remove = Some(self.index_of(id)?);
        self.preview_edit(&Edit { remove, add: None }, id)
    }

    /// Adds `txn`, or replaces the transaction with the same id; returns what it changed.
    pub fn upsert(&mut self, txn: Transaction) -> Result<Preview> {
        let remove = self.find(&txn.id);
        let (preview, after) = self.compute(&Edit { remove, add: Some(&txn) }, &txn.id, true)?;
        self.commit(remove, Some(txn), after)?;
        Ok(preview)
    }

    /// How many credit lines the last [`Session::upsert`] or [`Session::remove`] rated again
    /// (summed over the tables that rate them one after the other): `Some(0)` when the lines
    /// after the edit were moved without rating them (a marginal table with per-band sums, see
    /// the [module docs](self#cost)), `None` when the session's state was built again by a full
    /// evaluation (replay mode, or magnitudes beyond the exact sums) or nothing was saved yet.
    pub fn last_save_rerated(&self) -> Option<usize> {
        self.rerated
    }

    /// Removes the transaction `id`; returns what it changed.
    pub fn remove(&mut self, id: &str) -> Result<Preview> {
        let remove = Some(self.index_of(id)?);
        let (preview, after) = self.compute(&Edit { remove, add: None }, id, true)?;
        self.commit(remove, None, after)?;
        Ok(preview)
    }

    fn index_of(&self, id: &str) -> Result<usize> {
        self.find(id)
            .ok_or_else(|| invalid("UNKNOWN_TRANSACTION", "/id", format!("the session holds no transaction `{id}`")))
    }

    fn preview_edit(&self, edit: &Edit<'_>, id: &str) -> Result<Preview> {
        Ok(self.compute(edit, id, false)?.0)
    }

    /// The inputs of the engine with an edit applied.
    fn edited_inputs(&self, edit: &Edit<'_>) -> Inputs {
        let mut transactions = Vec::with_capacity(self.ids.len() + 1);
        for i in 0..self.txns.len() {
            if Some(i) == edit.remove {
                if let Some(a) = edit.add {
                    transactions.push(a.clone());
                }
                continue;
            }
            if let Some(t) = self.txns.get(i) {
                transactions.push(t);
            }
        }
        if let (None, Some(a)) = (edit.remove, edit.add) {
            transactions.push(a.clone());
        }
        Inputs { transactions, ..self.rest.clone() }
    }

    /// Applies an edit: the transactions, and the kernel's state (or a full rebuild after a replay).
    fn commit(&mut self, remove: Option<usize>, add: Option<Transaction>, after: Option<After>) -> Result<()> {
        if let Some(d) = self.draft.as_mut() {
            d.invalidate();
        }
        self.rerated = None;
        match (remove, add) {
            (Some(i), Some(t)) => self.txns.set(i, t),
            (Some(i), None) => {
                // (found by its id before the slot goes)
                let at = self.ids.partition_point(|&j| self.id_at(j as usize) < self.id_at(i));
                if self.ids.get(at).is_some_and(|&j| j as usize == i) {
                    self.ids.remove(at);
                } else {
                    self.ids.retain(|&j| j as usize != i);
                }
                self.txns.remove(i);
            }
            (None, Some(t)) => {
                let at = self.ids.partition_point(|&j| self.id_at(j as usize) < t.id.as_str());
                self.txns.push(t);
                self.ids.insert(at, self.txns.len().saturating_sub(1) as u32);
            }
            (None, None) => {}
        }
        let (Some(after), Some(mut kernel)) = (after, self.kernel.take()) else {
            return self.rebuild();
        };
        // the previewed transaction's lines now belong to the session
        let index = match remove {
            Some(i) => i,
            None => self.txns.len().saturating_sub(1),
        } as u32;
        let After { first, removed, at, mut added, values, lines_now, comps, outcome, .. } = after;
        for l in &mut added {
            if l.txn == PREVIEWED {
                l.txn = index;
            }
        }
        for (m, v) in kernel.measures.iter_mut().enumerate() {
            v.value = values.get(m).copied().unwrap_or(v.value);
            v.lines_now = lines_now.get(m).copied().unwrap_or(v.lines_now);
        }
        let mut rated = Vec::with_capacity(comps.len());
        for (kc, ca) in kernel.comps.iter_mut().zip(comps) {
            kc.base = ca.base;
            kc.amount = ca.amount;
            if let Calc::Table { band_sums, order: Order::Retroactive, .. } = &mut kc.calc {
                *band_sums = ca.band_sums;
            }
            rated.push(ca.tail.map(|t| t.0));
        }
        let count = rated.iter().flatten().map(|p| p.len()).sum();
        let across: Vec<bool> = kernel.comps.iter().map(Session::keeps_across).collect();
        // the lines, marks and tables' state moved in place (a sum beyond what they add exactly:
        // built again)
        if self.save(&mut kernel, first, &removed, &at, added, rated).is_err() {
            return self.rebuild();
        }
        // (the lines across the bounds before the edit stay: found again from it on)
        for (i, kept) in across.into_iter().enumerate() {
            if self.keep_across(&mut kernel, i, if kept { first } else { 0 }).is_err() {
                return self.rebuild();
            }
        }
        self.rerated = Some(count);
        self.kernel = Some(kernel);
        self.current = outcome;
        Ok(())
    }

    fn id_at(&self, i: usize) -> &str {
        self.txns.id(i).unwrap_or("")
    }

    /// The position in `txns` of the transaction `id`.
    fn find(&self, id: &str) -> Option<usize> {
        self.ids
            .binary_search_by(|&i| self.id_at(i as usize).cmp(id))
            .ok()
            .and_then(|k| self.ids.get(k).map(|&i| i as usize))
    }

    fn reindex(&mut self) {
        let mut ids: Vec<usize> = (0..self.txns.len()).filter(|&i| self.txns.alive(i)).collect();
        crate::small::sort_indices(&mut ids, &|a, b| self.id_at(a).cmp(self.id_at(b)));
        self.ids = ids.into_iter().map(|i| i as u32).collect();
    }

    /// Recomputes everything from the transactions with the full engine, and builds the
    /// incremental state when the plan allows it and it agrees with the engine.
    fn rebuild(&mut self) -> Result<()> {
        // the engine numbers the transactions without the removed ones
        self.txns = self.txns.compacted();
        self.reindex();
        // (a rebuild that fails leaves the session replaying, not on the state before the edit)
        self.kernel = None;
        let inputs = self.inputs();
        // (figures only: the statement's amounts, measures and steps, without credit lines, pay
        // lines or traces, which the session does not read)
        let ctx = Ctx::figures_only(self.plan.plan(), &inputs, self.plan.periods().to_vec(), self.period)?;
        let (current, kernel, reason) = self.evaluate_state(&ctx, &inputs)?;
        drop(ctx);
        (self.current, self.kernel, self.replay_reason) = (current, kernel, reason);
        Ok(())
    }

    /// The figures of the payee's statement over `ctx` (a context of `inputs`, whose transactions
    /// are the session's, in its order), and the incremental state when the plan allows it and it
    /// agrees with the engine (otherwise why the session replays).
    fn evaluate_state(&self, ctx: &Ctx<'_>, inputs: &Inputs) -> Result<(Outcome, Option<Kernel>, Option<String>)> {
        let plan = self.plan.plan();
        crate::engine::check_closed(plan, inputs, self.plan.periods(), self.period)?;
        let (ev, states) = ctx.run_capturing(Some(self.payee))?;
        let payee_id = plan.payees.get(self.payee).map(|x| x.id.as_str()).unwrap_or("");
        let st = ev.statements.iter().find(|s| s.payee == payee_id).ok_or_else(|| Error::overflow("a statement"))?;
        let mut current = Outcome::from_statement(st);
        Ok(match self.build_kernel(ctx, &states, st)? {
            Ok(kernel) => {
                current.bands = bands(&kernel, &kernel.measures.iter().map(|m| m.value).collect::<Vec<_>>());
                (current, Some(kernel), None)
            }
            Err(reason) => (current, None, Some(reason)),
        })
    }

    /// The incremental state, or why the session must replay.
    fn build_kernel(
        &self,
        ctx: &Ctx<'_>,
        states: &[CompState],
        st: &Statement,
    ) -> Result<std::result::Result<Kernel, String>> {
        let plan = ctx.plan;
        let (p, k) = (self.payee, self.period);
        let Some(payee) = plan.payees.get(p) else { return Ok(Err("unknown payee".into())) };
        if plan.measures.len() > 64 {
            return Ok(Err("more than 64 measures".into()));
        }
        if plan.payments.draws.iter().any(|d| selects(&d.roles, &d.payees, payee)) {
            return Ok(Err("a draw applies to the payee".into()));
        }
        let applies = |c: usize| ctx.applies.get(c).and_then(|a| a.get(p)).copied().unwrap_or(false);
        for h in &plan.payments.holdbacks {
            if h.components.is_empty()
                || plan.components.iter().enumerate().any(|(c, comp)| applies(c) && h.components.contains(&comp.id))
            {
                return Ok(Err(format!("holdback `{}` applies to the payee's pay", h.id)));
            }
        }
        let end = self.plan.periods().get(k).map(|x| x.end);
        let line_ids = ctx.by_payee.get(p).map(|v| v.as_slice()).unwrap_or(&[]);
        let own: Vec<&Credit> = line_ids.iter().filter_map(|&i| ctx.lines.get(i)).filter(|l| l.period == k).collect();
        if plan.payments.clawback.is_some() {
            for l in &own {
                let t = self.txns.get(l.txn);
                if !l.reversal && t.and_then(|t| t.cancellation_date).is_some_and(|c| end.is_some_and(|e| c <= e)) {
                    return Ok(Err("a transaction of the period is cancelled in it (clawback)".into()));
                }
            }
        }
        let lines: Vec<KLine> = line_ids
            .iter()
            .filter_map(|&i| ctx.lines.get(i).map(|l| (i, l)))
            .filter(|(_, l)| l.period == k)
            .map(|(i, l)| {
                let mut counts = 0u64;
                for m in 0..plan.measures.len() {
                    if ctx.counts.get(m).and_then(|c| c.get(i)).copied().unwrap_or(false) {
                        counts |= 1 << m;
                    }
                }
                KLine {
                    date: l.date,
                    txn: l.txn as u32,
                    rule: l.rule as u32,
                    reversal: l.reversal,
                    counts,
                    share: l.share,
                    amount: l.amount,
                    quantity: l.quantity,
                    deals: l.deals,
                }
            })
            .collect();
        let mut measures = Vec::with_capacity(plan.measures.len());
        for (m, measure) in plan.measures.iter().enumerate() {
            let value = ctx.value(p, m, k, false)?;
            let ytd = ctx.value(p, m, k, true)?;
            let counted = |i: &usize| ctx.counts.get(m).and_then(|c| c.get(*i)).copied().unwrap_or(false);
            measures.push(KMeasure {
                kind: measure.kind,
                value,
                before: ytd.sub_c(value, "a year-to-date value")?,
                quota: ctx.quota(p, m, k, false)?,
                quota_ytd: ctx.quota(p, m, k, true)?,
                has_quota: ctx.quotas.get(p, m).is_some_and(|q| q.iter().any(Option::is_some)),
                lines_before: line_ids
                    .iter()
                    .filter(|i| counted(i) && ctx.lines.get(**i).is_some_and(|l| l.period < k))
                    .count(),
                lines_now: lines.iter().filter(|l| l.counted(m)).count(),
            });
        }
        let mut comps = Vec::new();
        for (c, comp) in plan.components.iter().enumerate() {
            if !applies(c) {
                continue;
            }
            let indicators = comp.gate.iter().map(|g| &g.on).chain(comp.multipliers.iter().map(|x| &x.on));
            for ind in indicators {
                if ind.of == Whose::Manager {
                    return Ok(Err(format!("component `{}` reads the manager's figures", comp.id)));
                }
            }
            let state = states.get(c).cloned().unwrap_or_default();
            let mi = |id: &str| plan.measures.iter().position(|x| x.id == id).unwrap_or(usize::MAX);
            let calc = match &comp.kind {
                ComponentKind::Rate { measure, rate } => {
                    let tiers = [crate::plan::Tier { from: Decimal::MIN, to: None, rate: *rate }];
                    let spec = spec(
                        measure,
                        Basis::Value,
                        TierMethod::Marginal,
                        Scope::Period,
                        Bounds::HalfOpen,
                        None,
                        &tiers,
                        None,
                    );
                    table_calc(ctx, comp, &spec, p, k, mi(measure))?
                }
                ComponentKind::Tiered {
                    measure, basis, method, scope, bounds, base_rate, tiers, basis_cap, ..
                } => {
                    if *scope == Scope::YearToDate {
                        return Ok(Err(format!("component `{}` has year-to-date scope", comp.id)));
                    }
                    if *method == TierMethod::Interpolated {
                        return Ok(Err(format!("component `{}` is a payout curve", comp.id)));
                    }
                    let spec = spec(measure, *basis, *method, *scope, *bounds, base_rate.as_ref(), tiers, *basis_cap);
                    table_calc(ctx, comp, &spec, p, k, mi(measure))?
                }
                ComponentKind::Spiff { measure, filter, window, rate } => Calc::Spiff {
                    m: mi(measure),
                    filter: filter.clone(),
                    from: window.from,
                    to: window.to,
                    rate: resolve_rate(rate, None)?,
                },
                ComponentKind::Milestone { measure, basis, scope, levels } => Calc::Milestone {
                    m: mi(measure),
                    basis: *basis,
                    ytd: *scope == Scope::YearToDate,
                    levels: levels
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *scope != Scope::YearToDate || !state.milestones.contains(i))
                        .map(|(_, l)| (l.at, ctx.line_round(l.amount)))
                        .collect(),
                },
                ComponentKind::Mbo { .. } => Calc::Fixed,
                ComponentKind::Matrix { .. } => {
                    return Ok(Err(format!("component `{}` is a two-dimensional table", comp.id)));
                }
            };
            // a fixed (MBO) base is what the objectives pay: the statement's objective steps
            let base = match &calc {
                Calc::Fixed => st
                    .components
                    .iter()
                    .find(|r| r.component == comp.id)
                    .map(|r| {
                        crate::money::sum_c(
                            r.steps.iter().filter(|s| s.kind == "objective").map(|s| s.amount),
                            "an MBO",
                        )
                    })
                    .transpose()?
                    .unwrap_or_default(),
                _ => Decimal::ZERO,
            };
            comps.push(KComp {
                c,
                id: comp.id.clone(),
                calc,
                base,
                amount: Decimal::ZERO,
                carry_in: state.carry,
                paid_ytd: state.paid_ytd,
            });
        }
        let adjustments = crate::money::sum_c(st.adjustments.iter().map(|a| a.amount), "adjustments")?;
        comps.shrink_to_fit();
        let mut kernel = Kernel { lines: lines::Lines::from_vec(lines), measures, comps, adjustments };
        // compute every component from the kernel's own state, and check it against the engine
        let all: Vec<KLine> = kernel.lines.iter().collect();
        let after = self.evaluate_kernel(&kernel, 0, &all, None)?;
        drop(all);
        let engine: Vec<(String, Decimal)> = st.components.iter().map(|c| (c.component.clone(), c.amount)).collect();
        let ours: Vec<(String, Decimal)> =
            after.outcome.components.iter().map(|(id, a)| (id.clone(), pad(*a, self.scale()))).collect();
        if ours != engine || after.outcome.payout != st.payout || after.outcome.measures != st.measures {
            return Ok(Err("the incremental state disagreed with the engine".into()));
        }
        for (kc, ca) in kernel.comps.iter_mut().zip(after.comps) {
            kc.base = ca.base;
            kc.amount = ca.amount;
            if let Calc::Table { m, table, order, pays, cum, band_sums, shift } = &mut kc.calc {
                *band_sums = ca.band_sums;
                let Some((tail_pays, tail_cum)) = ca.tail else { continue };
                // the running basis at the marks; the pay of each line when there are no per-band
                // sums (they give it)
                *cum = lines::Nums::from_vec(
                    kernel.lines.marks.0.iter().filter_map(|&p| tail_cum.get(p as usize).copied()).collect(),
                );
                *shift = self.new_shift(&kernel.lines, kc.c, table, *order, *m);
                if shift.is_none() {
                    *pays = lines::Nums::from_vec(tail_pays);
                }
            }
        }
        for i in 0..kernel.comps.len() {
            self.keep_across(&mut kernel, i, 0)?;
        }
        kernel.lines.shrink();
        Ok(Ok(kernel))
    }

    /// A sequential table's running basis before line `first`: at the mark before it plus the
    /// counted lines in between.
    fn cum_at(&self, kernel: &Kernel, m: usize, kind: MeasureKind, cum: &lines::Nums, first: usize) -> Result<Decimal> {
        let (k, from) = kernel.lines.marks.before(first);
        let mut pos = cum.get(k).unwrap_or_default();
        for (_, l) in kernel.lines.iter_from(from).take(first.saturating_sub(from)) {
            if l.counted(m) {
                pos = pos.add_c(unit_value(&l.credit(), kind), "a running basis")?;
            }
        }
        Ok(pos)
    }

    /// The pay of the lines `from..to` (only those in `only`, ascending, when given) of a marginal
    /// table, rated from the basis before them.
    fn rate_lines(
        &self,
        kernel: &Kernel,
        kc: &KComp,
        from: usize,
        to: usize,
        only: Option<&[usize]>,
    ) -> Result<Decimal> {
        let Calc::Table { m, table, cum, .. } = &kc.calc else { return Ok(Decimal::ZERO) };
        let mut pos = self.cum_at(kernel, *m, table.kind, cum, from)?;
        let mut t = Decimal::ZERO;
        for (j, l) in kernel.lines.iter_from(from).take(to.saturating_sub(from)) {
            if !l.counted(*m) {
                continue;
            }
            if only.is_none_or(|o| o.binary_search(&j).is_ok()) {
                t = t.add_c(self.settle(kc, table, &l, pos, None, None)?, "a component")?;
            }
            pos = pos.add_c(unit_value(&l.credit(), table.kind), "a running basis")?;
        }
        Ok(t)
    }

    /// The pay of a sequential table's lines `js` (ascending): kept per line, or rated (a table
    /// with per-band sums does not keep them).
    fn pays_of(&self, kernel: &Kernel, kc: &KComp, js: &[usize]) -> Result<Decimal> {
        match &kc.calc {
            Calc::Table { pays, shift: None, .. } => {
                crate::money::sum_c(js.iter().map(|&j| pays.get(j).unwrap_or_default()), "a component")
            }
            _ => match (js.first(), js.last()) {
                (Some(&a), Some(&b)) => self.rate_lines(kernel, kc, a, b + 1, Some(js)),
                _ => Ok(Decimal::ZERO),
            },
        }
    }

    /// The pay of a sequential table's lines before line `first`, from the pays kept per line or
    /// by rating the fewer lines (those before it, or those after it taken from the table's pay).
    fn pay_before(&self, kernel: &Kernel, kc: &KComp, first: usize) -> Result<Decimal> {
        let n = kernel.lines.len();
        match &kc.calc {
            Calc::Table { pays, shift: None, .. } => {
                kc.base.sub_c(crate::money::sum_c(pays.iter_from(first), "a component")?, "a component")
            }
            _ if first <= n - first.min(n) => self.rate_lines(kernel, kc, 0, first, None),
            _ => kc.base.sub_c(self.rate_lines(kernel, kc, first, n, None)?, "a component"),
        }
    }

    /// The per-band sums of a sequential marginal table whose lines are rounded, when it has few
    /// enough bands and no per-transaction cap below zero (a region that pays nothing then pays
    /// nothing per line).
    fn new_shift(
        &self,
        lines: &lines::Lines,
        c: usize,
        table: &ResolvedTable,
        order: Order,
        m: usize,
    ) -> Option<shift::Shift> {
        let comp = self.plan.plan().components.get(c)?;
        if order != Order::Sequential
            || !self.round_lines
            || comp.caps.iter().any(|x| x.per == CapPer::Transaction && x.amount < Decimal::ZERO)
        {
            return None;
        }
        let mut sh = shift::Shift::new(table)?;
        sh.fill(self, lines, c, table, m).ok()?;
        sh.shrink();
        Some(sh)
    }

    fn scale(&self) -> u32 {
        self.scale
    }

    fn line_round(&self, v: Decimal) -> Decimal {
        if self.round_lines {
            self.plan.plan().rounding.round(v, self.scale)
        } else {
            v
        }
    }

    /// The previewed transaction's credit lines for the payee in the period, or why it does not
    /// count (a rejection is an error).
    fn credit_previewed(&self, t: &Transaction) -> Result<Credited> {
        let plan = self.plan.plan();
        let payees = &plan.payees;
        let lookup = |id: &str| {
            let k = self.payee_order.binary_search_by(|&i| payees.get(i).map(|x| x.id.as_str()).unwrap_or("").cmp(id));
            k.ok().and_then(|k| self.payee_order.get(k).copied())
        };
        let cc = CreditContext {
            plan,
            periods: self.plan.periods(),
            payee_index: &lookup,
            upto: self.period,
            traces: false,
            managers: None,
        };
        let crediting = credit_all(&cc, std::slice::from_ref(t))?;
        match crediting.fates.first().cloned().flatten() {
            Some(Fate::Rejected(r)) => {
                return Err(Error::TransactionRejected {
                    transaction: r.transaction,
                    reason_code: r.code,
                    path: r.path,
                    message: r.message,
                })
            }
            Some(Fate::Excluded(reasons)) => {
                return Ok(Err(reasons.into_iter().map(|r| Note { code: r.code, message: r.message }).collect()))
            }
            _ => {}
        }
        let mut out = Vec::new();
        let mut elsewhere = false;
        for l in crediting.lines.iter().filter(|l| l.payee == self.payee) {
            if l.period != self.period {
                elsewhere = true;
                continue;
            }
            let mut counts = 0u64;
            for (m, measure) in plan.measures.iter().enumerate().take(64) {
                let rule_id = plan.crediting.rules.get(l.rule).map(|r| r.id());
                if crate::credit::filter_matches(&measure.filter, t, rule_id) {
                    counts |= 1 << m;
                }
            }
            out.push(KLine {
                date: l.date,
                txn: PREVIEWED,
                rule: l.rule as u32,
                reversal: l.reversal,
                counts,
                share: l.share,
                amount: l.amount,
                quantity: l.quantity,
                deals: l.deals,
            });
        }
        if out.is_empty() && !elsewhere {
            return Ok(Err(vec![Note {
                code: "NOT_CREDITED".into(),
                message: format!("`{}` does not credit `{}`", t.id, self.payee()),
            }]));
        }
        Ok(Ok((out, elsewhere)))
    }

    fn txn_id<'a>(&'a self, l: &KLine, previewed: Option<&'a Transaction>) -> &'a str {
        if l.txn == PREVIEWED {
            return previewed.map(|t| t.id.as_str()).unwrap_or("");
        }
        self.txns.id(l.txn as usize).unwrap_or("")
    }

    fn txn<'a>(&self, l: &KLine, previewed: Option<&'a Transaction>) -> Option<std::borrow::Cow<'a, Transaction>> {
        if l.txn == PREVIEWED {
            return previewed.map(std::borrow::Cow::Borrowed);
        }
        self.txns.get(l.txn as usize).map(std::borrow::Cow::Owned)
    }

    /// The engine's processing order of two lines of the payee (see `credit::sort_lines`).
    fn cmp_lines(&self, a: &KLine, b: &KLine, previewed: Option<&Transaction>) -> Ordering {
        let index = |l: &KLine| if l.txn == PREVIEWED { self.txns.len() } else { l.txn as usize };
        a.date
            .cmp(&b.date)
            .then_with(|| self.txn_id(a, previewed).cmp(self.txn_id(b, previewed)))
            .then(a.reversal.cmp(&b.reversal))
            .then(a.rule.cmp(&b.rule))
            .then(a.share.cmp(&b.share))
            .then(index(a).cmp(&index(b)))
    }

    /// The preview of an edit, and the state after it when it is computed incrementally and
    /// `commit` asks for it (without `commit`, the state may be left out).
    fn compute(&self, edit: &Edit<'_>, id: &str, commit: bool) -> Result<(Preview, Option<After>)> {
        let mut notes = Vec::new();
        let mut added = Vec::new();
        let mut credited = false;
        let mut replay = self.kernel.is_none();
        if let Some(t) = edit.add {
            match self.credit_previewed(t)? {
                Ok((lines, elsewhere)) => {
                    credited = !lines.is_empty();
                    added = lines;
                    if elsewhere {
                        replay = true;
                    }
                }
                Err(n) => notes = n,
            }
            let end = self.plan.periods().get(self.period).map(|x| x.end);
            if self.plan.plan().payments.clawback.is_some()
                && t.cancellation_date.is_some_and(|c| end.is_some_and(|e| c <= e))
            {
                replay = true;
            }
        }
        let (Some(kernel), false) = (self.kernel.as_ref(), replay) else {
            return Ok((self.replay(edit, id, credited, notes)?, None));
        };
        // the lines removed (found by credit date and id), and where the edit starts
        let mut removed: Vec<usize> = Vec::new();
        if let Some(t) = edit.remove.and_then(|i| self.txns.get(i)) {
            let t = &t;
            let i = edit.remove.unwrap_or_default();
            let Some(d) = crate::credit::credit_date(t, self.plan.plan().crediting.credit_date) else {
                return Ok((self.replay(edit, id, credited, notes)?, None));
            };
            let start = kernel.lines.partition_point(|l| (l.date, self.txn_id(l, None)) < (d, t.id.as_str()));
            for (j, l) in kernel.lines.iter_from(start) {
                if l.date != d || self.txn_id(&l, None) != t.id {
                    break;
                }
                if l.txn as usize == i {
                    removed.push(j);
                }
            }
            // a transaction credited in another period changes that period too
            if !self.plan.periods().get(self.period).is_some_and(|p| p.contains(d)) {
                return Ok((self.replay(edit, id, credited, notes)?, None));
            }
        }
        let previewed = edit.add;
        if added.len() > 1 {
            let mut order: Vec<usize> = (0..added.len()).collect();
            crate::small::sort_indices(&mut order, &|a, b| match (added.get(a), added.get(b)) {
                (Some(x), Some(y)) => self.cmp_lines(x, y, previewed),
                _ => Ordering::Equal,
            });
            added = order.iter().filter_map(|&i| added.get(i).cloned()).collect();
        }
        let mut first = removed.first().copied().unwrap_or(kernel.lines.len());
        let mut at = Vec::with_capacity(added.len());
        for a in &added {
            at.push(kernel.lines.partition_point(|l| self.cmp_lines(l, a, previewed) == Ordering::Less));
        }
        first = at.iter().copied().fold(first, usize::min);
        let removed_lines: Vec<KLine> = removed.iter().filter_map(|&j| kernel.lines.get(j)).collect();
        let removed_lines: Vec<&KLine> = removed_lines.iter().collect();
        // the sequential tables' pay from where the edit moves their lines, without re-rating the
        // lines after it (see `shift`): for a save, only the tables with per-band sums (the others
        // keep each line's pay, rated again)
        let mut plans = Vec::with_capacity(kernel.comps.len());
        let mut every = true;
        for kc in &kernel.comps {
            let plan = match &kc.calc {
                Calc::Table { order: Order::Sequential, shift, .. } => {
                    let plan = if !commit || shift.is_some() {
                        self.shift_plan(kernel, kc, first, &removed, &added, &at, false)?
                    } else {
                        None
                    };
                    every &= plan.is_some();
                    plan
                }
                _ => None,
            };
            plans.push(plan);
        }
        let mut after = None;
        if every {
            after = self.evaluate_kernel_edit(kernel, first, &[], &removed_lines, &added, previewed, &plans, false)?;
        }
        if after.is_none() {
            // the lines from `first` on, after the edit, in processing order
            let mut tail: Vec<KLine> = Vec::with_capacity(kernel.lines.len().saturating_sub(first) + added.len());
            let mut adds = added.iter().peekable();
            for (j, l) in kernel.lines.iter_from(first) {
                if removed.contains(&j) {
                    continue;
                }
                while let Some(a) = adds.next_if(|a| self.cmp_lines(a, &l, previewed) == Ordering::Less) {
                    tail.push(a.clone());
                }
                tail.push(l);
            }
            tail.extend(adds.cloned());
            after = self.evaluate_kernel_edit(kernel, first, &tail, &removed_lines, &added, previewed, &plans, true)?;
        }
        let mut after = after.ok_or_else(|| Error::overflow("a preview"))?;
        let lines = std::mem::take(&mut after.lines);
        let preview = self.preview_of(&after.outcome, id, Mode::Incremental, credited, notes, lines)?;
        if !commit {
            return Ok((preview, None));
        }
        after.removed = removed;
        after.at = at;
        after.added = added;
        Ok((preview, Some(after)))
    }

    fn evaluate_kernel(
        &self,
        kernel: &Kernel,
        first: usize,
        tail: &[KLine],
        previewed: Option<&Transaction>,
    ) -> Result<After> {
        self.evaluate_kernel_edit(kernel, first, tail, &[], &[], previewed, &[], true)?
            .ok_or_else(|| Error::overflow("a component"))
    }

    /// The state after replacing `kernel.lines[first..]` by `tail`, where `removed` left and
    /// `added` joined (for the components whose lines are independent of each other). A
    /// sequential table with a plan in `plans` (one per component) takes its pay from it instead
    /// of `tail` (its lines' state is then left out); without one, or beyond its shortcut's
    /// magnitudes, it rates `tail` when `rated` says `tail` is given, and the result is `None`
    /// when not.
    #[allow(clippy::too_many_arguments)]
    fn evaluate_kernel_edit(
        &self,
        kernel: &Kernel,
        first: usize,
        tail: &[KLine],
        removed: &[&KLine],
        added: &[KLine],
        previewed: Option<&Transaction>,
        plans: &[Option<shift::Plan>],
        rated: bool,
    ) -> Result<Option<After>> {
        let plan = self.plan.plan();
        let full = first == 0 && removed.is_empty() && added.is_empty();
        // measure values after the edit
        let mut values: Vec<Decimal> = kernel.measures.iter().map(|m| m.value).collect();
        let mut lines_now: Vec<usize> = kernel.measures.iter().map(|m| m.lines_now).collect();
        if full {
            for (m, km) in kernel.measures.iter().enumerate() {
                let mut v = Decimal::ZERO;
                let mut n = 0;
                for l in tail.iter().filter(|l| l.counted(m)) {
                    v = v.add_c(unit_value(&l.credit(), km.kind), "a measure value")?;
                    n += 1;
                }
                if let Some(x) = values.get_mut(m) {
                    *x = v;
                }
                if let Some(x) = lines_now.get_mut(m) {
                    *x = n;
                }
            }
        } else {
            for (m, km) in kernel.measures.iter().enumerate() {
                let (Some(v), Some(n)) = (values.get_mut(m), lines_now.get_mut(m)) else { continue };
                for l in removed.iter().filter(|l| l.counted(m)) {
                    *v = v.sub_c(unit_value(&l.credit(), km.kind), "a measure value")?;
                    *n = n.saturating_sub(1);
                }
                for l in added.iter().filter(|l| l.counted(m)) {
                    *v = v.add_c(unit_value(&l.credit(), km.kind), "a measure value")?;
                    *n += 1;
                }
            }
        }
        let mut comps = Vec::with_capacity(kernel.comps.len());
        let mut preview_lines = Vec::new();
        for (ci, kc) in kernel.comps.iter().enumerate() {
            let mut ca = CompAfter { base: kc.base, amount: Decimal::ZERO, tail: None, band_sums: Vec::new() };
            match &kc.calc {
                Calc::Table { m, table, order, cum, band_sums, .. } => {
                    let m = *m;
                    let total = values.get(m).copied().unwrap_or_default();
                    match order {
                        Order::Independent => {
                            let mut base = if full { Decimal::ZERO } else { kc.base };
                            let set: Vec<&KLine> = if full { tail.iter().collect() } else { Vec::new() };
                            for l in removed.iter().filter(|l| l.counted(m)) {
                                base =
                                    base.sub_c(self.settle(kc, table, l, Decimal::ZERO, None, None)?, "a component")?;
                            }
                            for l in set.iter().copied().chain(added.iter()).filter(|l| l.counted(m)) {
                                let mut bands = Vec::new();
                                let a = self.settle(
                                    kc,
                                    table,
                                    l,
                                    Decimal::ZERO,
                                    None,
                                    (l.txn == PREVIEWED).then_some(&mut bands),
                                )?;
                                base = base.add_c(a, "a component")?;
                                if l.txn == PREVIEWED {
                                    preview_lines.push(self.preview_line(kc, l, previewed, bands, a));
                                }
                            }
                            ca.base = base;
                        }
                        Order::Retroactive => {
                            let mut sums =
                                if full { vec![Decimal::ZERO; table.rates.len()] } else { band_sums.clone() };
                            let set: Vec<&KLine> = if full { tail.iter().collect() } else { Vec::new() };
                            for (sign, l) in removed
                                .iter()
                                .map(|l| (false, *l))
                                .chain(set.iter().map(|l| (true, *l)))
                                .chain(added.iter().map(|l| (true, l)))
                                .filter(|(_, l)| l.counted(m))
                            {
                                for (b, slot) in sums.iter_mut().enumerate() {
                                    let fixed = (Some(b), table.rates.get(b).cloned().flatten());
                                    let a = self.settle(kc, table, l, Decimal::ZERO, Some(&fixed), None)?;
                                    *slot =
                                        if sign { slot.add_c(a, "a band sum")? } else { slot.sub_c(a, "a band sum")? };
                                }
                            }
                            let (b, rate) = table.reached(total);
                            ca.base = b.and_then(|b| sums.get(b).copied()).unwrap_or_default();
                            for l in added.iter().filter(|l| l.counted(m) && l.txn == PREVIEWED) {
                                let mut bands = Vec::new();
                                let a = self.settle(
                                    kc,
                                    table,
                                    l,
                                    Decimal::ZERO,
                                    Some(&(b, rate.clone())),
                                    Some(&mut bands),
                                )?;
                                preview_lines.push(self.preview_line(kc, l, previewed, bands, a));
                            }
                            ca.band_sums = sums;
                        }
                        Order::Sequential => {
                            if let Some(plan) = plans.get(ci).and_then(|p| p.as_ref()) {
                                let mut lines = Vec::new();
                                if let Some(base) =
                                    self.shifted_pay(kernel, kc, plan, added, Some((&mut lines, previewed)))?
                                {
                                    preview_lines.append(&mut lines);
                                    ca.base = base;
                                    ca.amount = self.finish(kernel, &values, kc, ca.base)?;
                                    comps.push(ca);
                                    continue;
                                }
                            }
                            if !rated {
                                return Ok(None);
                            }
                            let fixed = (table.method == TierMethod::Retroactive && table.scope != Scope::Transaction)
                                .then(|| table.reached(total));
                            // a retroactive table with a threshold or basis cap re-rates every line
                            let head: Vec<KLine> = if fixed.is_some() && first > 0 {
                                kernel.lines.iter().take(first).collect()
                            } else {
                                Vec::new()
                            };
                            let (first, tail_src): (usize, Vec<&KLine>) = if fixed.is_some() && first > 0 {
                                (0, head.iter().chain(tail.iter()).collect())
                            } else {
                                (first, tail.iter().collect())
                            };
                            let earlier: Decimal =
                                if full || first == 0 { Decimal::ZERO } else { self.pay_before(kernel, kc, first)? };
                            let mut pos = if first == 0 {
                                Decimal::ZERO
                            } else {
                                self.cum_at(kernel, m, table.kind, cum, first)?
                            };
                            let mut base = earlier;
                            let mut tp = Vec::with_capacity(tail_src.len());
                            let mut tc = Vec::with_capacity(tail_src.len() + 1);
                            for l in tail_src {
                                tc.push(pos);
                                if !l.counted(m) {
                                    tp.push(Decimal::ZERO);
                                    continue;
                                }
                                let mut bands = Vec::new();
                                let a = self.settle(
                                    kc,
                                    table,
                                    l,
                                    pos,
                                    fixed.as_ref(),
                                    (l.txn == PREVIEWED).then_some(&mut bands),
                                )?;
                                pos = pos.add_c(unit_value(&l.credit(), table.kind), "a running basis")?;
                                base = base.add_c(a, "a component")?;
                                tp.push(a);
                                if l.txn == PREVIEWED {
                                    preview_lines.push(self.preview_line(kc, l, previewed, bands, a));
                                }
                            }
                            tc.push(pos);
                            ca.base = base;
                            // keep the vectors aligned with `first` as the caller knows it
                            if fixed.is_some() && first == 0 {
                                let skip = tc.len().saturating_sub(tail.len() + 1);
                                ca.tail =
                                    Some((tp.into_iter().skip(skip).collect(), tc.into_iter().skip(skip).collect()));
                            } else {
                                ca.tail = Some((tp, tc));
                            }
                        }
                    }
                }
                Calc::Spiff { m, filter, from, to, rate } => {
                    let mut base = if full { Decimal::ZERO } else { kc.base };
                    let set: Vec<&KLine> = if full { tail.iter().collect() } else { Vec::new() };
                    let kind = kernel.measures.get(*m).map(|x| x.kind).unwrap_or_default();
                    for l in removed.iter().filter(|l| l.counted(*m)) {
                        if let Some((a, _)) = self.spiff_pay(l, previewed, kind, filter, *from, *to, rate)? {
                            base = base.sub_c(a, "a component")?;
                        }
                    }
                    for l in set.iter().copied().chain(added.iter()).filter(|l| l.counted(*m)) {
                        if let Some((a, band)) = self.spiff_pay(l, previewed, kind, filter, *from, *to, rate)? {
                            base = base.add_c(a, "a component")?;
                            if l.txn == PREVIEWED {
                                preview_lines.push(self.preview_line(kc, l, previewed, vec![band], a));
                            }
                        }
                    }
                    ca.base = base;
                }
                Calc::Milestone { m, basis, ytd, levels } => {
                    let x = self.indicator_from(kernel, &values, *m, *basis, *ytd)?;
                    let mut base = Decimal::ZERO;
                    if let Some(x) = x {
                        for (at, amount) in levels {
                            if x >= *at {
                                base = base.add_c(*amount, "a milestone")?;
                            }
                        }
                    }
                    ca.base = base;
                }
                Calc::Fixed => {}
            }
            ca.amount = self.finish(kernel, &values, kc, ca.base)?;
            comps.push(ca);
        }
        let earnings = crate::money::sum_c(comps.iter().map(|c| c.amount), "earnings")?;
        let raw = earnings.add_c(kernel.adjustments, "the payout")?;
        let scale = self.scale();
        let payout = pad(plan.rounding.round(raw, scale), scale);
        let mut measures = Vec::new();
        for (m, km) in kernel.measures.iter().enumerate() {
            let value = values.get(m).copied().unwrap_or_default();
            let ytd_value = km.before.add_c(value, "a year-to-date value")?;
            let n = lines_now.get(m).copied().unwrap_or_default();
            if !km.has_quota && ytd_value.is_zero() && km.lines_before + n == 0 {
                continue;
            }
            let money = km.kind == MeasureKind::Amount;
            measures.push(MeasureResult {
                measure: plan.measures.get(m).map(|x| x.id.clone()).unwrap_or_default(),
                period: figures(value, km.quota, money, scale)?,
                year_to_date: figures(ytd_value, km.quota_ytd, money, scale)?,
            });
        }
        let outcome = Outcome {
            components: kernel
                .comps
                .iter()
                .zip(&comps)
                .map(|(kc, ca)| (kc.id.clone(), pad(ca.amount, scale)))
                .collect(),
            earnings: pad(earnings, scale),
            payout,
            measures,
            bands: bands(kernel, &values),
        };
        Ok(Some(After {
            first,
            removed: Vec::new(),
            at: Vec::new(),
            added: Vec::new(),
            values,
            lines_now,
            comps,
            outcome,
            lines: preview_lines,
        }))
    }

    /// A line's pay in a table: rounded when the plan rounds lines, nothing for a reversal, and
    /// cut by per-transaction caps (as the engine does).
    fn settle(
        &self,
        kc: &KComp,
        table: &ResolvedTable,
        l: &KLine,
        pos: Decimal,
        fixed: Option<&(Option<usize>, Option<PayRate>)>,
        mut bands: Option<&mut Vec<BandSlice>>,
    ) -> Result<Decimal> {
        let amt = table.line_pay(&l.credit(), pos, fixed, bands.as_deref_mut())?;
        if l.reversal {
            if let Some(b) = bands {
                b.clear();
            }
        }
        Ok(self.settled(kc.c, l.reversal, amt))
    }

    /// What a line of component `c` pays for `amt` (a table's pay of it): nothing for a reversal,
    /// otherwise rounded when the plan rounds lines and cut by per-transaction caps.
    fn settled(&self, c: usize, reversal: bool, amt: Decimal) -> Decimal {
        if reversal {
            return Decimal::ZERO;
        }
        let mut amt = self.line_round(amt);
        if let Some(comp) = self.plan.plan().components.get(c) {
            for cap in comp.caps.iter().filter(|c| c.per == CapPer::Transaction) {
                if amt > cap.amount {
                    amt = self.line_round(cap.amount);
                }
            }
        }
        amt
    }

    #[allow(clippy::too_many_arguments)]
    fn spiff_pay(
        &self,
        l: &KLine,
        previewed: Option<&Transaction>,
        kind: MeasureKind,
        filter: &Filter,
        from: NaiveDate,
        to: NaiveDate,
        rate: &Option<PayRate>,
    ) -> Result<Option<(Decimal, BandSlice)>> {
        let Some(rate) = rate else { return Ok(None) };
        let Some(t) = self.txn(l, previewed) else { return Ok(None) };
        if l.reversal || l.date < from || l.date > to {
            return Ok(None);
        }
        let rule_id = self.plan.plan().crediting.rules.get(l.rule as usize).map(|x| x.id());
        if !crate::credit::filter_matches(filter, &t, rule_id) {
            return Ok(None);
        }
        let credit = l.credit();
        let mut bands = Vec::new();
        let one = ResolvedTable::flat(kind, rate.clone());
        let a = self.line_round(one.line_pay(&credit, Decimal::ZERO, None, Some(&mut bands))?);
        let band = BandSlice { band: 0, credit: l.amount, rate: rate.label.clone(), amount: pad(a, self.scale()) };
        Ok(Some((a, band)))
    }

    /// The previewed deal's pay line, with the engine's wording of its trace.
    fn preview_line(
        &self,
        kc: &KComp,
        l: &KLine,
        previewed: Option<&Transaction>,
        bands: Vec<BandSlice>,
        amount: Decimal,
    ) -> PreviewLine {
        let scale = self.scale();
        let id = self.txn_id(l, previewed).to_string();
        let comp = self.plan.plan().components.get(kc.c);
        let trace = match comp.map(|c| &c.kind) {
            Some(ComponentKind::Spiff { window, .. }) => format!(
                "{id} qualifies (credited {}, window {} to {}): {} = {amount}",
                l.date,
                window.from,
                window.to,
                bands.first().map(|b| b.rate.as_str()).unwrap_or("")
            ),
            _ if bands.is_empty() => format!(
                "{id} credit {}: no band pays (below the first band, under the threshold or above the cap)",
                l.amount
            ),
            _ => {
                let parts: Vec<String> = bands
                    .iter()
                    .map(|b| format!("{} in band {} at {}", pad(b.credit.round_dp(scale), scale), b.band, b.rate))
                    .collect();
                let tx_caps = comp.is_some_and(|c| c.caps.iter().any(|c| c.per == CapPer::Transaction));
                // the line's pay before per-transaction caps (with its own scale, as the engine prints it)
                let uncapped = if tx_caps {
                    self.line_round(
                        bands.iter().map(|b| b.amount).fold(Decimal::ZERO, |x, y| x.checked_add(y).unwrap_or(x)),
                    )
                } else {
                    amount
                };
                let mut t =
                    format!("{id} credit {}: {} = {uncapped}", pad(l.amount.round_dp(scale), scale), parts.join(" + "));
                let mut cur = uncapped;
                for cap in comp.iter().flat_map(|c| c.caps.iter()).filter(|c| c.per == CapPer::Transaction) {
                    if cur > cap.amount {
                        t.push_str(&format!("; capped at {} per transaction (uncapped {cur})", cap.amount));
                        cur = self.line_round(cap.amount);
                    }
                }
                t
            }
        };
        let bands: Vec<BandSlice> = bands
            .into_iter()
            .map(|b| BandSlice { credit: pad(b.credit, scale), amount: pad(b.amount, scale), ..b })
            .collect();
        PreviewLine {
            component: kc.id.clone(),
            line: PayLine { transaction: id, credit: pad(l.amount, scale), bands, amount: pad(amount, scale), trace },
        }
    }

    /// A measure's value or attainment after the edit (period or year to date).
    fn indicator_from(
        &self,
        kernel: &Kernel,
        values: &[Decimal],
        m: usize,
        basis: Basis,
        ytd: bool,
    ) -> Result<Option<Decimal>> {
        let Some(km) = kernel.measures.get(m) else { return Ok(None) };
        let value = values.get(m).copied().unwrap_or_default();
        let v = if ytd { km.before.add_c(value, "a year-to-date value")? } else { value };
        Ok(match basis {
            Basis::Value => Some(v),
            Basis::Attainment => match if ytd { km.quota_ytd } else { km.quota } {
                Some(q) if !q.is_zero() => Some(v.div_c(q, "an attainment")?),
                _ => None,
            },
        })
    }

    fn indicator(&self, kernel: &Kernel, values: &[Decimal], ind: &Indicator) -> Result<Option<Decimal>> {
        if let Some(metric) = &ind.metric {
            return Ok(self.rest.metric_value(metric, self.period(), self.payee()));
        }
        let Some(m) = ind.measure.as_deref().and_then(|id| self.plan.plan().measures.iter().position(|x| x.id == id))
        else {
            return Ok(None);
        };
        self.indicator_from(kernel, values, m, ind.basis, ind.scope == Scope::YearToDate)
    }

    /// Gate, multipliers, carried excess and caps, as the engine applies them to a period's pay.
    fn finish(&self, kernel: &Kernel, values: &[Decimal], kc: &KComp, base: Decimal) -> Result<Decimal> {
        let Some(comp) = self.plan.plan().components.get(kc.c) else { return Ok(Decimal::ZERO) };
        let mut running = base;
        if let Some(g) = &comp.gate {
            let v = self.indicator(kernel, values, &g.on)?;
            if v.is_none_or(|v| v < g.min) {
                running = Decimal::ZERO;
            }
        }
        for mlt in &comp.multipliers {
            let f = crate::engine::components::multiplier_factor(mlt, self.indicator(kernel, values, &mlt.on)?);
            if f != Decimal::ONE && !running.is_zero() {
                running = self.line_round(running.mul_c(f, "a multiplier")?);
            }
        }
        let mut amount = running;
        if !kc.carry_in.is_zero() {
            amount = amount.add_c(kc.carry_in, "a carried-forward excess")?;
        }
        for cap in &comp.caps {
            let Some(limit) = crate::engine::components::cap_limit(cap, kc.paid_ytd)? else {
                continue;
            };
            if amount > limit {
                amount = limit;
            }
        }
        Ok(amount)
    }

    /// A preview computed by re-evaluating the payee's transactions with the edit.
    fn replay(&self, edit: &Edit<'_>, id: &str, credited: bool, notes: Vec<Note>) -> Result<Preview> {
        let inputs = self.edited_inputs(edit);
        let ev = self.plan.evaluate(&inputs, self.period())?;
        let st =
            ev.statements.iter().find(|s| s.payee == self.payee()).ok_or_else(|| Error::overflow("a statement"))?;
        let after = Outcome::from_statement(st);
        let lines = st
            .components
            .iter()
            .flat_map(|c| {
                c.lines
                    .iter()
                    .filter(|l| l.transaction == id)
                    .map(|l| PreviewLine { component: c.component.clone(), line: l.clone() })
            })
            .collect();
        self.preview_of(&after, id, Mode::Replay, credited, notes, lines)
    }

    fn preview_of(
        &self,
        after: &Outcome,
        id: &str,
        mode: Mode,
        credited: bool,
        notes: Vec<Note>,
        lines: Vec<PreviewLine>,
    ) -> Result<Preview> {
        let before = &self.current;
        let change = |b: Decimal, a: Decimal| -> Result<Change> {
            Ok(Change { before: b, after: a, change: pad(a.sub_c(b, "a change")?, self.scale()) })
        };
        let mut components = Vec::new();
        for (id, a) in &after.components {
            let b = before.components.iter().find(|(x, _)| x == id).map(|(_, v)| *v).unwrap_or_default();
            components.push(ComponentChange { component: id.clone(), amount: change(b, *a)? });
        }
        let mut measures = Vec::new();
        for m in &after.measures {
            let b =
                before.measures.iter().find(|x| x.measure == m.measure).map(|x| x.period.clone()).unwrap_or(Figures {
                    value: Decimal::ZERO,
                    quota: m.period.quota,
                    attainment: m.period.quota.map(|_| Decimal::ZERO),
                });
            measures.push(MeasureChange { measure: m.measure.clone(), before: b, after: m.period.clone() });
        }
        let bands_crossed = after
            .bands
            .iter()
            .filter_map(|(c, to, rate)| {
                let from = before.bands.iter().find(|(x, _, _)| x == c).and_then(|x| x.1);
                (from != *to).then(|| BandCrossing { component: c.clone(), from, to: *to, rate: rate.clone() })
            })
            .collect();
        Ok(Preview {
            transaction: id.to_string(),
            mode,
            credited,
            components,
            earnings: change(before.earnings, after.earnings)?,
            payout: change(before.payout, after.payout)?,
            measures,
            bands_crossed,
            lines,
            notes,
        })
    }

    /// The memory the session holds for its transactions, in bytes: the capacity of every vector,
    /// string and table that grows with them (the compact transaction columns and their interned
    /// tables, the id index, the credit lines and the components' per-line and per-band state).
    /// The compiled plan, the other inputs and the current figures are not counted.
    pub fn memory_bytes(&self) -> usize {
        let mut n = self.txns.bytes() + self.ids.capacity() * std::mem::size_of::<u32>();
        if let Some(k) = &self.kernel {
            n += k.lines.bytes();
            n += k.measures.capacity() * std::mem::size_of::<KMeasure>();
            n += k.comps.capacity() * std::mem::size_of::<KComp>();
            for c in &k.comps {
                n += c.id.capacity();
                match &c.calc {
                    Calc::Table { pays, cum, band_sums, table, shift, .. } => {
                        n += pays.bytes() + cum.bytes() + vec_bytes(band_sums);
                        n += shift.as_ref().map_or(0, |s| s.bytes());
                        n += vec_bytes(&table.spans) + vec_bytes(&table.rates);
                        n += table.rates.iter().flatten().map(|r| r.label.capacity()).sum::<usize>();
                    }
                    Calc::Spiff { rate, .. } => n += rate.as_ref().map_or(0, |r| r.label.capacity()),
                    Calc::Milestone { levels, .. } => n += vec_bytes(levels),
                    Calc::Fixed => {}
                }
            }
        }
        n
    }
}

fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

/// Compact JSON: the bytes serde_json writes for the derived `Serialize` (see `write.rs`).
fn to_json<T: crate::jsonwrite::WriteJson>(v: &T) -> String {
    crate::jsonwrite::to_string(v)
}

/// The band each table reaches with the measure values.
fn bands(kernel: &Kernel, values: &[Decimal]) -> Vec<(String, Option<usize>, Option<String>)> {
    kernel
        .comps
        .iter()
        .filter_map(|kc| match &kc.calc {
            Calc::Table { m, table, .. } if table.spans.len() > 1 => {
                let v = values.get(*m).copied().unwrap_or_default();
                let x = table.ceil.map_or(v, |c| v.min(c));
                let b = band_at(&table.spans, x, table.bounds);
                let rate = b.and_then(|b| table.rates.get(b).cloned().flatten()).map(|r| r.label);
                Some((kc.id.clone(), b, rate))
            }
            _ => None,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn spec<'s>(
    measure: &'s str,
    basis: Basis,
    method: TierMethod,
    scope: Scope,
    bounds: Bounds,
    base_rate: Option<&'s Rate>,
    tiers: &'s [crate::plan::Tier],
    basis_cap: Option<Decimal>,
) -> TableSpec<'s> {
    TableSpec {
        measure,
        basis,
        method,
        scope,
        bounds,
        base_rate,
        tiers,
        points: &[],
        output: CurveOutput::PercentOfCredit,
        basis_cap,
    }
}

/// The table state of a rate or tier-table component.
fn table_calc(
    ctx: &Ctx<'_>,
    comp: &crate::plan::Component,
    s: &TableSpec<'_>,
    p: usize,
    k: usize,
    m: usize,
) -> Result<Calc> {
    let kind = ctx.plan.measures.get(m).map(|x| x.kind).unwrap_or_default();
    let scale = match s.basis {
        Basis::Value => Decimal::ONE,
        Basis::Attainment => match ctx.quota(p, m, k, false)? {
            Some(q) if !q.is_zero() => q,
            // attainment undefined: the component pays nothing, whatever the lines
            _ => return Ok(Calc::Fixed),
        },
    };
    let table = resolve_table(s, kind, scale, comp.gate.as_ref())?;
    let single = table.spans.len() == 1 && table.spans.first().is_some_and(|x| x.0 == Decimal::MIN && x.1.is_none());
    let order = if table.scope == Scope::Transaction
        || (single && table.floor.is_none() && table.ceil.is_none() && table.method == TierMethod::Marginal)
    {
        Order::Independent
    } else if table.method == TierMethod::Retroactive && table.floor.is_none() && table.ceil.is_none() {
        Order::Retroactive
    } else {
        Order::Sequential
    };
    Ok(Calc::Table {
        m,
        table,
        order,
        pays: lines::Nums::default(),
        cum: lines::Nums::default(),
        band_sums: Vec::new(),
        shift: None,
    })
}

/// Whether a component of the payee reads the manager's figures.
fn reads_manager(plan: &CompiledPlan, p: usize) -> bool {
    let plan = plan.plan();
    let Some(payee) = plan.payees.get(p) else { return false };
    plan.components.iter().filter(|c| selects(&c.roles, &c.payees, payee)).any(|c| {
        c.gate.iter().any(|g| g.on.of == Whose::Manager)
            || c.multipliers.iter().any(|m| m.on.of == Whose::Manager)
            || matches!(&c.kind, ComponentKind::Matrix { rows, columns, .. } if rows.on.of == Whose::Manager || columns.on.of == Whose::Manager)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_and_removing_a_deal() {
        let plan = CompiledPlan::from_json(r#"{"schemaVersion":1,"id":"x","version":"1","currency":"USD","calendar":{"yearStart":"2025-01-01","periodType":"quarter"},
          "payees":[{"id":"rep","role":"AE"}],"measures":[{"id":"bookings","kind":"amount"}],
          "crediting":{"rules":[{"type":"direct","id":"d"}]},
          "components":[{"id":"commission","type":"rate","roles":["AE"],"measure":"bookings","rate":{"percent":"5"}}]}"#).unwrap();
        let inputs = Inputs::from_json(
            r#"{"transactions":[{"id":"T1","owner":"rep","amount":"100","closeDate":"2025-02-01"}]}"#,
        )
        .unwrap();
        let mut s = Session::open(&plan, &inputs, "rep", "Q1").unwrap();
        assert_eq!(s.mode(), Mode::Incremental, "{:?}", s.replay_reason());
        let t: Transaction =
            serde_json::from_str(r#"{"id":"N","owner":"rep","amount":"200","closeDate":"2025-01-05"}"#).unwrap();
        s.upsert(t).unwrap();
        assert_eq!(s.payout().to_string(), "15.00");
        let t: Transaction =
            serde_json::from_str(r#"{"id":"N","owner":"rep","amount":"300","closeDate":"2025-03-05"}"#).unwrap();
        s.upsert(t).unwrap();
        assert_eq!(s.payout().to_string(), "20.00");
        let p = s.preview_remove("N").unwrap();
        assert_eq!(p.payout.after.to_string(), "5.00");
    }

    #[test]
    fn memory_counts_every_table_of_a_small_session() {
        // a marginal table on bookings (its lines depend on the running basis: sequential)
        let plan = CompiledPlan::from_json(r#"{"schemaVersion":1,"id":"x","version":"1","currency":"USD","calendar":{"yearStart":"2025-01-01","periodType":"quarter"},
          "payees":[{"id":"rep","role":"AE"}],"measures":[{"id":"bookings","kind":"amount"}],
          "crediting":{"rules":[{"type":"direct","id":"d"}]},
          "components":[{"id":"c","type":"tiered","roles":["AE"],"measure":"bookings","basis":"value","method":"marginal",
            "tiers":[{"from":"0","to":"1000","rate":{"percent":"5"}},{"from":"1000","rate":{"percent":"10"}}]}]}"#).unwrap();
        let inputs = Inputs::from_json(
            r#"{"transactions":[{"id":"T1","owner":"rep","amount":"600","closeDate":"2025-02-01","product":"P"},
                {"id":"T22","owner":"rep","amount":"700.50","closeDate":"2025-02-02","product":"P"}]}"#,
        )
        .unwrap();
        let s = Session::open(&plan, &inputs, "rep", "Q1").unwrap();
        assert_eq!(s.mode(), Mode::Incremental, "{:?}", s.replay_reason());
        // 600 x 5% = 30; 400 x 5% + 300.50 x 10% = 20 + 30.05
        assert_eq!(s.payout().to_string(), "80.05");
        let k = s.kernel.as_ref().unwrap();
        assert!(matches!(&k.comps[0].calc, Calc::Table { order: Order::Sequential, .. }));
        // transactions: ids "T1T22" 5 + id ends 2 x 4 + dates 2 x 4 + amounts 2 x 8 + fields 2 x 4 = 45;
        // strings "rep" and "P": 2 x 24 + 4 = 52, sorted 2 x 4 = 8; one combination 16 + 4 = 20
        let txns = 45 + 52 + 8 + 20;
        // the id index: 2 x 4
        let ids = 8;
        // lines: 2 x 20, one shape and its sorted index, one mark (line 0) x 4
        let lines = 40 + 64 + 4 + 4;
        // the table: no pay per line (its per-band sums give them), the basis at the mark x 8; its
        // two spans and rates, their labels "5%" and "10%" (formatted into 8-byte buffers: 2 x 8)
        let Calc::Table { table, .. } = &k.comps[0].calc else { unreachable!() };
        let spans = table.spans.capacity() * std::mem::size_of_val(&table.spans[0]);
        let rates = table.rates.capacity() * std::mem::size_of_val(&table.rates[0]);
        let table = 8 + spans + rates + 16;
        // its per-band sums (lines rounded one by one): one mark (line 0) x 2 bands x 8; the
        // bounds of its regions (the first band starts at the lowest decimal, then 1000) 2 x 16;
        // 3 regions (below the first band, band 0, band 1) x 24; the line across 1000 (T22) and its
        // pay (u32 and decimal: 20)
        let shift = 16 + 32 + 3 * 24 + 20;
        // one measure and one component (its id "c": 1 byte)
        let fixed = std::mem::size_of::<KMeasure>() + std::mem::size_of::<KComp>() + 1;
        assert_eq!(s.memory_bytes(), txns + ids + lines + table + shift + fixed);
    }
}
