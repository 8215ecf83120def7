//! The session's results as compact JSON, written with `crate::jsonwrite` like the evaluation
//! (`src/statement/write.rs`): the bytes of the types' derived `Serialize` through serde_json
//! (flattened members inline, `None` as null where it is not left out).

use super::{
    BandCrossing, BandReached, Change, ComponentAmount, ComponentChange, MeasureChange, Mode, Preview, PreviewLine,
    SessionSummary,
};
use crate::jsonwrite::{Obj, WriteJson};

impl WriteJson for Mode {
    fn write_json(&self, out: &mut String) {
        out.push_str(match self {
            Mode::Incremental => "\"incremental\"",
            Mode::Replay => "\"replay\"",
        });
    }
}

impl Change {
    fn write_fields(&self, o: &mut Obj<'_>) {
        o.field("before", &self.before).field("after", &self.after).field("change", &self.change);
    }
}

impl WriteJson for Change {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        self.write_fields(&mut o);
        o.end();
    }
}

impl WriteJson for ComponentChange {
    fn write_json(&self, out: &mut String) {
        let mut o = Obj::new(out);
        o.field("component", &self.component);
        self.amount.write_fields(&mut o);
        o.end();
    }
}

impl WriteJson for MeasureChange {
    fn write_json(&self, out: &mut String) {
        Obj::new(out).field("measure", &self.measure).field("before", &self.before).field("after", &self.after).end();
    }
}

impl WriteJson for BandCrossing {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("component", &self.component)
            .field("from", &self.from)
            .field("to", &self.to)
            .field("rate", &self.rate)
            .end();
    }
}

impl WriteJson for PreviewLine {
    fn write_json(&self, out: &mut String) {
        // the pay line's members inline (`#[serde(flatten)]`), as `PayLine` writes them
        let l = &self.line;
        Obj::new(out)
            .field("component", &self.component)
            .field("transaction", &l.transaction)
            .field("credit", &l.credit)
            .field("bands", &l.bands)
            .field("amount", &l.amount)
            .field("trace", &l.trace)
            .end();
    }
}

impl WriteJson for Preview {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("transaction", &self.transaction)
            .field("mode", &self.mode)
            .field("credited", &self.credited)
            .field("components", &self.components)
            .field("earnings", &self.earnings)
            .field("payout", &self.payout)
            .field("measures", &self.measures)
            .field("bandsCrossed", &self.bands_crossed)
            .field("lines", &self.lines)
            .field("notes", &self.notes)
            .end();
    }
}

impl WriteJson for SessionSummary {
    fn write_json(&self, out: &mut String) {
        Obj::new(out)
            .field("payee", &self.payee)
            .field("period", &self.period)
            .field("mode", &self.mode)
            .some("replayReason", &self.replay_reason)
            .field("transactions", &self.transactions)
            .field("components", &self.components)
            .field("earnings", &self.earnings)
            .field("payout", &self.payout)
            .field("measures", &self.measures)
            .field("bands", &self.bands)
            .end();
    }
}

impl WriteJson for ComponentAmount {
    fn write_json(&self, out: &mut String) {
        Obj::new(out).field("component", &self.component).field("amount", &self.amount).end();
    }
}

impl WriteJson for BandReached {
    fn write_json(&self, out: &mut String) {
        Obj::new(out).field("component", &self.component).field("band", &self.band).field("rate", &self.rate).end();
    }
}

#[cfg(test)]
mod tests {
    use crate::jsonwrite::{to_string, WriteJson};
    use crate::sample::{generate, GeneratorConfig};
    use crate::session::Session;
    use crate::{CompiledPlan, Inputs};

    fn same<T: serde::Serialize + WriteJson>(v: &T) {
        assert_eq!(to_string(v), serde_json::to_string(v).unwrap());
    }

    /// What only the WebAssembly binding writes: summaries, removals and the edited deal's preview.
    #[test]
    fn summaries_removals_and_edits_as_serde_writes_them() {
        let plan = CompiledPlan::from_json(crate::sample::SAMPLE_PLAN_JSON).unwrap();
        let mut transactions = generate(&GeneratorConfig { count: 200, ..Default::default() });
        for (i, t) in transactions.iter_mut().enumerate().filter(|(i, _)| i % 7 == 0) {
            t.id = format!("\"{i}\" \\ \u{1f} é");
        }
        let inputs = Inputs { transactions, ..Default::default() };
        for payee in ["ae-ana", "ae-ben", "mgr-maya"] {
            for period in ["Q1", "Q2", "Q4"] {
                let mut s = Session::open(&plan, &inputs, payee, period).unwrap();
                same(&s.summary());
                for t in inputs.transactions.iter().step_by(23) {
                    if let Ok(p) = s.preview_remove(&t.id) {
                        same(&p);
                    }
                    let mut edited = t.clone();
                    edited.owner = Some(payee.to_string());
                    edited.splits.clear();
                    if s.edit(edited).is_ok() {
                        if let Ok(p) = s.preview_edited() {
                            same(&p);
                        }
                    }
                }
                if let Some(t) = inputs.transactions.get(3) {
                    if let Ok(p) = s.remove(&t.id) {
                        same(&p);
                        same(&s.summary());
                    }
                }
            }
        }
    }
}
