//! Findings: problems found in an input, as values (severity, code, where, message).
//!
//! A finding is data, never a printed line: the command that collects them decides how to
//! print them (text grouped by file, or JSON).

use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;

/// How serious a finding is. Only errors make a return unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// The stable codes of rules §9, in the order of its table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Code {
    F01,
    F02,
    F03,
    F04,
    F05,
    F06,
    C01,
    C02,
    C04,
    C05,
    C06,
    C07,
    C08,
    C09,
    C10,
    C11,
    X01,
    X02,
    X03,
    X04,
    X05,
    X06,
    X07,
    X08,
    X09,
    X10,
    X11,
    X12,
    X13,
    X14,
    X15,
    /// A total row a force added to a financial return that does not add up (a warning: the
    /// row is X12 too, and the payment uses the category rows, never a total).
    X16,
    /// A monitoring month restated: its figure differs from the force's previous return
    /// (information: a correction is allowed, and told so the Home Office sees it).
    X17,
}

impl Code {
    /// The severity rules §9 gives the code. X07 is the one code whose severity depends on
    /// the case (a missing signature is an error, an early one a warning), so it is passed
    /// explicitly there.
    pub fn default_severity(self) -> Severity {
        use Code::*;
        match self {
            F05 | C09 | X06 | X10 | X15 | X16 => Severity::Warning,
            X14 | X17 => Severity::Info,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Where a finding is: a file, and within it a sheet and cell when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Location {
    /// The file as the user named it (relative where it was given relative).
    pub file: String,
    pub sheet: Option<String>,
    /// Zero-based position of the sheet in the workbook, for ordering.
    #[serde(skip)]
    pub sheet_index: usize,
    /// Zero-based (row, column) of the cell, for ordering and for its A1 name.
    #[serde(skip)]
    pub cell: Option<(u32, u32)>,
    /// What names the cell's row in a table (a category's name, a month, a force id), for
    /// a reader of the JSON who wants the row without parsing the message.
    /// (Boxed, to keep a finding small: results carry one as their error.)
    pub row_label: Option<Box<str>>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Location {
        Location {
            file: file.into(),
            sheet: None,
            sheet_index: 0,
            cell: None,
            row_label: None,
        }
    }

    pub fn sheet(
        file: impl Into<String>,
        sheet: impl Into<String>,
        sheet_index: usize,
    ) -> Location {
        Location {
            file: file.into(),
            sheet: Some(sheet.into()),
            sheet_index,
            cell: None,
            row_label: None,
        }
    }

    pub fn cell(
        file: impl Into<String>,
        sheet: impl Into<String>,
        sheet_index: usize,
        row: u32,
        col: u32,
    ) -> Location {
        Location {
            file: file.into(),
            sheet: Some(sheet.into()),
            sheet_index,
            cell: Some((row, col)),
            row_label: None,
        }
    }

    /// The same place, with the label that names its table row.
    pub fn in_row(mut self, row_label: &str) -> Location {
        self.row_label = Some(row_label.into());
        self
    }

    /// The cell in A1 notation (`C4`), when there is one.
    pub fn a1(&self) -> Option<String> {
        self.cell.map(|(row, col)| a1(row, col))
    }
}

/// Where a value was read from, and the label (field label or column header) it was read
/// under: plain data a rule needs to name the cell in its finding, without the workbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CellRef<'a> {
    /// The file as the user named it.
    pub file: &'a str,
    pub sheet: &'a str,
    /// Zero-based position of the sheet in the workbook.
    pub sheet_index: usize,
    /// Zero-based row and column.
    pub row: u32,
    pub col: u32,
    pub label: &'a str,
    /// What names the cell's row in a table, when it is a table row whose key could be
    /// read: the expenditure category's name, the month, the force id. `None` for an
    /// About field (its label names it) and for a row's key cell itself.
    pub row_label: Option<&'a str>,
}

impl CellRef<'_> {
    /// The cell as a message names it: its row, when it has a label, and its column
    /// (`2025-09 — Officers FTE`), or its field label alone (`Submitted on`). A dash, not
    /// a comma, parts the two: a category's name may hold commas and colons itself
    /// (`Special constables: allowances, expenses and kit — Forecast rest of year (£)`).
    pub fn name(&self) -> String {
        match self.row_label {
            Some(row) => format!("{row} — {}", self.label),
            None => self.label.to_owned(),
        }
    }

    pub fn location(&self) -> Location {
        let location = Location::cell(self.file, self.sheet, self.sheet_index, self.row, self.col);
        match self.row_label {
            Some(row) => location.in_row(row),
            None => location,
        }
    }

    /// A finding at this cell with the code's usual severity.
    pub fn finding(&self, code: Code, message: impl Into<String>) -> Finding {
        Finding::new(code, self.location(), message)
    }

    /// C01: a required cell is blank.
    pub fn blank_finding(&self, hint: &str) -> Finding {
        self.finding(Code::C01, format!("{} is blank; {hint}", self.name()))
    }

    /// The sheet the cell is on, as a finding about the whole sheet names it.
    pub fn sheet_location(&self) -> Location {
        Location::sheet(self.file, self.sheet, self.sheet_index)
    }
}

/// A cell's A1 name from zero-based row and column: (3, 2) → `C4`.
pub fn a1(row: u32, col: u32) -> String {
    let mut name = column_letters(col);
    name.push_str(&(row + 1).to_string());
    name
}

/// The letters of a zero-based column: 2 → `C`, 99 → `CV`.
pub fn column_letters(col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = col + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.reverse();
    letters.into_iter().collect()
}

/// One problem found in an input.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Finding {
    pub severity: Severity,
    pub code: Code,
    pub location: Location,
    /// What was found, what was expected, and how to fix it.
    pub message: String,
}

impl Finding {
    /// A finding with the code's usual severity.
    pub fn new(code: Code, location: Location, message: impl Into<String>) -> Finding {
        Finding {
            severity: code.default_severity(),
            code,
            location,
            message: message.into(),
        }
    }

    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The order of rules §9: file (bytes of the path as given), sheet order, row, column, code.
    /// Findings with no sheet or cell come first within their file.
    pub fn report_order(&self, other: &Finding) -> Ordering {
        let key = |f: &Finding| {
            (
                f.location.file.as_bytes().to_vec(),
                f.location.sheet.is_some(),
                f.location.sheet_index,
                f.location.cell.is_some(),
                f.location.cell,
                f.code,
            )
        };
        key(self)
            .cmp(&key(other))
            .then_with(|| self.message.cmp(&other.message))
    }

    /// `file › Sheet!A1`, `file › Sheet` or `file`.
    pub fn place(&self) -> String {
        let location = &self.location;
        match (&location.sheet, location.a1()) {
            (Some(sheet), Some(cell)) => format!("{} › {sheet}!{cell}", location.file),
            (Some(sheet), None) => format!("{} › {sheet}", location.file),
            _ => location.file.clone(),
        }
    }
}

impl fmt::Display for Finding {
    /// One line, as `npg validate` prints it:
    /// `error C02 finance/kent-2025-26-Q2.xlsx › Expenditure!C4: "1,234.56" is text; …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}: {}",
            self.severity,
            self.code,
            self.place(),
            self.message
        )
    }
}

/// The JSON form of rules §9: `severity`, `code`, `file`, `sheet`, `cell`, `message`, and
/// `row_label` after `cell` for a cell of a table row (issue 14: absent otherwise, so the
/// JSON of every other finding is as it was).
#[derive(Serialize)]
struct FindingJson<'a> {
    severity: Severity,
    code: Code,
    file: &'a str,
    sheet: Option<&'a str>,
    cell: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    row_label: Option<&'a str>,
    message: &'a str,
}

impl Serialize for Finding {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        FindingJson {
            severity: self.severity,
            code: self.code,
            file: &self.location.file,
            sheet: self.location.sheet.as_deref(),
            cell: self.location.a1(),
            row_label: self.location.row_label.as_deref(),
            message: &self.message,
        }
        .serialize(serializer)
    }
}

/// Quotes text from a cell for a message, cut at 60 characters (rules §9).
pub fn quote(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("\"{head}…\"")
    } else {
        format!("\"{head}\"")
    }
}

/// Sorts findings into the order rules §9 gives.
pub fn sort_for_report(findings: &mut [Finding]) {
    findings.sort_by(Finding::report_order);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_named_in_a1_notation() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(3, 2), "C4");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn a_finding_prints_as_one_line_with_its_place() {
        let finding = Finding::new(
            Code::C02,
            Location::cell("finance/kent-2025-26-Q2.xlsx", "Expenditure", 1, 3, 2),
            format!(
                "{} is text; enter the amount as a number",
                quote("1,234.56")
            ),
        );
        assert_eq!(
            finding.to_string(),
            "error C02 finance/kent-2025-26-Q2.xlsx › Expenditure!C4: \"1,234.56\" is text; enter the amount as a number"
        );
        let json = serde_json::to_string(&finding).unwrap();
        assert_eq!(
            json,
            r#"{"severity":"error","code":"C02","file":"finance/kent-2025-26-Q2.xlsx","sheet":"Expenditure","cell":"C4","message":"\"1,234.56\" is text; enter the amount as a number"}"#
        );
    }

    #[test]
    fn a_cell_of_a_table_row_is_named_by_its_row_in_the_message_and_the_json() {
        let at = CellRef {
            file: "finance/kent-2025-26-Q2.xlsx",
            sheet: "Expenditure",
            sheet_index: 1,
            row: 3,
            col: 2,
            label: "Actual this quarter (£)",
            row_label: Some("Officer pay"),
        };
        let finding = at.blank_finding("enter the amount, or 0 if none");
        assert_eq!(
            finding.to_string(),
            "error C01 finance/kent-2025-26-Q2.xlsx › Expenditure!C4: Officer pay — Actual this quarter (£) is blank; enter the amount, or 0 if none"
        );
        assert_eq!(
            serde_json::to_string(&finding).unwrap(),
            r#"{"severity":"error","code":"C01","file":"finance/kent-2025-26-Q2.xlsx","sheet":"Expenditure","cell":"C4","row_label":"Officer pay","message":"Officer pay — Actual this quarter (£) is blank; enter the amount, or 0 if none"}"#
        );
    }

    #[test]
    fn severities_follow_the_table_of_rules_9() {
        assert_eq!(Code::F05.default_severity(), Severity::Warning);
        assert_eq!(Code::C09.default_severity(), Severity::Warning);
        assert_eq!(Code::X06.default_severity(), Severity::Warning);
        assert_eq!(Code::X10.default_severity(), Severity::Warning);
        assert_eq!(Code::X14.default_severity(), Severity::Info);
        assert_eq!(Code::X15.default_severity(), Severity::Warning);
        assert_eq!(Code::X16.default_severity(), Severity::Warning);
        assert_eq!(Code::X17.default_severity(), Severity::Info);
        for code in [
            Code::F01,
            Code::F02,
            Code::C01,
            Code::C11,
            Code::X01,
            Code::X13,
        ] {
            assert_eq!(code.default_severity(), Severity::Error);
        }
    }

    #[test]
    fn findings_sort_by_file_sheet_row_column_code() {
        let at = |file: &str, sheet: usize, row: u32, col: u32, code: Code| {
            Finding::new(
                code,
                Location::cell(file, format!("S{sheet}"), sheet, row, col),
                "m",
            )
        };
        let mut findings = vec![
            at("b.xlsx", 0, 0, 0, Code::C01),
            at("a.xlsx", 1, 2, 0, Code::C01),
            at("a.xlsx", 1, 1, 5, Code::C02),
            at("a.xlsx", 0, 9, 9, Code::C05),
            at("a.xlsx", 1, 1, 5, Code::C01),
            Finding::new(Code::F05, Location::file("a.xlsx"), "m"),
        ];
        sort_for_report(&mut findings);
        let order: Vec<String> = findings
            .iter()
            .map(|f| format!("{} {}", f.place(), f.code))
            .collect();
        assert_eq!(
            order,
            [
                "a.xlsx F05",
                "a.xlsx › S0!J10 C05",
                "a.xlsx › S1!F2 C01",
                "a.xlsx › S1!F2 C02",
                "a.xlsx › S1!A3 C01",
                "b.xlsx › S0!A1 C01"
            ]
        );
    }

    #[test]
    fn quotes_are_cut_at_sixty_characters() {
        assert_eq!(quote("twelve"), "\"twelve\"");
        let long = "x".repeat(70);
        assert_eq!(quote(&long), format!("\"{}…\"", "x".repeat(60)));
    }
}
