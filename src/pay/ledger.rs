//! `ledger.csv`: one line per force per run, the record the next quarter's run and auditors
//! read (workbooks.md). Written and read here only, so the two always agree.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::{ForceId, Money, PayFraction, Progress, Quarter};
use crate::rules::payment::{PaymentLine, Status};

/// The header line, in the order of workbooks.md.
pub const LEDGER_HEADER: &str = "force_id,quarter,allocation,s_q1,s_q2,s_q3,s_q4,cs,cp,b,progress,fraction,entitlement,paid_before,payment,paid_after,status";

/// How many fields every line of a ledger has.
const FIELDS: usize = 17;

/// One line of `ledger.csv` as text, field by field in the header's order (the names are the
/// header's, which a test checks). `S` is `&str` when a ledger is read, borrowing from the
/// record, and `String` when one is written. The fields stay text here so that each is
/// checked, with a message naming it, when the line becomes a [`PaymentLine`].
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRow<S> {
    pub force_id: S,
    pub quarter: S,
    pub allocation: S,
    pub s_q1: S,
    pub s_q2: S,
    pub s_q3: S,
    pub s_q4: S,
    pub cs: S,
    pub cp: S,
    pub b: S,
    pub progress: S,
    pub fraction: S,
    pub entitlement: S,
    pub paid_before: S,
    pub payment: S,
    pub paid_after: S,
    pub status: S,
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl LedgerRow<String> {
    /// A force's payment line as the ledger writes it: money with its two places, a blank
    /// for a figure the line does not have.
    fn of(force: &ForceId, line: &PaymentLine) -> LedgerRow<String> {
        let spend = |k: usize| opt(line.spend.get(k));
        LedgerRow {
            force_id: force.to_string(),
            quarter: line.quarter.to_string(),
            allocation: line.allocation.to_string(),
            s_q1: spend(0),
            s_q2: spend(1),
            s_q3: spend(2),
            s_q4: spend(3),
            cs: line.spend_to_date.to_string(),
            cp: opt(line.profiled_spend_to_date),
            b: opt(line.profiled_actuals),
            progress: opt(line.progress),
            fraction: opt(line.fraction),
            entitlement: opt(line.entitlement),
            paid_before: line.paid_before.to_string(),
            payment: line.payment.to_string(),
            paid_after: line.paid_after.to_string(),
            status: line.status.to_string(),
        }
    }
}

/// The one way a ledger's text is split into lines and fields, for the payment run and the
/// audit diff alike: the `csv` crate's RFC 4180 reader. The header is not taken as names
/// (it is checked as text, byte for byte); lines of any length are let through, so that a
/// wrong count is reported with its line rather than as the reader's error; and only `\n`
/// ends a line, so a `\r` before it stays in the last field, where it is seen (workbooks.md:
/// `\n` line ends).
fn ledger_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(text.as_bytes())
}

/// One line of a ledger as [`ledger_reader`] reads it, with where it is in the text.
pub(crate) struct Record {
    pub fields: csv::StringRecord,
    /// The 1-based line the record starts on.
    pub line: u64,
    /// The record's own text, from its first byte to its line end (empty for a blank line).
    pub raw: std::ops::Range<usize>,
}

/// Every line of `text` in order, each with its line number and text. A blank line is one
/// empty field, as `split(',')` made it, where the reader itself skips it: a blank line in a
/// ledger is reported where it is, never passed over. An `Err` is the reader's own.
pub(crate) fn ledger_records(text: &str) -> impl Iterator<Item = Result<Record, csv::Error>> {
    let mut reader = ledger_reader(text);
    let mut pending = std::collections::VecDeque::new();
    let mut done = false;
    std::iter::from_fn(move || {
        if let Some(next) = pending.pop_front() {
            return Some(next);
        }
        if done {
            return None;
        }
        // The reader's position before a read is where the blank lines it skips begin, so
        // the record's own line is counted past them.
        let start = reader.position().clone();
        let from = usize::try_from(start.byte()).unwrap_or(usize::MAX);
        let blank_lines = text
            .get(from..)
            .map_or(0, |rest| rest.len() - rest.trim_start_matches('\n').len());
        let blank = |k: usize| {
            Ok(Record {
                fields: csv::StringRecord::from(vec![""]),
                line: start.line() + k as u64,
                raw: from + k..from + k,
            })
        };
        pending.extend((0..blank_lines).map(blank));
        let mut fields = csv::StringRecord::new();
        match reader.read_record(&mut fields) {
            Ok(true) => {
                let to = usize::try_from(reader.position().byte()).unwrap_or(usize::MAX);
                pending.push_back(Ok(Record {
                    fields,
                    line: start.line() + blank_lines as u64,
                    raw: from + blank_lines..to,
                }));
            }
            Ok(false) => done = true,
            Err(error) => {
                pending.push_back(Err(error));
                done = true;
            }
        }
        pending.pop_front()
    })
}

/// One line of a ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerLine {
    pub force: ForceId,
    pub line: PaymentLine,
}

/// A whole ledger: one line per force in the allocations, sorted by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub quarter: Option<Quarter>,
    pub lines: BTreeMap<ForceId, PaymentLine>,
}

impl Ledger {
    /// The CSV text: a header, one line per force, every line ending in `\n`.
    pub fn to_csv(&self) -> String {
        // Written to memory, every field text: neither can fail, so a failure is a bug.
        let bytes = self
            .write_csv()
            .expect("a ledger is written to memory, which cannot fail");
        String::from_utf8(bytes).expect("every field of a ledger is text")
    }

    /// The `csv` crate's writer gives the bytes npg has always written: its record end is
    /// `\n`, and it quotes a field only when the field holds a comma, a quote or a line end,
    /// which no ledger field does (ids, quarters, statuses and plain decimals). The header
    /// is written as a record, so that a ledger of no lines still has one.
    fn write_csv(&self) -> Result<Vec<u8>, csv::Error> {
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        writer.write_record(LEDGER_HEADER.split(','))?;
        for (force, line) in &self.lines {
            writer.serialize(LedgerRow::of(force, line))?;
        }
        writer
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))
    }

    /// `paid_after` of each force: the next quarter's `PTD`.
    pub fn paid_after(&self) -> BTreeMap<ForceId, Money> {
        self.lines
            .iter()
            .map(|(f, l)| (f.clone(), l.paid_after))
            .collect()
    }

    /// Reads a ledger written by `to_csv`. `shown_as` names the file in errors.
    pub fn parse(text: &str, shown_as: &str) -> Result<Ledger, LedgerError> {
        // A field of any length may be quoted: none is shown whole.
        let fail = |line: u64, problem: String| LedgerError {
            file: shown_as.to_owned(),
            line: usize::try_from(line).unwrap_or(usize::MAX),
            problem: crate::text::shorten_words(&problem).into_owned(),
        };
        // The header is checked as the text of the first line, so that a byte order mark
        // or a `\r` (which the reader would pass over) is refused, as npg writes neither.
        match text.split_terminator('\n').next() {
            Some(header) if header == LEDGER_HEADER => {}
            Some(other) => {
                return Err(fail(
                    1,
                    format!("the header is {other:?}, expected {LEDGER_HEADER:?}"),
                ));
            }
            None => return Err(fail(1, "the file is empty".to_owned())),
        }
        let mut ledger = Ledger::default();
        for record in ledger_records(text).skip(1) {
            let record =
                record.map_err(|e| fail(e.position().map_or(0, |p| p.line()), e.to_string()))?;
            let number = record.line;
            // npg never quotes a field (none can hold a comma or a quote), so a quote is an
            // edit: refused here, where a quoted `"1,000.00"` would otherwise read as a
            // figure npg did not write, or split into two fields under `split(',')`.
            // (The range is the reader's own, on line boundaries; were it not, the whole text is
            // looked at, which can only refuse more.)
            if text.get(record.raw.clone()).unwrap_or(text).contains('"') {
                return Err(fail(
                    number,
                    "holds a quote mark (\"); npg writes no field in quotes, so the line is not as the run wrote it".to_owned(),
                ));
            }
            if record.fields.len() != FIELDS {
                return Err(fail(
                    number,
                    format!("has {} fields, expected {FIELDS}", record.fields.len()),
                ));
            }
            let row: LedgerRow<&str> = record
                .fields
                .deserialize(None)
                .map_err(|e| fail(number, e.to_string()))?;
            ledger.add(&row, &|problem| fail(number, problem))?;
        }
        Ok(ledger)
    }

    /// Adds one line read from a ledger, after checking each field. The checks run in the
    /// order they always have, so a line with two faults names the same one.
    fn add(
        &mut self,
        row: &LedgerRow<&str>,
        fail: &dyn Fn(String) -> LedgerError,
    ) -> Result<(), LedgerError> {
        // `number` is the field's place in the header, as a message names it.
        let money = |number: usize, text: &str| -> Result<Money, LedgerError> {
            text.parse()
                .map_err(|e| fail(format!("field {number}: {text:?} {e}")))
        };
        let optional_money = |number: usize, text: &str| -> Result<Option<Money>, LedgerError> {
            if text.is_empty() {
                Ok(None)
            } else {
                money(number, text).map(Some)
            }
        };
        let force: ForceId = row.force_id.parse().map_err(|e| fail(format!("{e}")))?;
        let quarter: Quarter = row
            .quarter
            .parse()
            .map_err(|e| fail(format!("{:?} {e}", row.quarter)))?;
        if *self.quarter.get_or_insert(quarter) != quarter {
            return Err(fail(format!(
                "is for {quarter}, the lines before for another quarter"
            )));
        }
        let spend: Vec<Money> = [(4, row.s_q1), (5, row.s_q2), (6, row.s_q3), (7, row.s_q4)]
            .into_iter()
            .map(|(number, text)| optional_money(number, text))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .take(quarter.number() as usize)
            .map(|s| s.unwrap_or(Money::ZERO))
            .collect();
        let progress: Option<Progress> = if row.progress.is_empty() {
            None
        } else {
            Some(
                row.progress
                    .parse()
                    .map_err(|e| fail(format!("progress {:?} {e}", row.progress)))?,
            )
        };
        let fraction: Option<PayFraction> = if row.fraction.is_empty() {
            None
        } else {
            Some(
                row.fraction
                    .parse()
                    .map_err(|e| fail(format!("fraction {:?} {e}", row.fraction)))?,
            )
        };
        let status: Status = row.status.parse().map_err(fail)?;
        let profiled_actuals = optional_money(10, row.b)?;
        let entitlement = optional_money(13, row.entitlement)?;
        let allocation = money(3, row.allocation)?;
        let paid_before = money(14, row.paid_before)?;
        let payment = money(15, row.payment)?;
        let paid_after = money(16, row.paid_after)?;
        if paid_before + payment != paid_after {
            return Err(fail(format!(
                "paid_after {paid_after} is not paid_before {paid_before} plus payment {payment}"
            )));
        }
        let line = PaymentLine {
            quarter,
            allocation,
            spend,
            spend_to_date: money(8, row.cs)?,
            profiled_spend_to_date: optional_money(9, row.cp)?,
            profiled_actuals,
            progress,
            fraction,
            entitlement,
            paid_before,
            payment,
            paid_after,
            withheld: match (profiled_actuals, entitlement) {
                (Some(b), Some(e)) => Some(b - e),
                _ => None,
            },
            remaining: allocation - paid_after,
            status,
        };
        if self.lines.insert(force.clone(), line).is_some() {
            return Err(fail(format!("force {force} appears twice")));
        }
        Ok(())
    }
}

/// A ledger that cannot be read.
#[derive(Debug, Error)]
#[error("{file} line {line}: {problem}")]
pub struct LedgerError {
    pub file: String,
    pub line: usize,
    pub problem: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Fte;
    use crate::rules::payment::{PaymentInputs, PlanFigures, compute_payment};
    use crate::rules::taper::Taper;
    use rust_decimal_macros::dec;

    fn line(quarter: Quarter, plan: bool, monitoring: bool, paid_before: &str) -> PaymentLine {
        compute_payment(
            &PaymentInputs {
                quarter,
                allocation: "1000000.00".parse().unwrap(),
                spend: vec!["100000.00".parse().unwrap(); quarter.number() as usize],
                plan: plan.then(|| PlanFigures {
                    profiled_spend_to_date: "150000.00".parse().unwrap(),
                    baseline: Fte::from_exact(dec!(100)).unwrap(),
                    planned_level: Fte::from_exact(dec!(112)).unwrap(),
                }),
                actual_level: monitoring.then(|| Fte::from_exact(dec!(111)).unwrap()),
                paid_before: paid_before.parse().unwrap(),
            },
            &Taper::default_npg(),
        )
    }

    fn ledger(quarter: Quarter) -> Ledger {
        let mut ledger = Ledger {
            quarter: Some(quarter),
            lines: BTreeMap::new(),
        };
        ledger
            .lines
            .insert("kent".parse().unwrap(), line(quarter, true, true, "0.00"));
        ledger
            .lines
            .insert("essex".parse().unwrap(), line(quarter, true, false, "5.00"));
        ledger.lines.insert(
            "dorset".parse().unwrap(),
            line(quarter, false, false, "0.00"),
        );
        ledger.lines.insert(
            "durham".parse().unwrap(),
            line(quarter, true, true, "200000.00"),
        );
        ledger
    }

    #[test]
    fn writes_the_fields_of_workbooks_md() {
        let csv = ledger(Quarter::Q2).to_csv();
        let expected = "\
force_id,quarter,allocation,s_q1,s_q2,s_q3,s_q4,cs,cp,b,progress,fraction,entitlement,paid_before,payment,paid_after,status
dorset,Q2,1000000.00,100000.00,100000.00,,,200000.00,,,,,,0.00,0.00,0.00,HOLD-NO-PLAN
durham,Q2,1000000.00,100000.00,100000.00,,,200000.00,150000.00,150000.00,0.9167,0.70,105000.00,200000.00,0.00,200000.00,NIL
essex,Q2,1000000.00,100000.00,100000.00,,,200000.00,150000.00,150000.00,,,,5.00,0.00,5.00,HOLD-NO-MONITORING
kent,Q2,1000000.00,100000.00,100000.00,,,200000.00,150000.00,150000.00,0.9167,0.70,105000.00,0.00,105000.00,105000.00,PAY
";
        assert_eq!(csv, expected);
    }

    #[test]
    fn a_recovery_is_written_with_a_minus_sign() {
        let mut ledger = Ledger {
            quarter: Some(Quarter::Q4),
            lines: BTreeMap::new(),
        };
        ledger.lines.insert(
            "durham".parse().unwrap(),
            line(Quarter::Q4, true, true, "500000.00"),
        );
        let csv = ledger.to_csv();
        assert!(
            csv.contains(",500000.00,-395000.00,105000.00,RECOVERY\n"),
            "{csv}"
        );
    }

    #[test]
    fn reads_back_what_it_writes() {
        for quarter in Quarter::ALL {
            let original = ledger(quarter);
            let parsed = Ledger::parse(&original.to_csv(), "ledger.csv").unwrap();
            assert_eq!(parsed, original);
            assert_eq!(parsed.to_csv(), original.to_csv());
        }
    }

    #[test]
    fn a_damaged_ledger_is_refused_with_its_line() {
        let csv = ledger(Quarter::Q2).to_csv();
        let err = Ledger::parse(
            &csv.replace("105000.00,PAY", "105000.0x,PAY"),
            "runs/2025-26-Q2/ledger.csv",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("runs/2025-26-Q2/ledger.csv line 5: field 16"),
            "{err}"
        );
        let err = Ledger::parse(&csv.replace(",PAY", ",PAID"), "ledger.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ledger.csv line 5: \"PAID\" is not a payment status"
        );
        let err = Ledger::parse("force,quarter\n", "ledger.csv").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("ledger.csv line 1: the header is"),
            "{err}"
        );
        let err = Ledger::parse(&csv.replace("dorset,", "dorset,x,"), "ledger.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "ledger.csv line 2: has 18 fields, expected 17"
        );
    }

    /// The message a damaged ledger gives, with its file and line.
    fn refusal(text: &str) -> String {
        Ledger::parse(text, "ledger.csv").unwrap_err().to_string()
    }

    #[test]
    fn each_fault_in_a_line_is_named_with_its_line() {
        let csv = ledger(Quarter::Q2).to_csv();
        let kent = "kent,Q2,1000000.00,100000.00,100000.00,,,200000.00,150000.00,150000.00,0.9167,0.70,105000.00,0.00,105000.00,105000.00,PAY";
        let with = |line: &str| csv.replace(kent, line);
        assert_eq!(refusal(""), "ledger.csv line 1: the file is empty");
        assert_eq!(
            refusal(&with(&kent.replace("kent,", "Kent,"))),
            "ledger.csv line 5: \"Kent\" is not a force id: use lower-case letters, digits and hyphens only (for example north-wales)"
        );
        assert_eq!(
            refusal(&with(&kent.replace(",Q2,", ",Q5,"))),
            "ledger.csv line 5: \"Q5\" is not a quarter (Q1, Q2, Q3 or Q4)"
        );
        assert_eq!(
            refusal(&with(&kent.replace(",Q2,", ",Q3,"))),
            "ledger.csv line 5: is for Q3, the lines before for another quarter"
        );
        assert_eq!(
            refusal(&with(&kent.replace(",0.9167,", ",high,"))),
            "ledger.csv line 5: progress \"high\" is not a plain number (digits, an optional leading minus and decimal point)"
        );
        assert_eq!(
            refusal(&with(&kent.replace(",0.70,", ",1.50,"))),
            "ledger.csv line 5: fraction \"1.50\" is outside 0 to 1"
        );
        assert_eq!(
            refusal(&with(&kent.replace(",0.00,105000.00,", ",0.00,105000.01,"))),
            "ledger.csv line 5: paid_after 105000.00 is not paid_before 0.00 plus payment 105000.01"
        );
        assert_eq!(
            refusal(&with(
                &kent.replace(",100000.00,100000.00,", ",100000.00,1e5,")
            )),
            "ledger.csv line 5: field 5: \"1e5\" is not a plain number (digits, an optional leading minus and decimal point)"
        );
        assert_eq!(
            refusal(&with(&kent.replace("kent,", "essex,"))),
            "ledger.csv line 5: force essex appears twice"
        );
    }

    #[test]
    fn a_long_field_is_not_echoed_whole() {
        let csv = ledger(Quarter::Q2).to_csv();
        let long = "9".repeat(5_000);
        let message = refusal(&csv.replace(",105000.00,PAY", &format!(",{long},PAY")));
        assert!(
            message.starts_with("ledger.csv line 5: field 16: "),
            "{message}"
        );
        assert!(message.contains("characters in all"), "{message}");
        assert!(message.len() < 300, "{message}");
    }

    #[test]
    fn line_ends_and_marks_npg_does_not_write_are_refused_as_before() {
        let csv = ledger(Quarter::Q2).to_csv();
        // Windows line ends: the header is not npg's, `\r` and all (the header, a long word,
        // is cut in the message: 128 characters with the quotes and `\r`, not 125).
        assert_eq!(
            refusal(&csv.replace('\n', "\r\n")),
            "ledger.csv line 1: the header is \"force_id,quarter,allocation,s_q1,s_q2,s_q3,s_q4,cs,cp,b,pro… (128 characters in all) expected \"force_id,quarter,allocation,s_q1,s_q2,s_q3,s_q4,cs,cp,b,pro… (125 characters in all)"
        );
        // A byte order mark, which the csv reader itself would pass over.
        assert_eq!(
            refusal(&format!("\u{feff}{csv}")),
            "ledger.csv line 1: the header is \"\\u{feff}force_id,quarter,allocation,s_q1,s_q2,s_q3,s_q4,cs,… (134 characters in all) expected \"force_id,quarter,allocation,s_q1,s_q2,s_q3,s_q4,cs,cp,b,pro… (125 characters in all)"
        );
        // A `\r` on one line only stays in its last field.
        let one = csv.replace(",PAY\n", ",PAY\r\n");
        assert_eq!(
            refusal(&one),
            "ledger.csv line 5: \"PAY\\r\" is not a payment status"
        );
        assert_eq!(
            refusal("\n"),
            "ledger.csv line 1: the header is \"\", expected \"force_id,quarter,allocation,s_q1,s_q2,s_q3,s_q4,cs,cp,b,pro… (125 characters in all)"
        );
    }

    #[test]
    fn a_blank_line_is_refused_where_it_is_and_a_missing_last_line_end_is_not() {
        let csv = ledger(Quarter::Q2).to_csv();
        let mut lines: Vec<&str> = csv.lines().collect();
        lines.insert(3, "");
        let blank_inside = lines.join("\n") + "\n";
        assert_eq!(
            refusal(&blank_inside),
            "ledger.csv line 4: has 1 fields, expected 17"
        );
        assert_eq!(
            refusal(&format!("{csv}\n")),
            "ledger.csv line 6: has 1 fields, expected 17"
        );
        assert_eq!(
            refusal(&format!("{LEDGER_HEADER}\n\n\n")),
            "ledger.csv line 2: has 1 fields, expected 17"
        );
        // A blank line after a faulty one: the fault comes first, as the lines do.
        let faulty = csv.replace(",PAY\n", ",PAID\n\n");
        assert_eq!(
            refusal(&faulty),
            "ledger.csv line 5: \"PAID\" is not a payment status"
        );
        let without_last_end = csv.trim_end_matches('\n');
        assert_eq!(
            Ledger::parse(without_last_end, "ledger.csv").unwrap(),
            ledger(Quarter::Q2)
        );
        assert_eq!(
            Ledger::parse(LEDGER_HEADER, "ledger.csv").unwrap(),
            Ledger::default()
        );
    }

    #[test]
    fn a_quoted_field_is_refused_with_its_line() {
        let csv = ledger(Quarter::Q2).to_csv();
        let quoted = "ledger.csv line 3: holds a quote mark (\"); npg writes no field in quotes, so the line is not as the run wrote it";
        // A quoted comma: under split(',') it was two fields, and read as a figure it is
        // one npg never wrote. Either way it is refused, saying why.
        let comma = csv.replace("durham,Q2,1000000.00,", "durham,Q2,\"1,000,000.00\",");
        assert_eq!(refusal(&comma), quoted);
        // Quotes around a value npg would write are refused too: npg never quotes.
        let plain = csv.replace("durham,", "\"durham\",");
        assert_eq!(refusal(&plain), quoted);
        // An unclosed quote runs to the end of the file; the line it opens on is named.
        let unclosed = csv.replace("durham,Q2,", "durham,\"Q2,");
        assert_eq!(refusal(&unclosed), quoted);
    }

    #[test]
    fn the_row_type_names_its_fields_as_the_header_does() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let ledger = ledger(Quarter::Q4);
        let (force, line) = ledger.lines.iter().next().unwrap();
        writer.serialize(LedgerRow::of(force, line)).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        assert_eq!(text.lines().next(), Some(LEDGER_HEADER));
        assert_eq!(LEDGER_HEADER.split(',').count(), FIELDS);
    }

    #[test]
    fn an_empty_ledger_is_its_header() {
        assert_eq!(Ledger::default().to_csv(), format!("{LEDGER_HEADER}\n"));
    }
}
