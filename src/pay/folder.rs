//! What a run folder is called (`2025-26-Q2`) and the files it holds: four at the top and a
//! statement per force in `statements/` (`statements/kent-2025-26-Q2.xlsx`).

use crate::domain::{FinancialYear, ForceId, Quarter};

/// The files of a run folder.
pub const SCHEDULE_FILE: &str = "payment-schedule.xlsx";
pub const RECONCILIATION_FILE: &str = "reconciliation.xlsx";
pub const LEDGER_FILE: &str = "ledger.csv";
pub const PAYMENTS_FILE: &str = "payments.csv";
pub const MANIFEST_FILE: &str = "manifest.json";
/// Every file at the top of a run folder.
pub const RUN_FILES: [&str; 5] = [
    SCHEDULE_FILE,
    RECONCILIATION_FILE,
    LEDGER_FILE,
    PAYMENTS_FILE,
    MANIFEST_FILE,
];
/// The files at the top of a run folder its manifest lists as outputs (all but itself).
pub const OUTPUT_FILES: [&str; 4] = [
    SCHEDULE_FILE,
    RECONCILIATION_FILE,
    LEDGER_FILE,
    PAYMENTS_FILE,
];
/// The subfolder holding one statement per force.
pub const STATEMENTS_DIR: &str = "statements";

/// The folder a quarter's run is written to inside the output folder: `2025-26-Q2`.
pub fn run_folder_name(year: FinancialYear, quarter: Quarter) -> String {
    format!("{year}-{quarter}")
}

/// A force's statement's file name: `kent-2025-26-Q2.xlsx`.
pub fn statement_file_name(force: &ForceId, year: FinancialYear, quarter: Quarter) -> String {
    format!("{}-{year}-{quarter}.xlsx", force.as_str())
}

/// A force's statement's path inside the run folder, as the manifest records it:
/// `statements/kent-2025-26-Q2.xlsx`.
pub fn statement_path(force: &ForceId, year: FinancialYear, quarter: Quarter) -> String {
    format!(
        "{STATEMENTS_DIR}/{}",
        statement_file_name(force, year, quarter)
    )
}

/// The force, year and quarter a statement's file name (`kent-2025-26-Q2.xlsx`) spells, when
/// it is one a run writes, spelt exactly as [`statement_file_name`] spells it.
pub fn parse_statement_name(name: &str) -> Option<(ForceId, FinancialYear, Quarter)> {
    let stem = name.strip_suffix(".xlsx")?;
    let mut parts = stem.rsplitn(4, '-');
    let quarter: Quarter = parts.next()?.parse().ok()?;
    let year_end = parts.next()?;
    let year_start = parts.next()?;
    let year: FinancialYear = format!("{year_start}-{year_end}").parse().ok()?;
    let force: ForceId = parts.next()?.parse().ok()?;
    (statement_file_name(&force, year, quarter) == name).then_some((force, year, quarter))
}

/// The force, year and quarter of a statement's path in a run folder
/// (`statements/kent-2025-26-Q2.xlsx`), when it is one a run writes.
pub fn parse_statement_path(path: &str) -> Option<(ForceId, FinancialYear, Quarter)> {
    path.strip_prefix(STATEMENTS_DIR)?
        .strip_prefix('/')
        .and_then(parse_statement_name)
}

/// True when `path`, relative to a run folder with `/` between names, is one a run writes:
/// one of [`RUN_FILES`], the `statements/` folder itself (written `statements/`, with its
/// slash, to tell it from a file), or a statement in it. Nothing deeper, and nothing else.
pub fn is_run_path(path: &str) -> bool {
    RUN_FILES.contains(&path)
        || path == format!("{STATEMENTS_DIR}/")
        || parse_statement_path(path).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_is_named_by_force_year_and_quarter_and_read_back() {
        let year: FinancialYear = "2025-26".parse().unwrap();
        let force: ForceId = "north-wales".parse().unwrap();
        assert_eq!(
            statement_path(&force, year, Quarter::Q2),
            "statements/north-wales-2025-26-Q2.xlsx"
        );
        assert_eq!(
            parse_statement_path("statements/north-wales-2025-26-Q2.xlsx"),
            Some((force, year, Quarter::Q2))
        );
    }

    #[test]
    fn only_the_files_a_run_writes_are_run_paths() {
        for path in [
            "payment-schedule.xlsx",
            "reconciliation.xlsx",
            "ledger.csv",
            "manifest.json",
            "statements/",
            "statements/kent-2025-26-Q2.xlsx",
            "statements/city-of-london-2025-26-Q4.xlsx",
        ] {
            assert!(is_run_path(path), "{path}");
        }
        for path in [
            "notes.txt",
            "statements",
            "statements/notes.txt",
            "statements/kent-2025-26-Q2.xlsx/",
            "statements/kent-2025-26-Q5.xlsx",
            "statements/kent-2025-27-Q2.xlsx",
            "statements/Kent-2025-26-Q2.xlsx",
            "statements/-kent-2025-26-Q2.xlsx",
            "statements/kent-2025-26-Q2.XLSX",
            "statements/2025-26-Q2.xlsx",
            "statements/old/kent-2025-26-Q2.xlsx",
            "statements/../kent-2025-26-Q2.xlsx",
            "/statements/kent-2025-26-Q2.xlsx",
            "other/kent-2025-26-Q2.xlsx",
            "kent-2025-26-Q2.xlsx",
            "statements/.~lock.kent-2025-26-Q2.xlsx#",
        ] {
            assert!(!is_run_path(path), "{path}");
        }
    }
}
