//! The evaluation as compact JSON ([`Evaluation::to_json`]), written by hand with
//! `crate::jsonwrite`: the same bytes as the types' derived `Serialize` through serde_json (the
//! keys in field order and camelCase, `type` for a component's kind, the same fields left out),
//! without serde's serializer in the WebAssembly module. A field added to a type must be added
//! here too: the tests compare the two on every golden vector and on generated evaluations.

use super::{
    Accounting, Adjustment, Balances, BandSlice, ComponentResult, CreditLine, Evaluation, Excluded, Figures, FxNote,
    MeasureResult, Note, PayLine, Reason, Rejected, Statement, Step, Tally,
};
use crate::calendar::Period;
use crate::jsonwrite::{Obj, WriteJson};

impl WriteJson for Evaluation {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("schemaVersion", &self.schema_version)
            .field("plan", &self.plan)
            .some("planVersion", &self.plan_version)
            .field("period", &self.period)
            .field("currency", &self.currency)
            .field("statements", &self.statements)
            .field("accounting", &self.accounting)
            .field("excluded", &self.excluded)
            .field("rejected", &self.rejected)
            .end();
    }
}

impl WriteJson for Period {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("id", &self.id)
            .field("index", &self.index)
            .field("start", &self.start)
            .field("end", &self.end)
            .end();
    }
}

impl WriteJson for Tally {
    fn write_json(&self, out: &mut String) {
        Obj::new(out).field("count", &self.count).field("amounts", &self.amounts).end();
    }
}

impl WriteJson for Accounting {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("input", &self.input)
            .field("credited", &self.credited)
            .field("creditedInPeriod", &self.credited_in_period)
            .field("excluded", &self.excluded)
            .field("rejected", &self.rejected)
            .field("balanced", &self.balanced)
            .end();
    }
}

impl WriteJson for Excluded {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("transaction", &self.transaction)
            .field("index", &self.index)
            .field("reasons", &self.reasons)
            .end();
    }
}

impl WriteJson for Reason {
    fn write_json(&self, out: &mut String) {
        Obj::new(out).field("code", &self.code).field("path", &self.path).field("message", &self.message).end();
    }
}

impl WriteJson for Rejected {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("transaction", &self.transaction)
            .field("index", &self.index)
            .field("code", &self.code)
            .field("path", &self.path)
            .field("message", &self.message)
            .end();
    }
}

impl WriteJson for Statement {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("payee", &self.payee)
            .some("name", &self.name)
            .field("role", &self.role)
            .field("period", &self.period)
            .field("credits", &self.credits)
            .field("measures", &self.measures)
            .field("components", &self.components)
            .field("earnings", &self.earnings)
            .field("adjustments", &self.adjustments)
            .field("payout", &self.payout)
            .field("balances", &self.balances);
        if !self.warnings.is_empty() {
            o.field("warnings", &self.warnings);
        }
        o.end();
    }
}

impl WriteJson for Note {
    fn write_json(&self, out: &mut String) {
        Obj::new(out).field("code", &self.code).field("message", &self.message).end();
    }
}

impl WriteJson for CreditLine {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("transaction", &self.transaction)
            .field("rule", &self.rule)
            .field("share", &self.share)
            .field("amount", &self.amount)
            .field("quantity", &self.quantity)
            .field("deals", &self.deals)
            .field("creditDate", &self.credit_date)
            .some("fx", &self.fx);
        if self.reversal {
            o.field("reversal", &true);
        }
        o.field("trace", &self.trace).end();
    }
}

impl WriteJson for FxNote {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("amount", &self.amount)
            .field("currency", &self.currency)
            .field("rate", &self.rate)
            .field("rateDate", &self.rate_date)
            .end();
    }
}

impl WriteJson for Figures {
    fn write_json(&self, out: &mut String) {
        // `attainment` is written as null when absent; `quota` is left out
        Obj::new(out)
            .field("value", &self.value)
            .some("quota", &self.quota)
            .field("attainment", &self.attainment)
            .end();
    }
}

impl WriteJson for MeasureResult {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("measure", &self.measure)
            .field("period", &self.period)
            .field("yearToDate", &self.year_to_date)
            .end();
    }
}

impl WriteJson for ComponentResult {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("component", &self.component)
            .field("type", &self.kind)
            .field("amount", &self.amount)
            .field("lines", &self.lines)
            .field("steps", &self.steps)
            .field("trace", &self.trace)
            .end();
    }
}

impl WriteJson for PayLine {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("transaction", &self.transaction)
            .field("credit", &self.credit)
            .field("bands", &self.bands)
            .field("amount", &self.amount)
            .field("trace", &self.trace)
            .end();
    }
}

impl WriteJson for BandSlice {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("band", &self.band)
            .field("credit", &self.credit)
            .field("rate", &self.rate)
            .field("amount", &self.amount)
            .end();
    }
}

impl WriteJson for Step {
    fn write_json(&self, out: &mut String) {
        Obj::new(out).field("kind", &self.kind).field("amount", &self.amount).field("trace", &self.trace).end();
    }
}

impl WriteJson for Adjustment {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("kind", &self.kind)
            .some("component", &self.component)
            .some("transaction", &self.transaction)
            .some("period", &self.period)
            .field("amount", &self.amount)
            .field("trace", &self.trace)
            .end();
    }
}

impl WriteJson for Balances {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("drawBalance", &self.draw_balance)
            .field("heldBack", &self.held_back)
            .field("carriedForward", &self.carried_forward)
            .end();
    }
}

#[cfg(test)]
mod tests {
    use crate::jsonwrite::to_string;

    /// What the WebAssembly binding writes besides evaluations: periods, warnings, diagnostics.
    #[test]
    fn periods_warnings_and_diagnostics_as_serde_writes_them() {
        let mut plan: serde_json::Value = serde_json::from_str(crate::sample::SAMPLE_PLAN_JSON).unwrap();
        for calendar in [
            serde_json::json!({ "yearStart": "2025-02-01", "periodType": "month" }),
            serde_json::json!({ "yearStart": "2025-01-01", "periodType": "half" }),
            serde_json::json!({ "yearStart": "2025-07-01", "periodType": "year" }),
            serde_json::json!({ "yearStart": "2025-01-01", "periodType": "custom", "periods": [
                { "id": "a \"b\" \\ \u{1} é", "start": "2025-01-01", "end": "2025-06-30" },
                { "id": "Q\u{1f}2", "start": "2025-07-01", "end": "2025-12-31" }
            ] }),
        ] {
            plan["calendar"] = calendar;
            plan["quotas"] = serde_json::json!([]);
            plan["payments"] = serde_json::json!({});
            let text = plan.to_string();
            let diagnostics = crate::validate_json(&text);
            assert_eq!(to_string(&diagnostics), serde_json::to_string(&diagnostics).unwrap());
            let compiled = crate::CompiledPlan::from_json(&text).unwrap();
            assert_eq!(to_string(compiled.periods()), serde_json::to_string(compiled.periods()).unwrap());
            assert_eq!(to_string(compiled.warnings()), serde_json::to_string(compiled.warnings()).unwrap());
        }
        for text in ["", "{", "[]", "{\"schemaVersion\": 1}", "{\"id\": \"x\\\"\\u0001\", \"components\": [{}]}"] {
            let diagnostics = crate::validate_json(text);
            assert!(!diagnostics.is_empty());
            assert_eq!(to_string(&diagnostics), serde_json::to_string(&diagnostics).unwrap(), "{text}");
        }
    }
}
