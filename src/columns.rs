//! Transactions in columns: the same data as a list of [`Transaction`]s, laid out for batch runs.
//!
//! A [`Transaction`] keeps its id, owner, product and the rest as strings of their own, scattered
//! over the heap: a summary of a hundred thousand of them spent much of its crediting on reaching
//! those strings (see BENCHMARKS.md). [`TransactionColumns`] stores one column per field; each
//! owner, currency, product, type, region, split participant and attribute is stored once and
//! referred to by number, and the ids lie end to end in one string. The plan's payee of an owner
//! is then found once per distinct owner instead of once per transaction.
//!
//! [`CompiledPlan::evaluate_columns`](crate::CompiledPlan::evaluate_columns) evaluates them and
//! gives the very [`Evaluation`](crate::statement::Evaluation) that
//! [`CompiledPlan::evaluate`](crate::CompiledPlan::evaluate) gives for the same transactions as a
//! list (`tests/columns.rs` checks it byte for byte).
//!
//! Columns evaluated again are cheaper: the first evaluation keeps what it finds of the rows
//! alone, whatever the plan or period (the rows in processing order for each credit-date field,
//! whether ids repeat, the amounts' sums per currency), and later evaluations take it as it is.
//! Adding a row drops it.
//!
//! ```
//! use payplan::columns::TransactionColumns;
//! use payplan::inputs::Transaction;
//! let deal = Transaction {
//!     id: "D-1".into(),
//!     owner: Some("ae-ana".into()),
//!     amount: "1200.50".parse().unwrap(),
//!     close_date: chrono::NaiveDate::from_ymd_opt(2025, 2, 14),
//!     product: Some("Platform".into()),
//!     ..Default::default()
//! };
//! let mut columns = TransactionColumns::new();
//! columns.push(&deal);
//! columns.push(&Transaction { id: "D-2".into(), ..deal.clone() });
//! assert_eq!(columns.len(), 2);
//! assert_eq!(columns.get(0), Some(deal));
//! assert_eq!(columns.distinct_strings(), 2); // "ae-ana" and "Platform", each stored once
//! ```

// (without the batch kernel, columns are read back as a list: the in-place readers go unused)
#![cfg_attr(not(feature = "batch-kernel"), allow(dead_code))]

use crate::inputs::{Split, Transaction};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, as `small::StrIndex` hashes payee and transaction ids: the strings looked up while
/// pushing are short names (owners, products, types), for which the standard
/// library's SipHash takes several times longer.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// The number of an absent string.
pub(crate) const NONE: u32 = u32::MAX;

/// The numbers a row has in the compact form's references: the places in `strings` of its owner,
/// currency, product, type, region, close, booking, invoice, payment and cancellation dates, then
/// the lengths of its id and of its amount in UTF-16 code units (JavaScript's `length`).
#[cfg(feature = "batch-kernel")]
pub(crate) const WIRE_WIDTH: usize = 12;

/// Transactions stored by column, each distinct string once (see the [module documentation](self)).
///
/// Build it with [`TransactionColumns::push`] (or `collect()` / `From` a list), read a row back
/// with [`TransactionColumns::get`]. Every field of [`Transaction`] is kept exactly: a row read
/// back equals the transaction pushed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionColumns {
    /// The distinct strings other than ids, by number.
    strings: Vec<String>,
    /// String to number (for pushing).
    numbers: HashMap<String, u32, BuildHasherDefault<Fnv>>,
    /// The ids, end to end; row `i`'s id ends at `id_ends[i]`.
    ids: String,
    id_ends: Vec<usize>,
    owner: Vec<u32>,
    amount: Vec<Decimal>,
    currency: Vec<u32>,
    quantity: Vec<Option<Decimal>>,
    close_date: Vec<Option<NaiveDate>>,
    booking_date: Vec<Option<NaiveDate>>,
    invoice_date: Vec<Option<NaiveDate>>,
    payment_date: Vec<Option<NaiveDate>>,
    cancellation_date: Vec<Option<NaiveDate>>,
    refund_amount: Vec<Option<Decimal>>,
    product: Vec<u32>,
    kind: Vec<u32>,
    region: Vec<u32>,
    /// Row `i`'s splits are `split_payee[split_ends[i - 1]..split_ends[i]]` (and their percents).
    split_ends: Vec<usize>,
    split_payee: Vec<u32>,
    split_percent: Vec<Decimal>,
    /// Row `i`'s attributes are `attributes[attribute_ends[i - 1]..attribute_ends[i]]`, in key order.
    attribute_ends: Vec<usize>,
    attributes: Vec<(u32, u32)>,
    /// What the batch kernel finds of the rows alone, kept for the next evaluation.
    kept: Kept,
}

/// What the batch kernel finds of the rows alone (not of a plan), found on first use and kept
/// until a row is added: an evaluation of the same columns again, by any plan, for any period,
/// does not find it again. It is not part of the columns' value (`==` ignores it).
#[derive(Debug, Clone, Default)]
struct Kept {
    /// Per credit-date field (close, booking, invoice, payment): the rows in the engine's
    /// processing order (see `engine::batch::row_order`).
    order: [std::sync::OnceLock<Vec<u32>>; 4],
    /// Whether each row's id repeats an earlier row's (empty when none does).
    repeats: std::sync::OnceLock<Vec<bool>>,
    /// The sum of the rows' amounts per currency (see `engine::batch::input_sums`).
    input_sums: std::sync::OnceLock<Option<Vec<(u32, Decimal)>>>,
}

impl PartialEq for Kept {
    fn eq(&self, _: &Kept) -> bool {
        true
    }
}

impl Eq for Kept {}

impl Kept {
    /// Forgets everything kept (every field named: a field added later must be forgotten too).
    fn clear(&mut self) {
        let Kept { order, repeats, input_sums } = self;
        order.iter_mut().for_each(|o| drop(o.take()));
        drop(repeats.take());
        drop(input_sums.take());
    }
}

/// A row's place in a column of ranges (`ends`): `ends[i - 1]..ends[i]`.
fn range(ends: &[usize], i: usize) -> std::ops::Range<usize> {
    let from = if i == 0 { 0 } else { ends.get(i - 1).copied().unwrap_or(0) };
    from..ends.get(i).copied().unwrap_or(from).max(from)
}

impl TransactionColumns {
    /// No transactions.
    pub fn new() -> Self {
        Self::default()
    }

    /// No transactions, with room for `rows` of them.
    pub fn with_capacity(rows: usize) -> Self {
        let mut c = Self::default();
        c.id_ends.reserve(rows);
        c.owner.reserve(rows);
        c.amount.reserve(rows);
        c.currency.reserve(rows);
        c.quantity.reserve(rows);
        c.refund_amount.reserve(rows);
        for dates in
            [&mut c.close_date, &mut c.booking_date, &mut c.invoice_date, &mut c.payment_date, &mut c.cancellation_date]
        {
            dates.reserve(rows);
        }
        c.product.reserve(rows);
        c.kind.reserve(rows);
        c.region.reserve(rows);
        c.split_ends.reserve(rows);
        c.attribute_ends.reserve(rows);
        c
    }

    /// The number of transactions.
    pub fn len(&self) -> usize {
        self.id_ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.id_ends.is_empty()
    }

    /// How many distinct strings the rows share (owners, currencies, products, types, regions,
    /// split participants, attribute names and values; not ids).
    pub fn distinct_strings(&self) -> usize {
        self.strings.len()
    }

    fn number(&mut self, s: Option<&str>) -> u32 {
        let Some(s) = s else { return NONE };
        if let Some(&n) = self.numbers.get(s) {
            return n;
        }
        // (more than 4 billion distinct strings cannot be held anyway: the last number repeats)
        let n = u32::try_from(self.strings.len()).unwrap_or(NONE - 1).min(NONE - 1);
        self.strings.push(s.to_string());
        self.numbers.insert(s.to_string(), n);
        n
    }

    /// Adds a transaction as the last row.
    pub fn push(&mut self, t: &Transaction) {
        let [owner, currency, product, kind, region] =
            [&t.owner, &t.currency, &t.product, &t.kind, &t.region].map(|s| self.number(s.as_deref()));
        let dates = [t.close_date, t.booking_date, t.invoice_date, t.payment_date, t.cancellation_date];
        self.push_numbered(&t.id, t.amount, [owner, currency, product, kind, region], dates);
        self.quantity.push(t.quantity);
        self.refund_amount.push(t.refund_amount);
        for s in &t.splits {
            let payee = self.number(Some(&s.payee));
            self.split_payee.push(payee);
            self.split_percent.push(s.percent);
        }
        self.split_ends.push(self.split_payee.len());
        for (k, v) in &t.attributes {
            let pair = (self.number(Some(k)), self.number(Some(v)));
            self.attributes.push(pair);
        }
        self.attribute_ends.push(self.attributes.len());
    }

    /// Adds a row of the usual fields: the id, the amount, the string numbers of the owner,
    /// currency, product, type and region, and the close, booking, invoice, payment and
    /// cancellation dates. The caller pushes the quantity, the refund, the splits and the
    /// attributes (see [`TransactionColumns::push`]).
    fn push_numbered(&mut self, id: &str, amount: Decimal, strings: [u32; 5], dates: [Option<NaiveDate>; 5]) {
        // (every row goes through here: what was kept of the rows no longer holds)
        self.kept.clear();
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len());
        let [owner, currency, product, kind, region] = strings;
        self.owner.push(owner);
        self.currency.push(currency);
        self.product.push(product);
        self.kind.push(kind);
        self.region.push(region);
        self.amount.push(amount);
        let [close, booking, invoice, payment, cancellation] = dates;
        self.close_date.push(close);
        self.booking_date.push(booking);
        self.invoice_date.push(invoice);
        self.payment_date.push(payment);
        self.cancellation_date.push(cancellation);
    }

    /// Adds a row of the usual fields and splits (no quantity, refund or attributes), its
    /// strings given by their numbers (each split as its participant's number and its percent):
    /// the compact form JavaScript sends, see `json::typed::columns_wire`.
    pub(crate) fn push_usual(
        &mut self,
        id: &str,
        amount: Decimal,
        strings: [u32; 5],
        dates: [Option<NaiveDate>; 5],
        splits: impl Iterator<Item = (u32, Decimal)>,
    ) {
        self.push_numbered(id, amount, strings, dates);
        self.quantity.push(None);
        self.refund_amount.push(None);
        for (payee, percent) in splits {
            self.split_payee.push(payee);
            self.split_percent.push(percent);
        }
        self.split_ends.push(self.split_payee.len());
        self.attribute_ends.push(self.attributes.len());
    }

    /// The number of string `s`, added when new.
    pub(crate) fn intern(&mut self, s: &str) -> u32 {
        self.number(Some(s))
    }

    /// Reads the compact form of transactions that the JavaScript package's `TransactionTable`
    /// sends: `refs` holds twelve numbers a row (the places in `strings` of the owner, currency,
    /// product, type, region, close date, booking date, invoice date, payment date and
    /// cancellation date, `u32::MAX` when absent; then the lengths of the row's id and amount in
    /// UTF-16 code units, JavaScript's `length`), and `doc` is the JSON text
    /// `{"strings": [...], "ids": "...", "amounts": "...", "splits": [[row, payee, "percent"], ...],
    /// "whole": [[row, {...}], ...]}` (the distinct strings; every row's id end to end in one
    /// string, and its amount likewise; the splits in row order, each participant as its place in
    /// `strings`; the rows with other fields as whole transactions, in row order, with an empty
    /// id and amount in the two strings).
    ///
    /// `None` for anything that reading the same rows as a list would not read into the same
    /// transactions (a malformed decimal or date, a number out of range, more than `limits`
    /// allow): the caller then reads them as a list, which gives each error its message and JSON
    /// pointer. (Feature `batch-kernel`.)
    ///
    /// ```
    /// use payplan::columns::TransactionColumns;
    /// let doc = r#"{"strings": ["ae-1", "2025-02-03"], "ids": "D-1", "amounts": "10.50",
    ///   "whole": [[1, {"id": "D-2", "amount": "7", "quantity": "3"}]]}"#;
    /// let none = u32::MAX;
    /// // row 0: owner "ae-1", close date "2025-02-03", id "D-1" (3 units), amount "10.50" (5)
    /// let mut refs = vec![0, none, none, none, none, 1, none, none, none, none, 3, 5];
    /// // row 1 goes whole: no numbers, an empty id and amount
    /// refs.extend([none; 10].into_iter().chain([0, 0]));
    /// let columns = TransactionColumns::from_wire(doc, &refs, &Default::default()).unwrap();
    /// let first = columns.get(0).unwrap();
    /// assert_eq!((first.id.as_str(), first.owner.as_deref()), ("D-1", Some("ae-1")));
    /// assert_eq!(first.close_date.unwrap().to_string(), "2025-02-03");
    /// assert_eq!(columns.get(1).unwrap().quantity.unwrap().to_string(), "3");
    /// ```
    #[cfg(feature = "batch-kernel")]
    pub fn from_wire(doc: &str, refs: &[u32], limits: &crate::limits::Limits) -> Option<Self> {
        crate::json::columns_wire(doc, refs, limits)
    }

    /// Row `i` as a [`Transaction`] (`None` past the last row).
    pub fn get(&self, i: usize) -> Option<Transaction> {
        let row = self.row(i)?;
        let text = |n: u32| self.text(n).map(str::to_string);
        Some(Transaction {
            id: row.id().to_string(),
            owner: text(*self.owner.get(i)?),
            amount: *self.amount.get(i)?,
            currency: text(*self.currency.get(i)?),
            quantity: *self.quantity.get(i)?,
            close_date: *self.close_date.get(i)?,
            booking_date: *self.booking_date.get(i)?,
            invoice_date: *self.invoice_date.get(i)?,
            payment_date: *self.payment_date.get(i)?,
            cancellation_date: *self.cancellation_date.get(i)?,
            refund_amount: *self.refund_amount.get(i)?,
            product: text(*self.product.get(i)?),
            kind: text(*self.kind.get(i)?),
            region: text(*self.region.get(i)?),
            splits: row
                .splits()
                .map(|(payee, percent)| Split { payee: self.text(payee).unwrap_or("").to_string(), percent })
                .collect(),
            attributes: row
                .attribute_numbers()
                .iter()
                .map(|&(k, v)| (self.text(k).unwrap_or("").to_string(), self.text(v).unwrap_or("").to_string()))
                .collect::<BTreeMap<_, _>>(),
        })
    }

    /// Every row as a [`Transaction`], in order.
    pub fn to_transactions(&self) -> Vec<Transaction> {
        (0..self.len()).filter_map(|i| self.get(i)).collect()
    }

    /// String number `n` (`None` for an absent one).
    pub(crate) fn text(&self, n: u32) -> Option<&str> {
        self.strings.get(n as usize).map(String::as_str)
    }

    /// The number of a string among the distinct strings other than ids, if a row has it.
    pub(crate) fn number_of(&self, s: &str) -> Option<u32> {
        self.numbers.get(s).copied()
    }

    /// The distinct strings, by number.
    pub(crate) fn strings(&self) -> &[String] {
        &self.strings
    }

    /// A view of row `i`.
    pub(crate) fn row(&self, i: usize) -> Option<Row<'_>> {
        (i < self.len()).then_some(Row { cols: self, i })
    }

    /// Whether each row passes `filter`, which reads no credit rule (`None` given for the rule).
    /// Rows without attributes are decided by string number ([`ByNumber`]): a few table reads a
    /// row, no string compared; rows with attributes one by one.
    #[cfg(feature = "batch-kernel")]
    pub(crate) fn passing(&self, filter: &crate::plan::Filter) -> Vec<bool> {
        let by_number = ByNumber::new(filter, &self.strings);
        if self.attributes.is_empty() {
            // (no row has attributes: the three columns read side by side)
            return self
                .product
                .iter()
                .zip(&self.kind)
                .zip(&self.region)
                .map(|((&p, &k), &r)| by_number.passes([p, k, r]))
                .collect();
        }
        (0..self.len())
            .map(|i| {
                let Some(row) = self.row(i) else { return false };
                if !row.attribute_numbers().is_empty() {
                    return crate::credit::filter_matches_fields(filter, &row, None);
                }
                by_number.passes([&self.product, &self.kind, &self.region].map(|c| row.num(c)))
            })
            .collect()
    }

    /// The rows in processing order for credit dates in `field`, made by `make` on first use and
    /// kept (see [`Kept`]).
    pub(crate) fn kept_order(&self, field: crate::plan::DateField, make: impl FnOnce() -> Vec<u32>) -> &[u32] {
        use crate::plan::DateField;
        let slot = match field {
            DateField::Close => 0,
            DateField::Booking => 1,
            DateField::Invoice => 2,
            DateField::Payment => 3,
        };
        self.kept.order.get(slot).map_or(&[], |o| o.get_or_init(make).as_slice())
    }

    /// Whether each row's id repeats an earlier row's (empty when none does), made by `make` on
    /// first use and kept (see [`Kept`]).
    pub(crate) fn kept_repeats(&self, make: impl FnOnce() -> Vec<bool>) -> &[bool] {
        self.kept.repeats.get_or_init(make)
    }

    /// The sum of the rows' amounts per currency (by string number, [`NONE`] for rows without
    /// one), made by `make` on first use and kept (see [`Kept`]).
    pub(crate) fn kept_input_sums(
        &self,
        make: impl FnOnce() -> Option<Vec<(u32, Decimal)>>,
    ) -> Option<&[(u32, Decimal)]> {
        self.kept.input_sums.get_or_init(make).as_deref()
    }

    /// The ids, in row order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.ids.get(range(&self.id_ends, i)).unwrap_or(""))
    }
}

impl From<&[Transaction]> for TransactionColumns {
    fn from(list: &[Transaction]) -> Self {
        let mut c = TransactionColumns::with_capacity(list.len());
        list.iter().for_each(|t| c.push(t));
        c
    }
}

impl<'a> FromIterator<&'a Transaction> for TransactionColumns {
    fn from_iter<I: IntoIterator<Item = &'a Transaction>>(iter: I) -> Self {
        let mut c = TransactionColumns::new();
        iter.into_iter().for_each(|t| c.push(t));
        c
    }
}

impl FromIterator<Transaction> for TransactionColumns {
    fn from_iter<I: IntoIterator<Item = Transaction>>(iter: I) -> Self {
        let mut c = TransactionColumns::new();
        iter.into_iter().for_each(|t| c.push(&t));
        c
    }
}

/// A filter decided by string number for rows without attributes: for the filter and each
/// exclusion nested in it, which of the columns' strings its product, type and region lists
/// accept (`None`: no list, every row passes it). `credit::filter_matches_fields` with no credit
/// rule given reads nothing else of such a row: a level listing attributes fails it (the row has
/// none), and an empty exclusion excludes nothing.
#[cfg(feature = "batch-kernel")]
struct ByNumber {
    /// The filter, then its exclusion, then the exclusion's, as far as they go.
    levels: Vec<Level>,
}

/// One level of [`ByNumber`]: whether it lists attributes, and its product, type and region lists
/// as one flag per string number.
#[cfg(feature = "batch-kernel")]
struct Level {
    attributes: bool,
    lists: [Option<Vec<bool>>; 3],
}

#[cfg(feature = "batch-kernel")]
impl ByNumber {
    fn new(filter: &crate::plan::Filter, strings: &[String]) -> ByNumber {
        let flags = |list: &Option<Vec<String>>| {
            list.as_ref().map(|l| strings.iter().map(|s| l.iter().any(|x| x == s)).collect::<Vec<bool>>())
        };
        let mut levels = Vec::new();
        let mut f = Some(filter);
        while let Some(level) = f {
            levels.push(Level {
                attributes: !level.attributes.is_empty(),
                lists: [flags(&level.products), flags(&level.types), flags(&level.regions)],
            });
            f = level.exclude.as_deref().filter(|ex| !ex.is_empty());
        }
        ByNumber { levels }
    }

    /// Whether a row without attributes, of product, type and region string numbers `numbers`
    /// ([`NONE`] for an absent one, which no list holds), passes: each level from the innermost
    /// exclusion out, a level passing when its lists accept the row and the level inside it does
    /// not.
    #[inline]
    fn passes(&self, numbers: [u32; 3]) -> bool {
        self.levels.iter().rev().fold(false, |inner, level| {
            !inner
                && !level.attributes
                && level
                    .lists
                    .iter()
                    .zip(numbers)
                    .all(|(list, n)| list.as_ref().is_none_or(|flags| flags.get(n as usize).copied().unwrap_or(false)))
        })
    }
}

/// One row of [`TransactionColumns`], read in place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    cols: &'a TransactionColumns,
    i: usize,
}

impl<'a> Row<'a> {
    fn num(&self, col: &[u32]) -> u32 {
        col.get(self.i).copied().unwrap_or(NONE)
    }

    /// The row as a [`Transaction`].
    pub(crate) fn transaction(&self) -> Option<Transaction> {
        self.cols.get(self.i)
    }

    pub(crate) fn id(&self) -> &'a str {
        self.cols.ids.get(range(&self.cols.id_ends, self.i)).unwrap_or("")
    }

    /// The owner's string number (`u32::MAX` when absent).
    pub(crate) fn owner(&self) -> u32 {
        self.num(&self.cols.owner)
    }

    pub(crate) fn amount(&self) -> Decimal {
        self.cols.amount.get(self.i).copied().unwrap_or_default()
    }

    pub(crate) fn currency(&self) -> Option<&'a str> {
        self.cols.text(self.num(&self.cols.currency))
    }

    /// The currency's string number ([`NONE`] when absent).
    pub(crate) fn currency_number(&self) -> u32 {
        self.num(&self.cols.currency)
    }

    pub(crate) fn quantity(&self) -> Option<Decimal> {
        self.cols.quantity.get(self.i).copied().flatten()
    }

    pub(crate) fn date(&self, field: crate::plan::DateField) -> Option<NaiveDate> {
        use crate::plan::DateField;
        let col = match field {
            DateField::Close => &self.cols.close_date,
            DateField::Booking => &self.cols.booking_date,
            DateField::Invoice => &self.cols.invoice_date,
            DateField::Payment => &self.cols.payment_date,
        };
        col.get(self.i).copied().flatten()
    }

    pub(crate) fn cancellation_date(&self) -> Option<NaiveDate> {
        self.cols.cancellation_date.get(self.i).copied().flatten()
    }

    pub(crate) fn refund_amount(&self) -> Option<Decimal> {
        self.cols.refund_amount.get(self.i).copied().flatten()
    }

    /// The splits: each participant's string number and percent.
    pub(crate) fn splits(&self) -> impl Iterator<Item = (u32, Decimal)> + 'a {
        let r = range(&self.cols.split_ends, self.i);
        let payees = self.cols.split_payee.get(r.clone()).unwrap_or(&[]);
        let percents = self.cols.split_percent.get(r).unwrap_or(&[]);
        payees.iter().copied().zip(percents.iter().copied())
    }

    pub(crate) fn has_splits(&self) -> bool {
        !range(&self.cols.split_ends, self.i).is_empty()
    }

    fn attribute_numbers(&self) -> &'a [(u32, u32)] {
        self.cols.attributes.get(range(&self.cols.attribute_ends, self.i)).unwrap_or(&[])
    }
}

impl crate::credit::Fields for Row<'_> {
    fn product(&self) -> Option<&str> {
        self.cols.text(self.num(&self.cols.product))
    }

    fn kind(&self) -> Option<&str> {
        self.cols.text(self.num(&self.cols.kind))
    }

    fn region(&self) -> Option<&str> {
        self.cols.text(self.num(&self.cols.region))
    }

    fn attribute(&self, key: &str) -> Option<&str> {
        let pairs = self.attribute_numbers();
        pairs.iter().find(|&&(k, _)| self.cols.text(k) == Some(key)).and_then(|&(_, v)| self.cols.text(v))
    }
}

#[cfg(all(test, feature = "batch-kernel"))]
mod tests {
    use super::*;
    use crate::plan::Filter;
    use proptest::prelude::*;

    /// A value among a few, or none (`Other` names one that no row has).
    fn value() -> impl Strategy<Value = Option<String>> {
        prop::option::of(prop::sample::select(vec!["A", "B", "C"]).prop_map(String::from))
    }

    fn list() -> impl Strategy<Value = Option<Vec<String>>> {
        prop::option::of(prop::collection::vec(
            prop::sample::select(vec!["A", "B", "C", "Other"]).prop_map(String::from),
            0..3,
        ))
    }

    fn level() -> impl Strategy<Value = Filter> {
        (list(), list(), list(), prop::bool::weighted(0.2)).prop_map(|(products, types, regions, attributes)| Filter {
            products,
            types,
            regions,
            attributes: if attributes {
                [("tier".to_string(), vec!["gold".to_string()])].into_iter().collect()
            } else {
                Default::default()
            },
            ..Filter::default()
        })
    }

    /// A filter with up to three nested exclusions (an empty one among them now and then).
    fn filter() -> impl Strategy<Value = Filter> {
        (prop::collection::vec(level(), 1..5), prop::bool::weighted(0.2)).prop_map(|(levels, empty_last)| {
            let mut levels = levels.into_iter().rev();
            let mut f = levels.next().unwrap_or_default();
            if empty_last {
                f.exclude = Some(Box::new(Filter::default()));
            }
            for mut outer in levels {
                outer.exclude = Some(Box::new(f));
                f = outer;
            }
            f
        })
    }

    fn row() -> impl Strategy<Value = Transaction> {
        (value(), value(), value(), prop::option::of(prop::sample::select(vec!["gold", "silver"]))).prop_map(
            |(product, kind, region, tier)| Transaction {
                product,
                kind,
                region,
                attributes: tier.map(|t| ("tier".to_string(), t.to_string())).into_iter().collect(),
                ..Transaction::default()
            },
        )
    }

    proptest! {
        /// The rows the columns find passing a filter by string number are those the filter
        /// passes read field by field, with and without attributes, through nested exclusions.
        #[test]
        fn passing_by_string_number_is_the_filter(f in filter(), rows in prop::collection::vec(row(), 1..40)) {
            let cols: TransactionColumns = rows.iter().enumerate().map(|(i, t)| Transaction { id: format!("T{i}"), ..t.clone() }).collect();
            let passing = cols.passing(&f);
            prop_assert_eq!(passing.len(), rows.len());
            for (i, t) in rows.iter().enumerate() {
                prop_assert_eq!(passing[i], crate::credit::filter_matches_fields(&f, t, None), "row {}", i);
            }
        }
    }

    /// Two hand-checked rows: `Platform`/`new` passes "Platform products except renewals in EU";
    /// a renewal in EU does not, and a row without a product does not.
    #[test]
    fn a_filter_with_an_exclusion_by_number() {
        let f: Filter = serde_json::from_value(serde_json::json!({
            "products": ["Platform"], "exclude": { "types": ["renewal"], "regions": ["EU"] }
        }))
        .unwrap();
        let t = |p: Option<&str>, k: &str, r: &str| Transaction {
            id: format!("{p:?}{k}{r}"),
            product: p.map(String::from),
            kind: Some(k.into()),
            region: Some(r.into()),
            ..Transaction::default()
        };
        let rows = [
            t(Some("Platform"), "new", "EU"),
            t(Some("Platform"), "renewal", "EU"),
            t(Some("Platform"), "renewal", "US"),
            t(None, "new", "US"),
        ];
        let cols: TransactionColumns = rows.iter().collect();
        assert_eq!(cols.passing(&f), vec![true, false, true, false]);
    }
}
