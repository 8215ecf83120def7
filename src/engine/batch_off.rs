//! The batch kernel's interface without the kernel (the `batch-kernel` feature is off, as in the
//! core WebAssembly module): [`covers`] is false and [`Lines`] cannot exist, so the engine's
//! calls into the kernel compile away and every evaluation is the engine's own.

use super::components::ResolvedTable;
use super::{Ctx, Rows};
use crate::columns::TransactionColumns;
use crate::credit::{CreditContext, Fate};
use crate::inputs::Transaction;
use crate::plan::{MeasureKind, Plan};
use crate::tiers::PayRate;
use crate::Result;
use rust_decimal::Decimal;

pub(crate) fn covers(_: &Plan) -> bool {
    false
}

/// No value: there are no kernel lines without the kernel.
#[derive(Debug)]
pub(crate) enum Lines {}

impl Lines {
    pub(crate) fn into_spare(self) -> Spare {
        match self {}
    }

    pub(crate) fn counted(&self, _: usize, _: usize) -> bool {
        match *self {}
    }

    pub(crate) fn first_rejected(&self) -> Option<&crate::statement::Rejected> {
        match *self {}
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Total {
    pub n: usize,
}

impl Total {
    pub(crate) fn dec(self, _: u32) -> Result<Decimal> {
        Ok(Decimal::ZERO)
    }
}

#[allow(dead_code)]
pub(crate) struct TablePay<'t> {
    pub table: &'t ResolvedTable,
    pub fixed: Option<&'t (Option<usize>, Option<PayRate>)>,
    pub caps: &'t [crate::plan::Cap],
}

pub(crate) fn credit(_: &CreditContext<'_>, _: &[Transaction], _: &mut Vec<Option<Fate>>) -> Result<Option<Lines>> {
    Ok(None)
}

/// Without the kernel, columns are evaluated as a list.
pub(crate) fn credit_columns(_: &CreditContext<'_>, _: &TransactionColumns, _: Spare) -> Result<Option<Lines>> {
    Ok(None)
}

/// No lists to keep without the kernel.
#[derive(Debug, Default)]
pub(crate) struct Spare {}

impl Spare {
    pub(crate) fn bytes(&self) -> usize {
        0
    }
}

pub(crate) fn measures(_: &Plan, b: &mut Lines, _: Rows<'_>, _: &mut super::Grid<Decimal>, _: usize) -> Result<()> {
    match *b {}
}

pub(crate) fn table(
    _: &Ctx<'_>,
    b: &Lines,
    _: &TablePay<'_>,
    _: usize,
    _: usize,
    _: usize,
    _: bool,
) -> Result<(Total, Total)> {
    match *b {}
}

pub(crate) fn total_value(
    _: &Ctx<'_>,
    b: &Lines,
    _: MeasureKind,
    _: usize,
    _: usize,
    _: usize,
    _: bool,
) -> Result<Decimal> {
    match *b {}
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn spiff(
    _: &Ctx<'_>,
    b: &Lines,
    _: &crate::plan::Filter,
    _: &crate::plan::Window,
    _: &PayRate,
    _: usize,
    _: usize,
    _: usize,
) -> Result<Total> {
    match *b {}
}

pub(crate) fn tallies(
    _: &Ctx<'_>,
    b: &Lines,
) -> Result<(crate::statement::Accounting, Vec<crate::statement::Excluded>, Vec<crate::statement::Rejected>)> {
    match *b {}
}
