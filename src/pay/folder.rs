//! What a run folder is called (`2025-26-Q2`) and the files it holds.

use crate::domain::{FinancialYear, Quarter};

/// The files of a run folder.
pub const SCHEDULE_FILE: &str = "payment-schedule.xlsx";
pub const RECONCILIATION_FILE: &str = "reconciliation.xlsx";
pub const LEDGER_FILE: &str = "ledger.csv";
pub const PAYMENTS_FILE: &str = "payments.csv";
pub const MANIFEST_FILE: &str = "manifest.json";
/// Every file a run folder holds.
pub const RUN_FILES: [&str; 5] = [
    SCHEDULE_FILE,
    RECONCILIATION_FILE,
    LEDGER_FILE,
    PAYMENTS_FILE,
    MANIFEST_FILE,
];
/// The files a run folder's manifest lists as its outputs (every file but itself).
pub const OUTPUT_FILES: [&str; 4] = [
    SCHEDULE_FILE,
    RECONCILIATION_FILE,
    LEDGER_FILE,
    PAYMENTS_FILE,
];

/// The folder a quarter's run is written to inside the output folder: `2025-26-Q2`.
pub fn run_folder_name(year: FinancialYear, quarter: Quarter) -> String {
    format!("{year}-{quarter}")
}
