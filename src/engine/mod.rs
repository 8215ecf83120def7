//! Evaluation: from a plan and inputs to the statements of a period.
//!
//! The engine replays the plan year from its first period up to the requested one, so that
//! year-to-date tiers, year caps, carried-forward excess, milestones, draw balances and holdbacks
//! all have their history. The order inside a period is fixed and documented:
//!
//! 1. crediting (see [`crate::credit`]); credit lines are processed by credit date, then
//!    transaction id;
//! 2. measures and quotas (see [`crate::quota`]);
//! 3. components in plan order: lines and bands, then gate, year-to-date true-up, multipliers,
//!    caps (see [`components`]);
//! 4. payments: clawbacks, holdbacks and their releases, then draws (see [`payments`]);
//! 5. in the requested period only, prior-period adjustments: for every closed statement given in
//!    the inputs, the recomputed payout of that period minus what was paid.
//!
//! Closed periods are never rewritten: what differs shows up as an adjustment in the requested
//! period.

#[cfg(feature = "batch-kernel")]
pub(crate) mod batch;
// (without the feature: the same interface, and no kernel)
#[cfg(not(feature = "batch-kernel"))]
#[path = "batch_off.rs"]
pub(crate) mod batch;
pub mod components;
pub mod payments;

use crate::calendar::Period;
use crate::columns::TransactionColumns;
use crate::credit::{credit_all, Credit, CreditContext, Fate};
use crate::error::Error;
use crate::inputs::Inputs;
use crate::limits::Limits;
use crate::money::{Checked, RoundingStage};
use crate::plan::{ClawbackAttainment, MeasureKind, Plan};
use crate::statement::{
    Accounting, Adjustment, Balances, CreditLine, Evaluation, Excluded, Figures, MeasureResult, Note, Statement, Tally,
};
use crate::validate::{has_errors, validate_within_limits};
use crate::Result;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Evaluates `plan` with `inputs` for the period with id `period`.
///
/// The plan is validated first; a plan with errors gives [`Error::InvalidPlan`] with every
/// diagnostic. Bad transactions do not abort the run (they are listed as rejected) unless
/// `inputs.options.strict` is set. To evaluate one plan many times, compile it once with
/// [`CompiledPlan::new`].
///
/// ```
/// let plan = payplan::Plan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
/// let err = payplan::evaluate(&plan, &payplan::Inputs::default(), "Q9").unwrap_err();
/// assert_eq!(err.code(), "UNKNOWN_PERIOD");
/// ```
pub fn evaluate(plan: &Plan, inputs: &Inputs, period: &str) -> Result<Evaluation> {
    CompiledPlan::new(plan.clone())?.evaluate(inputs, period)
}

/// A plan validated once and ready to evaluate any number of times.
///
/// ```
/// use payplan::{CompiledPlan, Inputs, Plan};
/// let plan = CompiledPlan::new(Plan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap()).unwrap();
/// assert_eq!(plan.period_ids(), vec!["Q1", "Q2", "Q3", "Q4"]);
/// let q1 = plan.evaluate(&Inputs::default(), "Q1").unwrap();
/// assert_eq!(q1.statements.len(), 4);
/// ```
#[derive(Debug, Clone)]
pub struct CompiledPlan {
    plan: Plan,
    periods: Vec<Period>,
    warnings: Vec<crate::Diagnostic>,
    limits: Limits,
    /// Whether summaries go through the batch kernel ([`batch::covers`]).
    batch: bool,
}

impl CompiledPlan {
    /// Validates the plan; a plan with errors gives [`Error::InvalidPlan`] with every diagnostic.
    /// A plan over the default [`Limits`] gives [`Error::LimitExceeded`].
    pub fn new(plan: Plan) -> Result<Self> {
        Self::with_limits(plan, Limits::default())
    }

    /// [`CompiledPlan::new`] under other [`Limits`]: the plan's counts are checked against them,
    /// and so are the inputs this plan reads and evaluates.
    pub fn with_limits(plan: Plan, limits: Limits) -> Result<Self> {
        limits.check_plan(&plan)?;
        let diags = validate_within_limits(&plan);
        if has_errors(&diags) {
            return Err(Error::InvalidPlan { diagnostics: diags });
        }
        let periods = plan.calendar.periods();
        let batch = batch::covers(&plan);
        Ok(Self { plan, periods, warnings: diags, limits, batch })
    }

    /// Parses and validates plan JSON.
    pub fn from_json(text: &str) -> Result<Self> {
        Self::new(Plan::from_json(text)?)
    }

    /// Parses and validates plan JSON under `limits`.
    pub fn from_json_with_limits(text: &str, limits: Limits) -> Result<Self> {
        Self::with_limits(Plan::from_json_with_limits(text, &limits)?, limits)
    }

    /// The limits this plan was compiled with.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Checks inputs against this plan's limits (the count of transactions).
    pub fn check_inputs(&self, inputs: &Inputs) -> Result<()> {
        self.limits.check_inputs(inputs)
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The plan's periods, in order.
    pub fn periods(&self) -> &[Period] {
        &self.periods
    }

    /// The period ids, in order.
    pub fn period_ids(&self) -> Vec<&str> {
        self.periods.iter().map(|p| p.id.as_str()).collect()
    }

    /// The validation warnings (a compiled plan has no errors).
    pub fn warnings(&self) -> &[crate::Diagnostic] {
        &self.warnings
    }

    /// Evaluates `inputs` for the period with id `period`.
    pub fn evaluate(&self, inputs: &Inputs, period: &str) -> Result<Evaluation> {
        self.evaluate_with(inputs, period, self.batch)
    }

    /// [`CompiledPlan::evaluate`] by the engine alone, without the batch kernel: the reference
    /// the kernel is tested against, byte for byte (`tests/batch.rs`), and timed against
    /// (`examples/bench_native.rs`). The figures are the same; only the speed differs.
    #[doc(hidden)]
    pub fn evaluate_without_kernel(&self, inputs: &Inputs, period: &str) -> Result<Evaluation> {
        self.evaluate_with(inputs, period, false)
    }

    fn evaluate_with(&self, inputs: &Inputs, period: &str, kernel: bool) -> Result<Evaluation> {
        let Some(target) = self.periods.iter().position(|p| p.id == period) else {
            return Err(Error::UnknownPeriod { period: period.to_string(), known: self.period_ids().join(", ") });
        };
        self.limits.check_inputs(inputs)?;
        check_closed(&self.plan, inputs, &self.periods, target)?;
        // a summary of a plan the batch kernel covers does its per-line work in integers
        let batch = kernel && !inputs.options.detail.is_full();
        Ctx::new(&self.plan, inputs, self.periods.clone(), target, batch)?.run()
    }

    /// [`CompiledPlan::evaluate`] of transactions given as [`TransactionColumns`], with the other
    /// inputs (closed statements, scores, metrics, options...) in `inputs`, whose own transaction
    /// list must be empty. The evaluation is the very one `evaluate` gives for the same
    /// transactions as a list, to the byte (`tests/columns.rs`).
    ///
    /// A summary (`options.detail = "summary"`) of a plan the batch kernel covers is credited
    /// from the columns themselves: each distinct owner is looked up once, and a row that is
    /// plainly credited (in the plan currency, in a period up to the evaluated one, owned by
    /// payees of the plan, no repeated id, cancellation or refund) is not copied; any other row is
    /// read back as a transaction for the engine's crediting, which gives its reasons. Full
    /// detail, and plans the kernel does not cover, are evaluated from the rows as a list.
    ///
    /// ```
    /// use payplan::columns::TransactionColumns;
    /// use payplan::{CompiledPlan, Inputs, Plan};
    /// let plan = CompiledPlan::new(Plan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap()).unwrap();
    /// let list = Inputs::from_json(r#"{"transactions": [
    ///   {"id": "D-1", "owner": "ae-ana", "amount": "50000", "closeDate": "2025-01-20", "product": "Platform", "type": "new"}
    /// ], "options": {"detail": "summary"}}"#).unwrap();
    /// let columns: TransactionColumns = list.transactions.iter().collect();
    /// let rest = Inputs { transactions: Vec::new(), ..list.clone() };
    /// let q1 = plan.evaluate_columns(&columns, &rest, "Q1").unwrap();
    /// assert_eq!(q1, plan.evaluate(&list, "Q1").unwrap());
    /// ```
    pub fn evaluate_columns(
        &self,
        transactions: &TransactionColumns,
        inputs: &Inputs,
        period: &str,
    ) -> Result<Evaluation> {
        if !inputs.transactions.is_empty() {
            return Err(Error::InvalidInput {
                code: "TRANSACTIONS_TWICE".into(),
                path: "/transactions".into(),
                message: format!(
                    "{} transactions came as columns and {} more in the inputs; give them all one way",
                    transactions.len(),
                    inputs.transactions.len()
                ),
            });
        }
        self.evaluate_columns_with(transactions, inputs, period, &mut Workspace::new())
    }

    /// [`CompiledPlan::evaluate_columns`], keeping the batch kernel's lists in `workspace` for
    /// the next call instead of freeing them: the same evaluation, for a service that evaluates
    /// large tables again and again (every period, every plan). A million transactions make
    /// about 130 MB of such lists, which an allocator gives back to the system after each call
    /// and takes again, page by page, for the next; a workspace keeps them (see
    /// [`Workspace::bytes`]). It holds nothing of an evaluation's result: any plan, table and
    /// period can follow.
    ///
    /// ```
    /// use payplan::{columns::TransactionColumns, CompiledPlan, Inputs, Workspace};
    /// let plan = CompiledPlan::from_json(payplan::sample::SAMPLE_PLAN_JSON).unwrap();
    /// let list = Inputs::from_json(r#"{"transactions": [
    ///   {"id": "D-1", "owner": "ae-ana", "amount": "150000", "closeDate": "2025-01-20"},
    ///   {"id": "D-4", "owner": "ae-ben", "amount": "80000", "closeDate": "2025-04-02"}
    /// ], "options": {"detail": "summary"}}"#).unwrap();
    /// let columns: TransactionColumns = list.transactions.iter().collect();
    /// let rest = Inputs { transactions: Vec::new(), ..list.clone() };
    /// let mut workspace = Workspace::new();
    /// for period in ["Q1", "Q2"] {
    ///     let ev = plan.evaluate_columns_with(&columns, &rest, period, &mut workspace).unwrap();
    ///     assert_eq!(ev, plan.evaluate(&list, period).unwrap());
    /// }
    /// ```
    pub fn evaluate_columns_with(
        &self,
        transactions: &TransactionColumns,
        inputs: &Inputs,
        period: &str,
        workspace: &mut Workspace,
    ) -> Result<Evaluation> {
        if let Some(ev) = self.evaluate_columns_in_place(transactions, inputs, period, workspace)? {
            return Ok(ev);
        }
        let list = Inputs { transactions: transactions.to_transactions(), ..inputs.clone() };
        self.evaluate(&list, period)
    }

    /// [`CompiledPlan::evaluate_columns_with`] from the columns themselves, or `None` where it
    /// reads the rows as a list (tests check which path a case takes).
    #[doc(hidden)]
    pub fn evaluate_columns_in_place(
        &self,
        transactions: &TransactionColumns,
        inputs: &Inputs,
        period: &str,
        workspace: &mut Workspace,
    ) -> Result<Option<Evaluation>> {
        let Some(target) = self.periods.iter().position(|p| p.id == period) else {
            return Err(Error::UnknownPeriod { period: period.to_string(), known: self.period_ids().join(", ") });
        };
        if !self.batch || inputs.options.detail.is_full() || !inputs.transactions.is_empty() {
            return Ok(None);
        }
        self.limits.check_count(transactions.len())?;
        check_closed(&self.plan, inputs, &self.periods, target)?;
        let spare = std::mem::take(&mut workspace.spare);
        let Some(mut ctx) =
            Ctx::build(&self.plan, inputs, self.periods.clone(), target, true, false, Some((transactions, spare)))?
        else {
            return Ok(None);
        };
        let ev = ctx.run()?;
        if let Some(lines) = ctx.batch.take() {
            workspace.spare = lines.into_spare();
        }
        Ok(Some(ev))
    }

    /// Evaluates inputs given as JSON text and returns the evaluation as compact JSON (the
    /// canonical bytes: the same on every platform).
    ///
    /// Natively, with the batch kernel (feature `batch-kernel`), a summary of a plan it covers
    /// has its transactions read straight into [`TransactionColumns`] and evaluated by
    /// [`CompiledPlan::evaluate_columns`]: the same bytes, a third faster. (Not in WebAssembly,
    /// where interning the strings while reading costs more than it saves: 7% slower for 10,000
    /// transactions in Node.)
    pub fn evaluate_json(&self, inputs: &str, period: &str) -> Result<String> {
        // (a text without the word cannot ask for a summary: full detail reads the rows as a
        // list, which columns would only be turned back into)
        #[cfg(all(feature = "batch-kernel", not(target_arch = "wasm32")))]
        if self.batch && inputs.contains("\"summary\"") {
            if let Some((rest, columns)) = crate::json::inputs_columns_from_text(inputs, &self.limits)? {
                return Ok(self.evaluate_columns(&columns, &rest, period)?.to_json());
            }
        }
        let inputs = Inputs::from_json_with_limits(inputs, &self.limits)?;
        Ok(self.evaluate(&inputs, period)?.to_json())
    }
}

/// Checks the closed statements: known payees and periods, each at most once, all before the
/// requested period (a closed period is not evaluated again: its corrections go to a later one).
pub(crate) fn check_closed(plan: &Plan, inputs: &Inputs, periods: &[Period], target: usize) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for (i, c) in inputs.closed_statements.iter().enumerate() {
        let bad = |code: &str, field: &str, message: String| Error::InvalidInput {
            code: code.to_string(),
            path: format!("/closedStatements/{i}/{field}"),
            message,
        };
        if !plan.payees.iter().any(|p| p.id == c.payee) {
            return Err(bad(
                "UNKNOWN_PAYEE",
                "payee",
                format!("closed statement for `{}`, who is not a payee of the plan", c.payee),
            ));
        }
        let Some(k) = periods.iter().position(|p| p.id == c.period) else {
            return Err(bad(
                "UNKNOWN_PERIOD",
                "period",
                format!("closed statement for period `{}`, which is not a period of the plan", c.period),
            ));
        };
        if k >= target {
            let want = periods.get(target).map(|p| p.id.as_str()).unwrap_or("");
            return Err(bad(
                "CLOSED_PERIOD",
                "period",
                format!("period `{}` is closed for `{}`, so `{want}` cannot be evaluated again; evaluate a later period to book the corrections as an adjustment", c.period, c.payee),
            ));
        }
        if !seen.insert((c.payee.as_str(), c.period.as_str())) {
            return Err(bad(
                "DUPLICATE_CLOSED_STATEMENT",
                "period",
                format!("two closed statements for `{}` in `{}`", c.payee, c.period),
            ));
        }
    }
    Ok(())
}

/// Evaluates from JSON texts and returns the evaluation as compact JSON.
///
/// This is the entry point the WebAssembly binding and the command-line tool use; its output is
/// byte-for-byte the same on every platform.
pub fn evaluate_json(plan: &str, inputs: &str, period: &str) -> Result<String> {
    CompiledPlan::from_json(plan)?.evaluate_json(inputs, period)
}

/// Room that [`CompiledPlan::evaluate_columns_with`] keeps from one evaluation for the next: the
/// batch kernel's credit lines and what it builds beside them. It is empty until the kernel
/// evaluates a table with it, and always without the `batch-kernel` feature; an evaluation that
/// fails, or that the kernel gives up to the engine after it has started crediting, leaves it
/// empty again. Dropping it frees the lists.
#[derive(Debug, Default)]
pub struct Workspace {
    spare: batch::Spare,
}

impl Workspace {
    /// An empty workspace.
    pub fn new() -> Self {
        Self::default()
    }

    /// The bytes the workspace holds (about 130 per transaction of the last table evaluated
    /// with it).
    pub fn bytes(&self) -> usize {
        self.spare.bytes()
    }
}

/// A figure per payee, measure and period, in one list (a list per payee and measure was two
/// allocations per payee, for every evaluation).
#[derive(Debug, Clone)]
pub(crate) struct Grid<T> {
    cells: Vec<T>,
    measures: usize,
    periods: usize,
}

impl<T: Clone> Grid<T> {
    /// The number of cells of `payees` × `measures` × `periods` (an overflow error when that many
    /// cannot be counted, as with a plan at every default limit in WebAssembly's 32 bits).
    pub(crate) fn cells(payees: usize, measures: usize, periods: usize) -> Result<usize> {
        payees
            .checked_mul(measures)
            .and_then(|n| n.checked_mul(periods))
            .ok_or_else(|| Error::overflow("payees × measures × periods"))
    }

    /// `cells` (see [`Grid::cells`]) of `fill`, by `measures` and `periods`.
    pub(crate) fn new(cells: usize, measures: usize, periods: usize, fill: T) -> Self {
        Grid { cells: vec![fill; cells], measures, periods }
    }

    fn at(&self, p: usize, m: usize) -> Option<std::ops::Range<usize>> {
        let from = p.checked_mul(self.measures)?.checked_add(m)?.checked_mul(self.periods)?;
        let to = from.checked_add(self.periods)?;
        (m < self.measures).then_some(from..to)
    }

    /// Payee `p`'s figures of measure `m`, by period.
    pub(crate) fn get(&self, p: usize, m: usize) -> Option<&[T]> {
        self.cells.get(self.at(p, m)?)
    }

    pub(crate) fn get_mut(&mut self, p: usize, m: usize) -> Option<&mut [T]> {
        let r = self.at(p, m)?;
        self.cells.get_mut(r)
    }
}

/// Everything resolved once per evaluation.
pub(crate) struct Ctx<'a> {
    pub plan: &'a Plan,
    pub inputs: &'a Inputs,
    pub periods: Vec<Period>,
    pub target: usize,
    pub payee_index: crate::small::StrIndex<'a>,
    /// transaction id to input index (the first of duplicates, which are rejected); built only
    /// when the plan has on-payment holdbacks, its one reader
    pub txn_index: BTreeMap<&'a str, usize>,
    /// rounding scale of the plan currency
    pub scale: u32,
    pub round_lines: bool,
    pub lines: Vec<Credit>,
    pub fates: Vec<Option<Fate>>,
    /// line indices per payee, in processing order
    pub by_payee: Vec<Vec<usize>>,
    /// whether each line counts for each measure: `counts[measure][line]`
    pub counts: Vec<Vec<bool>>,
    /// each payee's measure values by period (`values.get(payee, measure)[period]`)
    pub values: Grid<Decimal>,
    /// each payee's quotas by period (`quotas.get(payee, measure)[period]`)
    pub quotas: Grid<Option<Decimal>>,
    /// `applies[component][payee]`
    pub applies: Vec<Vec<bool>>,
    /// whether statements get their credit lines, pay lines and traces (`options.detail`)
    pub full: bool,
    /// whether pay lines carry their transaction id in a summary (per-transaction holdbacks read it)
    pub line_ids: bool,
    /// the batch kernel's credit lines, when it credited the inputs (`lines`, `by_payee` and
    /// `counts` are then empty)
    pub batch: Option<batch::Lines>,
    /// the transactions, when they came as columns (`inputs.transactions` is then empty; only
    /// the batch kernel reads them, see `CompiledPlan::evaluate_columns`)
    #[cfg_attr(not(feature = "batch-kernel"), allow(dead_code))]
    pub columns: Option<&'a TransactionColumns>,
    /// Each component's tier rates with their labels, resolved for its first payee and kept for
    /// the others (they depend on the plan alone): by the component's address.
    pub tier_rates: std::cell::RefCell<Vec<(usize, Vec<Option<crate::tiers::PayRate>>)>>,
    /// Each SPIFF's rate, resolved likewise: by the rate's address.
    pub spiff_rates: std::cell::RefCell<Vec<(usize, Option<crate::tiers::PayRate>)>>,
}

/// The transactions of an evaluation as the batch kernel reads them after crediting: a list, or
/// columns ([`CompiledPlan::evaluate_columns`]).
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(feature = "batch-kernel"), allow(dead_code))]
pub(crate) enum Rows<'a> {
    List(&'a [crate::inputs::Transaction]),
    Columns(&'a TransactionColumns),
}

impl<'a> Rows<'a> {
    /// The columns when there are, else the list.
    pub(crate) fn of(list: &'a [crate::inputs::Transaction], columns: Option<&'a TransactionColumns>) -> Self {
        columns.map_or(Rows::List(list), Rows::Columns)
    }
}

/// The value a line adds to a measure of `kind`.
pub(crate) fn unit_value(l: &Credit, kind: MeasureKind) -> Decimal {
    match kind {
        MeasureKind::Amount => l.amount,
        MeasureKind::Quantity => l.quantity,
        MeasureKind::Count => l.deals,
    }
}

impl<'a> Ctx<'a> {
    /// The context of an evaluation of `inputs.transactions`.
    pub(crate) fn new(
        plan: &'a Plan,
        inputs: &'a Inputs,
        periods: Vec<Period>,
        target: usize,
        use_batch: bool,
    ) -> Result<Self> {
        let full = inputs.options.detail.is_full();
        Self::build(plan, inputs, periods, target, use_batch, full, None)?
            .ok_or_else(|| Error::overflow("the crediting"))
    }

    /// The context of an evaluation of `inputs.transactions` for its figures alone, whatever
    /// `options.detail` asks: credit lines without their traces, statements without credit
    /// lines, pay lines and traces (every amount, measure and step as in full detail). What a
    /// preview session reads: tracing the credit and pay lines was half the time of opening one.
    pub(crate) fn figures_only(
        plan: &'a Plan,
        inputs: &'a Inputs,
        periods: Vec<Period>,
        target: usize,
    ) -> Result<Self> {
        Self::build(plan, inputs, periods, target, false, false, None)?.ok_or_else(|| Error::overflow("the crediting"))
    }

    /// The context of an evaluation, of `columns` when given (then `None` when the kernel cannot
    /// credit them: see `batch::credit_columns`), else of `inputs.transactions`; with traces and
    /// per-line detail when `full`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build(
        plan: &'a Plan,
        inputs: &'a Inputs,
        periods: Vec<Period>,
        target: usize,
        use_batch: bool,
        full: bool,
        columns: Option<(&'a TransactionColumns, batch::Spare)>,
    ) -> Result<Option<Self>> {
        let (columns, spare) = match columns {
            Some((cols, spare)) => (Some(cols), spare),
            None => (None, batch::Spare::default()),
        };
        let payee_index = crate::small::StrIndex::new(plan.payees.iter().map(|p| p.id.as_str()));
        let scale = plan.rounding.scale_for(plan.minor_units(&plan.currency).unwrap_or(2));
        let lookup = |id: &str| payee_index.get(id);
        let managers = CreditContext::managers(plan, &lookup);
        let cc = CreditContext {
            plan,
            periods: &periods,
            payee_index: &lookup,
            upto: target,
            traces: full,
            managers: Some(&managers),
        };
        let mut fates = Vec::new();
        let (mut batch_lines, mut crediting) = match columns {
            Some(cols) => match batch::credit_columns(&cc, cols, spare)? {
                Some(b) => (Some(b), crate::credit::Crediting::default()),
                None => return Ok(None),
            },
            None => {
                let batch_lines = if use_batch { batch::credit(&cc, &inputs.transactions, &mut fates)? } else { None };
                let crediting = match batch_lines {
                    Some(_) => crate::credit::Crediting { fates, ..Default::default() },
                    None => credit_all(&cc, &inputs.transactions)?,
                };
                (batch_lines, crediting)
            }
        };
        if inputs.options.strict {
            let first = crediting.fates.iter().flatten().find_map(|f| match f {
                Fate::Rejected(r) => Some(r),
                _ => None,
            });
            if let Some(r) = first.or_else(|| batch_lines.as_ref().and_then(|b| b.first_rejected())) {
                return Err(Error::TransactionRejected {
                    transaction: r.transaction.clone(),
                    reason_code: r.code.clone(),
                    path: r.path.clone(),
                    message: r.message.clone(),
                });
            }
        }
        add_reversals(plan, inputs, &periods, target, &mut crediting.lines)?;
        let lines = crediting.lines;
        let np = plan.payees.len();
        let nm = plan.measures.len();
        let nk = periods.len();
        let mut by_payee = vec![Vec::new(); np];
        for (i, l) in lines.iter().enumerate() {
            if let Some(v) = by_payee.get_mut(l.payee) {
                v.push(i);
            }
        }
        let mut counts = vec![vec![false; lines.len()]; nm];
        let cells = Grid::<Decimal>::cells(np, nm, nk)?;
        let mut values = Grid::new(cells, nm, nk, Decimal::ZERO);
        if let Some(b) = batch_lines.as_mut() {
            batch::measures(plan, b, Rows::of(&inputs.transactions, columns), &mut values, nk)?;
            counts.clear();
        }
        for (m, measure) in plan.measures.iter().enumerate().filter(|_| batch_lines.is_none()) {
            let f = &measure.filter;
            let by_rule = counted_by_rule(plan, f);
            for (i, l) in lines.iter().enumerate() {
                let Some(t) = inputs.transactions.get(l.txn) else {
                    continue;
                };
                let counted = match &by_rule {
                    Some(ok) => ok.get(l.rule).copied().unwrap_or(true),
                    None => {
                        let rule_id = plan.crediting.rules.get(l.rule).map(|r| r.id());
                        crate::credit::filter_matches(f, t, rule_id)
                    }
                };
                if counted {
                    if let Some(c) = counts.get_mut(m).and_then(|c| c.get_mut(i)) {
                        *c = true;
                    }
                    if let Some(slot) = values.get_mut(l.payee, m).and_then(|v| v.get_mut(l.period)) {
                        *slot = slot.add_c(unit_value(l, measure.kind), "a measure value")?;
                    }
                }
            }
        }
        let mut measure_index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, m) in plan.measures.iter().enumerate() {
            measure_index.insert(m.id.as_str(), i);
        }
        let mut quotas = Grid::new(cells, nm, nk, None);
        for q in &plan.quotas {
            let (Some(&p), Some(&m)) =
                (payee_index.get(q.payee.as_str()).as_ref(), measure_index.get(q.measure.as_str()))
            else {
                continue;
            };
            let Some(payee) = plan.payees.get(p) else {
                continue;
            };
            for (k, period) in periods.iter().enumerate() {
                // a later period's quota is only read to tell whether the payee has one at all
                if k > target && quotas.get(p, m).is_some_and(|v| v.iter().any(Option::is_some)) {
                    break;
                }
                let q = crate::quota::effective_quota(&plan.calendar, &periods, payee, q, period)?;
                if let Some(slot) = quotas.get_mut(p, m).and_then(|v| v.get_mut(k)) {
                    *slot = q;
                }
            }
        }
        let applies = plan
            .components
            .iter()
            .map(|c| plan.payees.iter().map(|p| selects(&c.roles, &c.payees, p)).collect())
            .collect();
        // transaction id to index: only per-transaction (on-payment) holdbacks look transactions up
        let mut txn_index = BTreeMap::new();
        if plan.payments.holdbacks.iter().any(|h| matches!(h.release, crate::plan::Release::OnPayment)) {
            for (i, t) in inputs.transactions.iter().enumerate() {
                txn_index.entry(t.id.as_str()).or_insert(i);
            }
        }
        let line_ids = !txn_index.is_empty();
        Ok(Some(Self {
            plan,
            inputs,
            periods,
            target,
            payee_index,
            txn_index,
            scale,
            round_lines: plan.rounding.stage == RoundingStage::Line,
            lines,
            fates: crediting.fates,
            by_payee,
            counts,
            values,
            quotas,
            applies,
            full,
            line_ids,
            batch: batch_lines,
            columns,
            tier_rates: std::cell::RefCell::default(),
            spiff_rates: std::cell::RefCell::default(),
        }))
    }

    /// The transactions as the batch kernel reads them.
    #[cfg_attr(not(feature = "batch-kernel"), allow(dead_code))]
    pub(crate) fn rows(&self) -> Rows<'a> {
        Rows::of(&self.inputs.transactions, self.columns)
    }

    pub(crate) fn measure_index(&self, id: &str) -> Option<usize> {
        self.plan.measures.iter().position(|m| m.id == id)
    }

    /// Rounds a line amount when the policy rounds lines.
    pub(crate) fn line_round(&self, v: Decimal) -> Decimal {
        if self.round_lines {
            self.plan.rounding.round(v, self.scale)
        } else {
            v
        }
    }

    /// A money amount as shown in traces: rounded to the plan's scale for display.
    pub(crate) fn show(&self, v: Decimal) -> Decimal {
        pad(v.round_dp(self.scale), self.scale)
    }

    /// Measure value for a payee: period `k`, or year to date through `k`.
    pub(crate) fn value(&self, p: usize, m: usize, k: usize, ytd: bool) -> Result<Decimal> {
        let Some(v) = self.values.get(p, m) else {
            return Ok(Decimal::ZERO);
        };
        if ytd {
            crate::money::sum_c(v.iter().take(k + 1).copied(), "a year-to-date value")
        } else {
            Ok(v.get(k).copied().unwrap_or_default())
        }
    }

    /// Quota for a payee: period `k`, or year to date through `k` (`None` without a quota).
    pub(crate) fn quota(&self, p: usize, m: usize, k: usize, ytd: bool) -> Result<Option<Decimal>> {
        let Some(q) = self.quotas.get(p, m) else {
            return Ok(None);
        };
        if ytd {
            let mut sum = None;
            for x in q.iter().take(k + 1).flatten() {
                sum = Some(sum.unwrap_or(Decimal::ZERO).add_c(*x, "a year-to-date quota")?);
            }
            Ok(sum)
        } else {
            Ok(q.get(k).copied().flatten())
        }
    }

    /// The manager of payee `p` at the end of period `k`.
    pub(crate) fn manager_at(&self, p: usize, k: usize) -> Option<usize> {
        let d = self.periods.get(k)?.end;
        let payee = self.plan.payees.get(p)?;
        let line = payee.reports_to.iter().find(|r| r.from.is_none_or(|f| f <= d) && r.to.is_none_or(|t| d <= t))?;
        self.payee_index.get(line.manager.as_str())
    }

    fn figures(&self, p: usize, m: usize, k: usize, ytd: bool) -> Result<Figures> {
        let value = self.value(p, m, k, ytd)?;
        let quota = self.quota(p, m, k, ytd)?;
        let attainment = match quota {
            Some(q) if !q.is_zero() => Some(value.div_c(q, "an attainment")?),
            _ => None,
        };
        Ok(Figures { value, quota, attainment })
    }

    fn run(&self) -> Result<Evaluation> {
        Ok(self.run_capturing(None)?.0)
    }

    /// Runs the year up to the target period; with `capture`, also returns that payee's component
    /// states at the start of the target period (what a preview session starts from).
    pub(crate) fn run_capturing(&self, capture: Option<usize>) -> Result<(Evaluation, Vec<components::CompState>)> {
        let plan = self.plan;
        let mut captured = Vec::new();
        let np = plan.payees.len();
        let mut comp_states = vec![vec![components::CompState::default(); plan.components.len()]; np];
        let mut pay_states: Vec<payments::PayState> = (0..np).map(|p| payments::PayState::opening(self, p)).collect();
        let mut attributed = components::Attribution::new();
        // (payout, component amounts) per payee per period
        let mut history: Vec<Vec<(Decimal, BTreeMap<String, Decimal>)>> = vec![Vec::new(); np];
        let keep_history = !self.inputs.closed_statements.is_empty();
        let mut out_statements = Vec::with_capacity(np);
        for k in 0..=self.target {
            for p in 0..np {
                if k == self.target && capture == Some(p) {
                    captured = comp_states.get(p).cloned().unwrap_or_default();
                }
                let mut warnings: Vec<Note> = Vec::new();
                let mut results = Vec::new();
                for (c, comp) in plan.components.iter().enumerate() {
                    if !self.applies.get(c).and_then(|a| a.get(p)).copied().unwrap_or(false) {
                        continue;
                    }
                    let Some(state) = comp_states.get_mut(p).and_then(|s| s.get_mut(c)) else {
                        continue;
                    };
                    let r = components::evaluate_component(self, c, comp, p, k, state, &mut attributed, &mut warnings)?;
                    results.push(r);
                }
                let earnings = crate::money::sum_c(results.iter().map(|r| r.amount), "earnings")?;
                let Some(ps) = pay_states.get_mut(p) else {
                    continue;
                };
                let mut adjustments = payments::apply_payments(self, p, k, &results, earnings, ps, &attributed)?;
                if k == self.target {
                    adjustments
                        .extend(self.prior_period_adjustments(p, history.get(p).map(|h| h.as_slice()).unwrap_or(&[]))?);
                }
                let raw = earnings
                    .add_c(crate::money::sum_c(adjustments.iter().map(|a| a.amount), "adjustments")?, "the payout")?;
                let payout = self.plan.rounding.round(raw, self.scale);
                // (read only against closed statements: kept only when there are any)
                if let (true, Some(h)) = (keep_history, history.get_mut(p)) {
                    let mut comp_amounts: BTreeMap<String, Decimal> = BTreeMap::new();
                    for r in &results {
                        comp_amounts.insert(r.component.clone(), r.amount);
                    }
                    h.push((payout, comp_amounts));
                }
                if k == self.target {
                    let carried =
                        comp_states.get(p).map(|s| s.iter().map(|c| c.carry).collect::<Vec<_>>()).unwrap_or_default();
                    let balances = Balances {
                        draw_balance: ps.draw_balance,
                        held_back: crate::money::sum_c(
                            ps.held.iter().filter(|h| !h.released).map(|h| h.amount),
                            "held back",
                        )?,
                        carried_forward: crate::money::sum_c(carried, "carried forward")?,
                    };
                    out_statements.push(self.statement(
                        p,
                        k,
                        results,
                        earnings,
                        adjustments,
                        payout,
                        balances,
                        warnings,
                    )?);
                }
            }
        }
        let (accounting, excluded, rejected) = self.accounting()?;
        let evaluation = Evaluation {
            schema_version: 1,
            plan: plan.id.clone(),
            plan_version: plan.version.clone(),
            period: self
                .periods
                .get(self.target)
                .cloned()
                .ok_or_else(|| Error::UnknownPeriod { period: String::new(), known: String::new() })?,
            currency: plan.currency.clone(),
            statements: out_statements,
            accounting,
            excluded,
            rejected,
        };
        Ok((evaluation, captured))
    }

    #[allow(clippy::too_many_arguments)]
    fn statement(
        &self,
        p: usize,
        k: usize,
        components: Vec<crate::statement::ComponentResult>,
        earnings: Decimal,
        adjustments: Vec<Adjustment>,
        payout: Decimal,
        balances: Balances,
        warnings: Vec<Note>,
    ) -> Result<Statement> {
        let plan = self.plan;
        let payee = plan.payees.get(p).ok_or_else(|| Error::overflow("payee index"))?;
        let period = self.periods.get(k).ok_or_else(|| Error::overflow("period index"))?;
        let credits: Vec<CreditLine> = if !self.full {
            Vec::new()
        } else {
            self.by_payee
                .get(p)
                .map(|v| v.as_slice())
                .unwrap_or(&[])
                .iter()
                .filter_map(|&i| self.lines.get(i))
                .filter(|l| l.period == k)
                .map(|l| CreditLine {
                    transaction: self.inputs.transactions.get(l.txn).map(|t| t.id.clone()).unwrap_or_default(),
                    rule: plan.crediting.rules.get(l.rule).map(|r| r.id().to_string()).unwrap_or_default(),
                    share: l.share.normalize(),
                    amount: l.amount,
                    quantity: l.quantity.normalize(),
                    deals: l.deals.normalize(),
                    credit_date: l.date,
                    // the rate without trailing zeros: a cross rate's scale is an artefact of the
                    // decimal division (1.2 / 0.8 gives 1.50), which other implementations would not share
                    fx: l.fx.as_deref().map(|x| crate::statement::FxNote { rate: x.rate.normalize(), ..x.clone() }),
                    reversal: l.reversal,
                    trace: l.trace.clone(),
                })
                .collect()
        };
        let mut components = components;
        if !self.full {
            for c in &mut components {
                c.lines.clear();
            }
        }
        let mut measures = Vec::new();
        for (m, measure) in plan.measures.iter().enumerate() {
            let has_quota = self.quotas.get(p, m).is_some_and(|q| q.iter().any(Option::is_some));
            let ytd = self.figures(p, m, k, true)?;
            let counted = match &self.batch {
                Some(b) => b.counted(p, m),
                None => self.by_payee.get(p).is_some_and(|v| {
                    v.iter().any(|&i| self.counts.get(m).and_then(|c| c.get(i)).copied().unwrap_or(false))
                }),
            };
            if !has_quota && ytd.value.is_zero() && !counted {
                continue;
            }
            measures.push(MeasureResult {
                measure: measure.id.clone(),
                period: self.figures(p, m, k, false)?,
                year_to_date: ytd,
            });
        }
        let mut st = Statement {
            payee: payee.id.clone(),
            name: payee.name.clone(),
            role: payee.role.clone(),
            period: period.id.clone(),
            credits,
            measures,
            components,
            earnings,
            adjustments,
            payout,
            balances,
            warnings,
        };
        self.polish(&mut st);
        Ok(st)
    }

    /// Money at least at the currency scale (`150000` -> `150000.00`), without trailing zeros
    /// beyond it; attainment ratios to 6 decimals. Values are unchanged, only their printed form.
    fn polish(&self, st: &mut Statement) {
        let m = |v: &mut Decimal| *v = pad(*v, self.scale);
        for c in &mut st.credits {
            m(&mut c.amount);
        }
        for r in st.measures.iter_mut() {
            let money =
                self.plan.measures.iter().find(|x| x.id == r.measure).is_some_and(|x| x.kind == MeasureKind::Amount);
            for f in [&mut r.period, &mut r.year_to_date] {
                if money {
                    m(&mut f.value);
                    if let Some(q) = f.quota.as_mut() {
                        m(q);
                    }
                } else {
                    f.value = f.value.normalize();
                    f.quota = f.quota.map(|q| q.normalize());
                }
                f.attainment = f.attainment.map(|a| a.round_dp(6).normalize());
            }
        }
        for c in &mut st.components {
            m(&mut c.amount);
            for l in &mut c.lines {
                m(&mut l.amount);
                m(&mut l.credit);
                for b in &mut l.bands {
                    m(&mut b.amount);
                    m(&mut b.credit);
                }
            }
            for s in &mut c.steps {
                m(&mut s.amount);
            }
        }
        for a in &mut st.adjustments {
            m(&mut a.amount);
        }
        m(&mut st.earnings);
        m(&mut st.payout);
        m(&mut st.balances.draw_balance);
        m(&mut st.balances.held_back);
        m(&mut st.balances.carried_forward);
    }

    fn prior_period_adjustments(
        &self,
        p: usize,
        history: &[(Decimal, BTreeMap<String, Decimal>)],
    ) -> Result<Vec<Adjustment>> {
        let Some(payee) = self.plan.payees.get(p) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        let closed: Vec<&crate::inputs::ClosedStatement> =
            self.inputs.closed_statements.iter().filter(|c| c.payee == payee.id).collect();
        let key = |i: usize| closed.get(i).map(|c| self.periods.iter().position(|x| x.id == c.period));
        let mut order: Vec<usize> = (0..closed.len()).collect();
        crate::small::sort_indices(&mut order, &|a, b| key(a).cmp(&key(b)));
        let closed: Vec<&crate::inputs::ClosedStatement> =
            order.iter().filter_map(|&i| closed.get(i).copied()).collect();
        for c in closed {
            let Some(j) = self.periods.iter().position(|x| x.id == c.period) else {
                continue;
            };
            let Some((recomputed, comps)) = history.get(j) else {
                continue;
            };
            let diff = recomputed.sub_c(c.payout, "a prior-period adjustment")?;
            if diff.is_zero() {
                continue;
            }
            let mut detail: Vec<String> = Vec::new();
            for (id, now) in comps {
                let was = c.components.iter().find(|x| &x.component == id).map(|x| x.amount).unwrap_or_default();
                if *now != was {
                    detail.push(format!("{id}: now {now}, paid {was}"));
                }
            }
            let detail = if detail.is_empty() { String::new() } else { format!(" ({})", detail.join("; ")) };
            out.push(Adjustment {
                kind: "priorPeriod".into(),
                component: None,
                transaction: None,
                period: Some(c.period.clone()),
                amount: diff,
                trace: format!(
                    "{} recomputed with current data pays {recomputed}, {} was paid: adjustment {diff}{detail}",
                    c.period, c.payout
                ),
            });
        }
        Ok(out)
    }

    fn accounting(&self) -> Result<(Accounting, Vec<Excluded>, Vec<crate::statement::Rejected>)> {
        let (mut acc, excluded, rejected) = match &self.batch {
            Some(b) => batch::tallies(self, b)?,
            None => self.tallies()?,
        };
        self.settle(&mut acc)?;
        Ok((acc, excluded, rejected))
    }

    /// Every transaction counted and its amount added, per currency, into the input tally and
    /// the tally of its fate; the excluded and rejected transactions listed.
    pub(crate) fn tallies(&self) -> Result<(Accounting, Vec<Excluded>, Vec<crate::statement::Rejected>)> {
        let mut acc = Accounting::default();
        let mut excluded = Vec::new();
        let mut rejected = Vec::new();
        fn add(t: &mut Tally, ccy: &str, amount: Decimal) -> Result<()> {
            t.count += 1;
            // look up before inserting: no key string is allocated for a currency already there
            match t.amounts.get_mut(ccy) {
                Some(e) => *e = e.add_c(amount, "the accounting")?,
                None => {
                    t.amounts.insert(ccy.to_string(), amount);
                }
            }
            Ok(())
        }
        for (i, t) in self.inputs.transactions.iter().enumerate() {
            let ccy = t.currency.as_deref().unwrap_or(&self.plan.currency);
            add(&mut acc.input, ccy, t.amount)?;
            match self.fates.get(i).cloned().flatten() {
                Some(Fate::Credited(k)) => {
                    add(&mut acc.credited, ccy, t.amount)?;
                    if k == self.target {
                        add(&mut acc.credited_in_period, ccy, t.amount)?;
                    }
                }
                Some(Fate::Excluded(reasons)) => {
                    add(&mut acc.excluded, ccy, t.amount)?;
                    excluded.push(Excluded { transaction: t.id.clone(), index: i, reasons });
                }
                Some(Fate::Rejected(r)) => {
                    add(&mut acc.rejected, ccy, t.amount)?;
                    rejected.push(r);
                }
                None => {}
            }
        }
        Ok((acc, excluded, rejected))
    }

    /// The accounting's result: whether counts and amounts add up, amounts padded to their
    /// currency's minor units.
    fn settle(&self, acc: &mut Accounting) -> Result<()> {
        let mut sum: BTreeMap<&str, Decimal> = BTreeMap::new();
        for part in [&acc.credited, &acc.excluded, &acc.rejected] {
            for (c, a) in &part.amounts {
                let e = sum.entry(c.as_str()).or_default();
                *e = e.add_c(*a, "the accounting")?;
            }
        }
        let amounts_match =
            acc.input.amounts.iter().all(|(c, a)| sum.get(c.as_str()).copied().unwrap_or_default() == *a)
                && sum.iter().all(|(c, a)| acc.input.amounts.get(*c).copied().unwrap_or_default() == *a);
        acc.balanced = acc.credited.count + acc.excluded.count + acc.rejected.count == acc.input.count && amounts_match;
        for t in [&mut acc.input, &mut acc.credited, &mut acc.credited_in_period, &mut acc.excluded, &mut acc.rejected]
        {
            for (c, v) in t.amounts.iter_mut() {
                *v = pad(*v, self.plan.minor_units(c).unwrap_or(0));
            }
        }
        Ok(())
    }
}

/// Whether a line of each crediting rule counts for a measure with filter `f`, when the filter
/// looks at crediting rules only (the usual measure: decided per rule, once); `None` when it
/// reads the transaction, and each line is tested.
pub(crate) fn counted_by_rule(plan: &Plan, f: &crate::plan::Filter) -> Option<Vec<bool>> {
    (!f.reads_transaction()).then(|| {
        plan.crediting
            .rules
            .iter()
            .map(|r| f.rules.as_ref().is_none_or(|rules| rules.iter().any(|x| x == r.id())))
            .collect()
    })
}

/// `v` without trailing zeros, but with at least `scale` decimals.
pub(crate) fn pad(v: Decimal, scale: u32) -> Decimal {
    let mut n = v.normalize();
    if n.scale() < scale {
        n.rescale(scale);
    }
    n
}

/// Whether a role/payee selection picks `p` (both lists empty: everyone).
pub(crate) fn selects(roles: &[String], payees: &[String], p: &crate::plan::Payee) -> bool {
    (roles.is_empty() && payees.is_empty()) || roles.contains(&p.role) || payees.contains(&p.id)
}

/// Adds the negative credit lines that take cancelled transactions out of attainment when the
/// plan's clawback says `attainment: reduce`.
fn add_reversals(
    plan: &Plan,
    inputs: &Inputs,
    periods: &[Period],
    target: usize,
    lines: &mut Vec<Credit>,
) -> Result<()> {
    let Some(cb) = plan.payments.clawback.as_ref() else {
        return Ok(());
    };
    if cb.attainment != ClawbackAttainment::Reduce {
        return Ok(());
    }
    let mut extra = Vec::new();
    for l in lines.iter() {
        let Some(t) = inputs.transactions.get(l.txn) else {
            continue;
        };
        let Some(c) = t.cancellation_date else {
            continue;
        };
        let Some(k) = periods.iter().position(|p| p.contains(c)) else {
            continue;
        };
        if k > target || (c - l.date).num_days() > i64::from(cb.window_days) {
            continue;
        }
        let frac = payments::clawback_fraction(cb.mode, t)?;
        let mut r = l.clone();
        r.amount = -(l.amount.mul_c(frac, "a reversal")?);
        r.quantity = -(l.quantity.mul_c(frac, "a reversal")?);
        r.deals = -(l.deals.mul_c(frac, "a reversal")?);
        r.date = c;
        r.period = k;
        r.reversal = true;
        r.trace = format!("reversal of {} cancelled on {c}: attainment reduced by {}", t.id, r.amount);
        extra.push(r);
    }
    if extra.is_empty() {
        return Ok(());
    }
    lines.extend(extra);
    crate::credit::sort_lines(lines, &inputs.transactions);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Grid;

    #[test]
    fn a_grid_gives_each_payee_and_measure_its_own_periods() {
        // 3 payees, 2 measures, 4 periods: 24 cells; (payee 2, measure 1) is the last four
        let mut g = Grid::new(24, 2, 4, 0u32);
        for p in 0..3 {
            for m in 0..2 {
                for (k, x) in g.get_mut(p, m).unwrap().iter_mut().enumerate() {
                    *x = (100 * p + 10 * m + k) as u32;
                }
            }
        }
        assert_eq!(g.get(0, 0), Some(&[0, 1, 2, 3][..]));
        assert_eq!(g.get(1, 0), Some(&[100, 101, 102, 103][..]));
        assert_eq!(g.get(2, 1), Some(&[210, 211, 212, 213][..]));
        // no measure 2 (it would read payee 3's first measure), no payee 3, no overflow
        assert_eq!(g.get(0, 2), None);
        assert_eq!(g.get(3, 0), None);
        assert_eq!(g.get(usize::MAX, 1), None);
        // no measures or no periods: empty lists, none out of range
        assert_eq!(Grid::new(0, 1, 0, 0u8).get(1, 0), Some(&[][..]));
        assert_eq!(Grid::new(0, 0, 4, 0u8).get(0, 0), None);
        // the cells of 3 × 2 × 4; more than can be counted: an error, not a panic
        assert_eq!(Grid::<u8>::cells(3, 2, 4).ok(), Some(24));
        assert!(Grid::<u8>::cells(usize::MAX, 2, 1).is_err());
        assert!(Grid::<u8>::cells(100_000, 500, usize::MAX / 1_000_000).is_err());
    }
}
