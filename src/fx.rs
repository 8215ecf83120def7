//! Currency conversion with effective-dated rates, through the table's base currency.

use crate::money::Checked;
use crate::plan::{FxRate, FxTable};
use crate::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Looks up conversion rates into the plan currency.
#[derive(Debug, Clone)]
pub struct FxBook<'a> {
    plan_currency: &'a str,
    table: Option<&'a FxTable>,
}

impl<'a> FxBook<'a> {
    /// A book converting into `plan_currency` with `table` (or none: only the plan currency works).
    pub fn new(plan_currency: &'a str, table: Option<&'a FxTable>) -> Self {
        Self { plan_currency, table }
    }

    /// Units of the base currency for one unit of `currency` on `date`.
    fn to_base(&self, currency: &str, date: NaiveDate) -> Option<Decimal> {
        let table = self.table?;
        if currency == table.base {
            return Some(Decimal::ONE);
        }
        // the rate with the latest `from` on or before the date, still valid on that date
        let best: Option<&FxRate> =
            table.rates.iter().filter(|r| r.currency == currency && r.from <= date).max_by(|a, b| a.from.cmp(&b.from));
        let r = best?;
        match r.to {
            Some(to) if date > to => None,
            _ => Some(r.rate),
        }
    }

    /// Units of the plan currency for one unit of `currency` on `date`; `None` when no rate covers
    /// the date. The plan currency converts at exactly 1.
    ///
    /// ```
    /// use payplan::fx::FxBook;
    /// use payplan::plan::{FxTable, FxRate, FxDate};
    /// let table = FxTable { base: "USD".into(), rate_date: FxDate::CreditDate, rates: vec![
    ///     FxRate { currency: "EUR".into(), rate: "1.10".parse().unwrap(), from: "2025-01-01".parse().unwrap(), to: None },
    ///     FxRate { currency: "GBP".into(), rate: "1.25".parse().unwrap(), from: "2025-01-01".parse().unwrap(), to: None },
    /// ]};
    /// let book = FxBook::new("EUR", Some(&table));
    /// // GBP -> USD -> EUR: 1.25 / 1.10
    /// let r = book.rate("GBP", "2025-03-01".parse().unwrap()).unwrap().unwrap();
    /// assert_eq!(r.round_dp(6).to_string(), "1.136364");
    /// ```
    pub fn rate(&self, currency: &str, date: NaiveDate) -> Result<Option<Decimal>> {
        if currency == self.plan_currency {
            return Ok(Some(Decimal::ONE));
        }
        let (Some(from), Some(plan)) = (self.to_base(currency, date), self.to_base(self.plan_currency, date)) else {
            return Ok(None);
        };
        if plan.is_zero() {
            return Ok(None);
        }
        Ok(Some(from.div_c(plan, "an exchange rate")?))
    }
}
