//! `payments.csv`: the file a finance system pays from, one row per force with money to move
//! this quarter (a payment to it, or a recovery from it), each tied to its ledger line.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::{FinancialYear, ForceList, Money, Quarter};

use super::ledger::Ledger;

/// The columns, in order: pinned by a test, since a finance system's upload template is set
/// up against them.
pub const PAYMENTS_HEADER: [&str; 8] = [
    "force_id",
    "payee_name",
    "payee_ref",
    "payment_reference",
    "type",
    "amount",
    "payment_date",
    "ledger_line",
];

/// Money paid to a force, or recovered from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentType {
    Payment,
    Recovery,
}

impl PaymentType {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentType::Payment => "PAYMENT",
            PaymentType::Recovery => "RECOVERY",
        }
    }
}

/// One row of `payments.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentRow {
    pub force_id: String,
    pub payee_name: String,
    /// Blank where `forces.csv` gives none.
    pub payee_ref: Option<String>,
    /// `NPG-2025-26-Q2-kent`: unique per force and quarter, so a re-run of a quarter carries
    /// the same reference and a finance system can refuse a duplicate.
    pub payment_reference: String,
    pub kind: PaymentType,
    /// Always positive: a recovery is a positive amount of type RECOVERY.
    pub amount: Money,
    pub payment_date: NaiveDate,
    /// The line of `ledger.csv` the row comes from (the header is line 1).
    pub ledger_line: usize,
}

#[derive(Serialize)]
struct CsvRow<'a> {
    force_id: &'a str,
    payee_name: &'a str,
    payee_ref: &'a str,
    payment_reference: &'a str,
    r#type: &'static str,
    amount: String,
    payment_date: String,
    ledger_line: usize,
}

/// The payment reference of a force's line for a quarter: `NPG-2025-26-Q2-kent`.
pub fn payment_reference(year: FinancialYear, quarter: Quarter, force: &str) -> String {
    format!("NPG-{year}-{quarter}-{force}")
}

/// The rows of a quarter's ledger with money to move, in the ledger's order (force id).
pub fn payment_rows(
    ledger: &Ledger,
    forces: &ForceList,
    year: FinancialYear,
    quarter: Quarter,
    payment_date: NaiveDate,
) -> Vec<PaymentRow> {
    ledger
        .lines
        .iter()
        .enumerate()
        .filter(|(_, (_, line))| line.payment != Money::ZERO)
        .map(|(index, (force, line))| {
            let listed = forces.get(force);
            let kind = if line.payment.is_negative() {
                PaymentType::Recovery
            } else {
                PaymentType::Payment
            };
            PaymentRow {
                force_id: force.to_string(),
                payee_name: listed.map_or_else(|| force.to_string(), |f| f.name.clone()),
                payee_ref: listed.and_then(|f| f.payee_ref.clone()),
                payment_reference: payment_reference(year, quarter, force.as_str()),
                kind,
                amount: if kind == PaymentType::Recovery {
                    Money::ZERO - line.payment
                } else {
                    line.payment
                },
                payment_date,
                ledger_line: index + 2,
            }
        })
        .collect()
}

/// The CSV text: the header, then one row per payment or recovery, each line ending in `\n`;
/// a field is quoted only where it holds a comma, a quote or a line end (a force name may).
pub fn payments_csv(rows: &[PaymentRow]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer.write_record(PAYMENTS_HEADER)?;
    for row in rows {
        writer.serialize(CsvRow {
            force_id: &row.force_id,
            payee_name: &row.payee_name,
            payee_ref: row.payee_ref.as_deref().unwrap_or(""),
            payment_reference: &row.payment_reference,
            r#type: row.kind.as_str(),
            amount: row.amount.to_string(),
            payment_date: row.payment_date.to_string(),
            ledger_line: row.ledger_line,
        })?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ForceId;
    use crate::rules::payment::{PaymentLine, Status};

    fn line(payment: &str) -> PaymentLine {
        let payment: Money = payment.parse().unwrap();
        PaymentLine {
            quarter: Quarter::Q4,
            allocation: Money::pounds(1000),
            spend: vec![],
            spend_to_date: Money::ZERO,
            profiled_spend_to_date: None,
            profiled_actuals: None,
            progress: None,
            fraction: None,
            entitlement: None,
            paid_before: Money::ZERO,
            payment,
            paid_after: payment,
            withheld: None,
            remaining: Money::ZERO,
            status: Status::Pay,
        }
    }

    #[test]
    fn one_row_per_force_with_money_to_move_a_recovery_positive() {
        let forces = ForceList::parse(
            "id,name,payee_ref\na,\"Force A, North\",SUP-1\nb,Force B,\nc,Force C,\n",
            "forces.csv",
        )
        .unwrap();
        let mut ledger = Ledger {
            quarter: Some(Quarter::Q4),
            lines: Default::default(),
        };
        for (id, payment) in [("a", "10.50"), ("b", "0.00"), ("c", "-3.25")] {
            ledger
                .lines
                .insert(id.parse::<ForceId>().unwrap(), line(payment));
        }
        let date = NaiveDate::from_ymd_opt(2026, 5, 15).unwrap();
        let year: FinancialYear = "2025-26".parse().unwrap();
        let rows = payment_rows(&ledger, &forces, year, Quarter::Q4, date);
        let text = String::from_utf8(payments_csv(&rows).unwrap()).unwrap();
        assert_eq!(
            text,
            "force_id,payee_name,payee_ref,payment_reference,type,amount,payment_date,ledger_line\n\
             a,\"Force A, North\",SUP-1,NPG-2025-26-Q4-a,PAYMENT,10.50,2026-05-15,2\n\
             c,Force C,,NPG-2025-26-Q4-c,RECOVERY,3.25,2026-05-15,4\n"
        );
    }
}
