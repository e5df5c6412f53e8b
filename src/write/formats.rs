//! Number formats and document properties shared by every workbook the program writes.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};

use chrono::{Datelike, NaiveDate};

/// Money in output workbooks (rules §1).
pub const NUMBER_FORMAT_MONEY: &str = "£#,##0.00;-£#,##0.00";
/// Ratios in output workbooks (rules §1).
pub const NUMBER_FORMAT_RATIO: &str = "0.00%";
/// FTE to two places.
pub const NUMBER_FORMAT_FTE: &str = "#,##0.00";
/// Whole counts.
pub const NUMBER_FORMAT_HEADCOUNT: &str = "#,##0";

/// Document properties with a fixed creation date, so that the same inputs give the same
/// bytes (rules §10): the first day of the financial year for outputs with no quarter, the
/// quarter's payment date for a payment run.
pub fn fixed_properties(created: NaiveDate, title: &str) -> Result<DocProperties, XlsxError> {
    let out_of_range =
        || XlsxError::ParameterError(format!("creation date {created} is out of range"));
    let year = u16::try_from(created.year()).map_err(|_| out_of_range())?;
    let month = u8::try_from(created.month()).map_err(|_| out_of_range())?;
    let day = u8::try_from(created.day()).map_err(|_| out_of_range())?;
    let created = ExcelDateTime::from_ymd(year, month, day)?;
    Ok(DocProperties::new()
        .set_title(title)
        .set_company("Home Office")
        .set_creation_datetime(&created))
}

/// A workbook for a run's outputs, compressed at zlib level 1 rather than the default 6: at
/// national scale and beyond a run writes millions of cells, and the fastest level about
/// halves the time to write them for about twice the file size (a few MB at most).
pub fn output_workbook() -> Workbook {
    let mut workbook = Workbook::new();
    workbook.set_zip_compression_level(1);
    workbook
}
