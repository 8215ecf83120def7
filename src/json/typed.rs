//! Transactions read straight from the JSON text, without the tree: the fast path of reading an
//! inputs or transactions document, whose bulk is its `transactions` array (native and the Node
//! WebAssembly module: feature `batch-kernel`; the browser module has no room for it).
//!
//! [`document`] reads the root object's other values as the tree parser does (`Parser::value`) and
//! the transactions straight into [`Transaction`]s: the usual objects, with known fields, strings
//! where strings are expected, decimals and dates that the tree reader accepts, `null` for an absent
//! optional field. It reads only what the tree reader reads into the very same transactions, and
//! gives up on anything else (a syntax error, a limit, an unknown field, a value of another type, a
//! malformed decimal or date, a missing field): the caller then reads the whole document the usual
//! way, so that every error, its message and its JSON pointer are those of the tree reader. A
//! repeated key keeps its last value, as in the tree (every occurrence must be readable here).
//!
//! The tests (`typed/tests.rs`) compare the two readers on the golden vectors' inputs, the fuzz
//! corpus and mutations of it, generated documents and a proptest of odd transactions.

use super::{parse_date, plain_decimal, Reader};
use crate::columns::{TransactionColumns, WIRE_WIDTH};
use crate::inputs::{Inputs, Split, Transaction};
use crate::jsontext::{Obj, Parser, Value};
use crate::limits::Limits;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Inputs text written in the usual way, read with its transactions straight from the text: the
/// very inputs that the tree reader reads (`None`: not so written, or an error, for the tree reader).
pub(super) fn inputs(text: &str, limits: &Limits) -> Option<Inputs> {
    let (tree, transactions) = document(text, limits, false)?;
    // (the rest by the tree reader: on an error, the caller reads the whole document again for it)
    let inputs = Reader::new("inputs").run(&tree, super::inputs).ok()?;
    Some(Inputs { transactions, ..inputs })
}

/// [`inputs`] with the transactions read into columns instead of a list (the inputs' own list
/// left empty): what `CompiledPlan::evaluate_json` evaluates in place.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(super) fn inputs_columns(text: &str, limits: &Limits) -> Option<(Inputs, TransactionColumns)> {
    let mut columns = TransactionColumns::new();
    // (a repeated `transactions` key: the last is kept, as in the tree)
    let tree = document_with(text, limits, false, &mut |p| {
        columns = rows(p)?;
        Some(())
    })?;
    let inputs = Reader::new("inputs").run(&tree, super::inputs).ok()?;
    Some((inputs, columns))
}

/// [`inputs`] for a transactions document: an array of transactions or `{"transactions": [...]}`.
pub(super) fn transactions_doc(text: &str, limits: &Limits) -> Option<Vec<Transaction>> {
    let (tree, transactions) = document(text, limits, true)?;
    Reader::new("transactions").run(&tree, super::transactions_doc).ok()?;
    Some(transactions)
}

/// The document `text` as a tree with an empty array in place of its transactions, and the
/// transactions: those of the root object's `transactions` key, or (`root_array`) of the root
/// itself when it is an array (another root is all tree). `None` when the document is not written
/// in the usual way.
fn document<'a>(text: &'a str, limits: &Limits, root_array: bool) -> Option<(Value<'a>, Vec<Transaction>)> {
    let mut txns = Vec::new();
    let tree = document_with(text, limits, root_array, &mut |p| {
        txns = transactions(p)?;
        Some(())
    })?;
    Some((tree, txns))
}

/// [`document`] with the transactions array (each time it comes) read by `read`.
fn document_with<'a>(
    text: &'a str,
    limits: &Limits,
    root_array: bool,
    read: &mut dyn FnMut(&mut Parser<'a>) -> Option<()>,
) -> Option<Value<'a>> {
    let mut p = Parser::new(text, limits.max_depth, limits.max_string_bytes);
    let tree = if p.whitespace() != Some(b'{') {
        if root_array {
            read(&mut p)?;
            Value::Array(Vec::new())
        } else {
            p.value().ok()?
        }
    } else {
        let mut entries = Vec::new();
        let mut fields = Seq::open(&mut p, b'{', b'}')?;
        while fields.more(&mut p)? {
            let key = key(&mut p)?;
            let value = if key == "transactions" {
                // (a repeated key: the last is kept, as in the tree)
                read(&mut p)?;
                Value::Array(Vec::new())
            } else {
                p.value().ok()?
            };
            entries.push((key, value));
        }
        Value::Object(Obj::from_entries(entries))
    };
    match p.whitespace() {
        Some(_) => None,
        None => Some(tree),
    }
}

/// The array of transactions that starts here, or `None` (the parser left anywhere).
fn transactions(p: &mut Parser<'_>) -> Option<Vec<Transaction>> {
    let mut out = Vec::new();
    let mut items = Seq::open(p, b'[', b']')?;
    while items.more(p)? {
        // (read in place: a transaction is large to move)
        out.push(Transaction::default());
        transaction(p, out.last_mut()?)?;
    }
    Some(out)
}

/// The compact form of transactions that the JavaScript package's `TransactionTable` sends:
/// `refs` holds twelve numbers a row ([`WIRE_WIDTH`](crate::columns::WIRE_WIDTH): the owner, currency, product, type,
/// region, close date, booking date, invoice date, payment date and cancellation date, each as its
/// place in `strings`, or `u32::MAX` when absent; then the lengths of the row's id and amount in
/// UTF-16 code units), and `doc` is `{"strings": [...], "ids": "...", "amounts": "...",
/// "splits": [[row, payee, "percent"], ...], "whole": [[row, {...}], ...]}`: the distinct
/// strings, every row's id end to end in one string and its amount likewise (one string each
/// instead of one per row: a tenth of the reading time), the rows' splits in row order (the
/// participant as its place in `strings`), and, in row order, the rows with other fields as whole
/// transactions (with an empty id and amount in the strings; their numbers are not read).
///
/// The very transactions that reading the rows as a list gives, or `None` for anything not so
/// (a malformed decimal or date, a number out of range, a string longer than the limit, a bad
/// document): the caller then reads the rows as a list, which gives each error its message and
/// JSON pointer.
pub(crate) fn columns_wire(doc: &str, refs: &[u32], limits: &Limits) -> Option<TransactionColumns> {
    if doc.len() > limits.max_inputs_bytes || refs.len() % WIRE_WIDTH != 0 {
        return None;
    }
    let mut p = Parser::new(doc, limits.max_depth, limits.max_string_bytes);
    let (mut strings, mut ids, mut amounts) = (Vec::new(), Cow::Borrowed(""), Cow::Borrowed(""));
    let mut whole: Vec<(usize, Transaction)> = Vec::new();
    let mut splits: Vec<(usize, u32, Decimal)> = Vec::new();
    let mut fields = Seq::open(&mut p, b'{', b'}')?;
    while fields.more(&mut p)? {
        match key(&mut p)?.as_ref() {
            "strings" => strings = list(&mut p, text)?,
            // (every id, or amount, end to end in one string: the limit is on each, below)
            "ids" => ids = p.with_string_limit(limits.max_inputs_bytes, text)?,
            "amounts" => amounts = p.with_string_limit(limits.max_inputs_bytes, text)?,
            "splits" => {
                splits.clear();
                let mut items = Seq::open(&mut p, b'[', b']')?;
                while items.more(&mut p)? {
                    let mut triple = Seq::open(&mut p, b'[', b']')?;
                    triple.more(&mut p)?.then_some(())?;
                    let row = index(&mut p)?;
                    triple.more(&mut p)?.then_some(())?;
                    let payee = u32::try_from(index(&mut p)?).ok()?;
                    triple.more(&mut p)?.then_some(())?;
                    let percent = decimal(&mut p)?;
                    (!triple.more(&mut p)?).then_some(())?;
                    splits.push((row, payee, percent));
                }
            }
            "whole" => {
                whole.clear();
                let mut items = Seq::open(&mut p, b'[', b']')?;
                while items.more(&mut p)? {
                    let mut pair = Seq::open(&mut p, b'[', b']')?;
                    pair.more(&mut p)?.then_some(())?;
                    let row = index(&mut p)?;
                    pair.more(&mut p)?.then_some(())?;
                    let mut t = Transaction::default();
                    transaction(&mut p, &mut t)?;
                    (!pair.more(&mut p)?).then_some(())?;
                    whole.push((row, t));
                }
            }
            _ => return None,
        }
    }
    if p.whitespace().is_some() {
        return None;
    }
    let mut out = TransactionColumns::with_capacity(refs.len() / WIRE_WIDTH);
    // each string's number in the columns and its date, found on first use
    let mut numbers: Vec<Option<u32>> = vec![None; strings.len()];
    let mut dates: Vec<Option<NaiveDate>> = vec![None; strings.len()];
    let mut number = |out: &mut TransactionColumns, r: u32| -> Option<u32> {
        if r == u32::MAX {
            return Some(u32::MAX);
        }
        let slot = numbers.get_mut(r as usize)?;
        if slot.is_none() {
            *slot = Some(out.intern(strings.get(r as usize)?.as_ref()));
        }
        *slot
    };
    let mut whole = whole.into_iter().peekable();
    let mut splits = splits.into_iter().peekable();
    let mut shares: Vec<(u32, Decimal)> = Vec::new();
    let (mut id_cuts, mut amount_cuts) = (Cuts::new(&ids), Cuts::new(&amounts));
    for (i, refs) in refs.chunks_exact(WIRE_WIDTH).enumerate() {
        let [o, c, p, k, g, d0, d1, d2, d3, d4, id_units, amount_units] = *refs else { return None };
        let (id, amount) = (id_cuts.next(id_units)?, amount_cuts.next(amount_units)?);
        if id.len() > limits.max_string_bytes || amount.len() > limits.max_string_bytes {
            return None;
        }
        if whole.peek().is_some_and(|(row, _)| *row == i) {
            // (a whole row brings its own id, amount and splits)
            if splits.peek().is_some_and(|s| s.0 == i) || !id.is_empty() || !amount.is_empty() {
                return None;
            }
            out.push(&whole.next()?.1);
            continue;
        }
        let amount = decimal_text(amount)?;
        // (strings numbered in the order `TransactionColumns::push` numbers them)
        let numbered = [
            number(&mut out, o)?,
            number(&mut out, c)?,
            number(&mut out, p)?,
            number(&mut out, k)?,
            number(&mut out, g)?,
        ];
        shares.clear();
        while let Some(&(_, payee, percent)) = splits.peek().filter(|s| s.0 == i) {
            splits.next();
            shares.push((number(&mut out, payee)?, percent));
        }
        let mut date = |r: u32| -> Option<Option<NaiveDate>> {
            if r == u32::MAX {
                return Some(None);
            }
            let slot = dates.get_mut(r as usize)?;
            if slot.is_none() {
                *slot = Some(parse_date(strings.get(r as usize)?.as_ref()).ok()?);
            }
            Some(*slot)
        };
        let dated = [date(d0)?, date(d1)?, date(d2)?, date(d3)?, date(d4)?];
        out.push_usual(id, amount, numbered, dated, shares.iter().copied());
    }
    // (every whole row and every split placed: none out of order or past the last row; every id
    // and amount read)
    (whole.next().is_none() && splits.next().is_none() && id_cuts.done() && amount_cuts.done()).then_some(out)
}

/// Consecutive pieces of a text, each given by its length in UTF-16 code units.
struct Cuts<'a> {
    text: &'a str,
    at: usize,
    ascii: bool,
}

impl<'a> Cuts<'a> {
    fn new(text: &'a str) -> Self {
        Cuts { text, at: 0, ascii: text.is_ascii() }
    }

    /// The next piece, `units` long; `None` past the end, or where the piece would end inside a
    /// character (two halves of a surrogate pair, in two pieces, read as one character).
    fn next(&mut self, units: u32) -> Option<&'a str> {
        let rest = self.text.get(self.at..)?;
        let bytes = if self.ascii {
            usize::try_from(units).ok()?
        } else {
            let (mut n, mut bytes) = (0u32, 0usize);
            for ch in rest.chars() {
                if n >= units {
                    break;
                }
                n += u32::try_from(ch.len_utf16()).ok()?;
                bytes += ch.len_utf8();
            }
            if n != units {
                return None;
            }
            bytes
        };
        let piece = rest.get(..bytes)?;
        self.at += bytes;
        Some(piece)
    }

    fn done(&self) -> bool {
        self.at == self.text.len()
    }
}

/// A row number (a non-negative JSON integer).
fn index(p: &mut Parser<'_>) -> Option<usize> {
    let Value::Number(n) = p.value().ok()? else { return None };
    usize::try_from(n.as_u64()?).ok()
}

/// An array, each item read by `item`.
fn list<'a, T>(p: &mut Parser<'a>, item: fn(&mut Parser<'a>) -> Option<T>) -> Option<Vec<T>> {
    let mut out = Vec::new();
    let mut items = Seq::open(p, b'[', b']')?;
    while items.more(p)? {
        out.push(item(p)?);
    }
    Some(out)
}

/// [`transactions`] into columns: each row read into one transaction, then pushed.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
fn rows(p: &mut Parser<'_>) -> Option<TransactionColumns> {
    let mut out = TransactionColumns::new();
    let mut row = Transaction::default();
    let mut items = Seq::open(p, b'[', b']')?;
    while items.more(p)? {
        row = Transaction::default();
        transaction(p, &mut row)?;
        out.push(&row);
    }
    drop(row);
    Some(out)
}

/// The items of an array or the entries of an object being read.
struct Seq {
    close: u8,
    first: bool,
}

impl Seq {
    fn open(p: &mut Parser<'_>, open: u8, close: u8) -> Option<Seq> {
        p.open(open).then_some(Seq { close, first: true })
    }

    /// Whether another item follows (then the parser is at it); `false` past the closing bracket.
    fn more(&mut self, p: &mut Parser<'_>) -> Option<bool> {
        if self.first {
            self.first = false;
            if p.whitespace() != Some(self.close) {
                return Some(true);
            }
        }
        p.close(self.close).map(|end| !end)
    }
}

/// A string (borrowed from the text when it has no escape).
fn text<'a>(p: &mut Parser<'a>) -> Option<Cow<'a, str>> {
    if p.whitespace() != Some(b'"') {
        return None;
    }
    p.bump();
    p.string().ok()
}

/// An object's key and its colon.
fn key<'a>(p: &mut Parser<'a>) -> Option<Cow<'a, str>> {
    let key = text(p)?;
    if p.whitespace() != Some(b':') {
        return None;
    }
    p.bump();
    Some(key)
}

fn string(p: &mut Parser<'_>) -> Option<String> {
    text(p).map(Cow::into_owned)
}

/// A decimal string, as the tree reader accepts it.
fn decimal(p: &mut Parser<'_>) -> Option<Decimal> {
    decimal_text(&text(p)?)
}

/// A decimal string's value, as the tree reader reads it.
fn decimal_text(s: &str) -> Option<Decimal> {
    if let Some(d) = plain_decimal(s) {
        return Some(d);
    }
    if s.contains(['e', 'E', ',']) {
        return None;
    }
    Decimal::from_str_exact(s).ok()
}

fn date(p: &mut Parser<'_>) -> Option<NaiveDate> {
    parse_date(&text(p)?).ok()
}

/// An optional field: `null` is `None`.
fn opt<T>(p: &mut Parser<'_>, f: fn(&mut Parser<'_>) -> Option<T>) -> Option<Option<T>> {
    if p.whitespace() == Some(b'n') {
        p.bump();
        return p.ident(b"ull").ok().map(|()| None);
    }
    f(p).map(Some)
}

fn transaction(p: &mut Parser<'_>, t: &mut Transaction) -> Option<()> {
    // the required fields seen: 1 `id`, 2 `amount`
    let mut seen = 0u8;
    let mut fields = Seq::open(p, b'{', b'}')?;
    while fields.more(p)? {
        match key(p)?.as_ref() {
            "id" => {
                t.id = string(p)?;
                seen |= 1;
            }
            "owner" => t.owner = opt(p, string)?,
            "amount" => {
                t.amount = decimal(p)?;
                seen |= 2;
            }
            "currency" => t.currency = opt(p, string)?,
            "quantity" => t.quantity = opt(p, decimal)?,
            "closeDate" => t.close_date = opt(p, date)?,
            "bookingDate" => t.booking_date = opt(p, date)?,
            "invoiceDate" => t.invoice_date = opt(p, date)?,
            "paymentDate" => t.payment_date = opt(p, date)?,
            "cancellationDate" => t.cancellation_date = opt(p, date)?,
            "refundAmount" => t.refund_amount = opt(p, decimal)?,
            "product" => t.product = opt(p, string)?,
            "type" => t.kind = opt(p, string)?,
            "region" => t.region = opt(p, string)?,
            "splits" => t.splits = splits(p)?,
            "attributes" => t.attributes = attributes(p)?,
            _ => return None,
        }
    }
    (seen == 3).then_some(())
}

fn splits(p: &mut Parser<'_>) -> Option<Vec<Split>> {
    let mut out = Vec::new();
    let mut items = Seq::open(p, b'[', b']')?;
    while items.more(p)? {
        let (mut payee, mut percent) = (None, None);
        let mut fields = Seq::open(p, b'{', b'}')?;
        while fields.more(p)? {
            match key(p)?.as_ref() {
                "payee" => payee = Some(string(p)?),
                "percent" => percent = Some(decimal(p)?),
                _ => return None,
            }
        }
        out.push(Split { payee: payee?, percent: percent? });
    }
    Some(out)
}

fn attributes(p: &mut Parser<'_>) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut fields = Seq::open(p, b'{', b'}')?;
    while fields.more(p)? {
        let key = key(p)?.into_owned();
        out.insert(key, string(p)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests;
