//! `ledger.csv`: one line per force per run, the record the next quarter's run and auditors
//! read (workbooks.md). Written and read here only, so the two always agree.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use thiserror::Error;

use crate::domain::{ForceId, Money, PayFraction, Progress, Quarter};
use crate::rules::payment::{PaymentLine, Status};

/// The header line, in the order of workbooks.md.
pub const LEDGER_HEADER: &str = "force_id,quarter,allocation,s_q1,s_q2,s_q3,s_q4,cs,cp,b,progress,fraction,entitlement,paid_before,payment,paid_after,status";

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

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl Ledger {
    /// The CSV text: a header, one line per force, every line ending in `\n`.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        out.push_str(LEDGER_HEADER);
        out.push('\n');
        for (force, line) in &self.lines {
            let spend: Vec<String> = (0..4).map(|k| opt(line.spend.get(k))).collect();
            let _ = writeln!(
                out,
                "{force},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                line.quarter,
                line.allocation,
                spend[0],
                spend[1],
                spend[2],
                spend[3],
                line.spend_to_date,
                opt(line.profiled_spend_to_date),
                opt(line.profiled_actuals),
                opt(line.progress),
                opt(line.fraction),
                opt(line.entitlement),
                line.paid_before,
                line.payment,
                line.paid_after,
                line.status,
            );
        }
        out
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
        let fail = |line: usize, problem: String| LedgerError {
            file: shown_as.to_owned(),
            line,
            problem: crate::text::shorten_words(&problem).into_owned(),
        };
        let mut lines = text.split_terminator('\n');
        match lines.next() {
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
        for (index, text) in lines.enumerate() {
            let number = index + 2;
            let fields: Vec<&str> = text.split(',').collect();
            if fields.len() != 17 {
                return Err(fail(
                    number,
                    format!("has {} fields, expected 17", fields.len()),
                ));
            }
            let field = |i: usize| fields[i];
            let money = |i: usize| -> Result<Money, LedgerError> {
                field(i)
                    .parse()
                    .map_err(|e| fail(number, format!("field {}: {:?} {e}", i + 1, field(i))))
            };
            let optional_money = |i: usize| -> Result<Option<Money>, LedgerError> {
                if field(i).is_empty() {
                    Ok(None)
                } else {
                    money(i).map(Some)
                }
            };
            let force: ForceId = field(0).parse().map_err(|e| fail(number, format!("{e}")))?;
            let quarter: Quarter = field(1)
                .parse()
                .map_err(|e| fail(number, format!("{:?} {e}", field(1))))?;
            if *ledger.quarter.get_or_insert(quarter) != quarter {
                return Err(fail(
                    number,
                    format!("is for {quarter}, the lines before for another quarter"),
                ));
            }
            let spend: Vec<Money> = (3..7)
                .map(optional_money)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .take(quarter.number() as usize)
                .map(|s| s.unwrap_or(Money::ZERO))
                .collect();
            let progress: Option<Progress> = if field(10).is_empty() {
                None
            } else {
                Some(
                    field(10)
                        .parse()
                        .map_err(|e| fail(number, format!("progress {:?} {e}", field(10))))?,
                )
            };
            let fraction: Option<PayFraction> = if field(11).is_empty() {
                None
            } else {
                Some(
                    field(11)
                        .parse()
                        .map_err(|e| fail(number, format!("fraction {:?} {e}", field(11))))?,
                )
            };
            let status: Status = field(16).parse().map_err(|e: String| fail(number, e))?;
            let profiled_actuals = optional_money(9)?;
            let entitlement = optional_money(12)?;
            let allocation = money(2)?;
            let paid_before = money(13)?;
            let payment = money(14)?;
            let paid_after = money(15)?;
            if paid_before + payment != paid_after {
                return Err(fail(
                    number,
                    format!(
                        "paid_after {paid_after} is not paid_before {paid_before} plus payment {payment}"
                    ),
                ));
            }
            let line = PaymentLine {
                quarter,
                allocation,
                spend,
                spend_to_date: money(7)?,
                profiled_spend_to_date: optional_money(8)?,
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
            if ledger.lines.insert(force.clone(), line).is_some() {
                return Err(fail(number, format!("force {force} appears twice")));
            }
        }
        Ok(ledger)
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
}
