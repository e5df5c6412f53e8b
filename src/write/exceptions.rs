//! The Exceptions sheet of the payment schedule: what someone must act on after the run.

use rust_xlsxwriter::XlsxError;

use crate::pay::run::RunResult;

use super::table::{Cell, SheetWriter};

const EXCEPTIONS_HEADER: [&str; 8] = [
    "Force id",
    "Exception",
    "File",
    "Sheet",
    "Cell",
    "Code",
    "Severity",
    "Message",
];

/// Writes the Exceptions sheet: one line per exception, with the finding behind it.
pub fn write_exceptions(
    sheet: &mut rust_xlsxwriter::Worksheet,
    run: &RunResult,
) -> Result<(), XlsxError> {
    let mut w = SheetWriter::new(sheet, "Exceptions")?;
    w.header(0, &EXCEPTIONS_HEADER)?;
    for (index, e) in run.exceptions.iter().enumerate() {
        let finding = e.finding.as_ref();
        let cells = [
            e.force
                .as_ref()
                .map_or(Cell::Blank, |f| Cell::text(f.as_str())),
            Cell::text(e.kind.label()),
            e.file.as_deref().map_or(Cell::Blank, Cell::text),
            finding
                .and_then(|f| f.location.sheet.as_deref())
                .map_or(Cell::Blank, Cell::text),
            finding
                .and_then(|f| f.location.a1())
                .map_or(Cell::Blank, Cell::text),
            finding.map_or(Cell::Blank, |f| Cell::text(f.code.to_string())),
            finding.map_or(Cell::Blank, |f| Cell::text(f.severity.to_string())),
            Cell::text(e.message.as_str()),
        ];
        w.row(index + 1, &cells)?;
    }
    w.fix_width(EXCEPTIONS_HEADER.len() - 1, 120.0)?;
    w.sheet().set_freeze_panes(1, 0)?;
    w.finish()
}
