//! Helpers shared by the integration tests: running `npg`, dumping workbooks, reading XML parts.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, open_workbook_auto};
use npg::read::grid::{CellValue, WorkbookData};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

/// The fixture year's cycle folder.
pub fn fixture_cycle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/2025-26")
}

/// The `npg` binary under test: this build's, or the one `NPG_BIN` names (to show that a
/// test fails on an earlier version: `NPG_BIN=/path/to/old/npg cargo test reliability`).
pub fn npg_path() -> PathBuf {
    match std::env::var_os("NPG_BIN") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(assert_cmd::cargo::cargo_bin!("npg")),
    }
}

/// The `npg` binary under test.
pub fn npg() -> assert_cmd::Command {
    assert_cmd::Command::new(npg_path())
}

/// Every sheet of a workbook as rows of cell texts, sheets in workbook order.
pub type CellDump = Vec<(String, Vec<Vec<String>>)>;

/// Reads every cell of every sheet with calamine, as text a reviewer can compare.
pub fn dump_cells(path: &Path) -> CellDump {
    let mut workbook =
        open_workbook_auto(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let names = workbook.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = workbook.worksheet_range(&name).unwrap();
            let (row0, col0) = range.start().unwrap_or((0, 0));
            let mut rows = Vec::new();
            // Absolute positions, so that a shifted range reads differently.
            for _ in 0..row0 {
                rows.push(Vec::new());
            }
            for row in range.rows() {
                let mut cells: Vec<String> = vec![String::new(); col0 as usize];
                cells.extend(row.iter().map(cell_text));
                while cells.last().is_some_and(String::is_empty) {
                    cells.pop();
                }
                rows.push(cells);
            }
            while rows.last().is_some_and(Vec::is_empty) {
                rows.pop();
            }
            (name, rows)
        })
        .collect()
}

pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => format!("{i}"),
        Data::Bool(b) => format!("{b}"),
        Data::DateTime(d) => format!("date:{}", d.as_f64()),
        Data::DateTimeIso(s) => format!("date:{s}"),
        Data::DurationIso(s) => format!("duration:{s}"),
        Data::Error(e) => format!("error:{e:?}"),
    }
}

/// One sheet of a dump, by name.
pub fn sheet<'a>(dump: &'a CellDump, name: &str) -> &'a [Vec<String>] {
    &dump
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
        .1
}

/// The text of a part (such as `xl/worksheets/sheet1.xml`) of an `.xlsx` file.
pub fn zip_part(path: &Path, part: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let mut entry = archive
        .by_name(part)
        .unwrap_or_else(|e| panic!("{part}: {e}"));
    let mut text = String::new();
    entry.read_to_string(&mut text).unwrap();
    text
}

/// The column letter of a zero-based column index (0 → A).
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap()
}

/// The LibreOffice program, when installed.
pub fn soffice() -> Option<PathBuf> {
    ["soffice", "libreoffice"].iter().find_map(|name| {
        let found = Command::new("which").arg(name).output().ok()?;
        let path = String::from_utf8(found.stdout).ok()?;
        let path = path.trim();
        (!path.is_empty()).then(|| PathBuf::from(path))
    })
}

/// LibreOffice for a test that needs it. Without it the test is skipped with a message,
/// except under CI (`NPG_REQUIRE_LIBREOFFICE=1`), where a missing LibreOffice is a failure.
pub fn soffice_or_skip(test: &str) -> Option<PathBuf> {
    let found = soffice();
    if found.is_none() {
        assert!(
            std::env::var_os("NPG_REQUIRE_LIBREOFFICE").is_none(),
            "{test}: LibreOffice is required here (NPG_REQUIRE_LIBREOFFICE is set) but soffice is not installed"
        );
        eprintln!(
            "SKIPPED {test}: LibreOffice (soffice) is not installed; `apt-get install libreoffice-calc-nogui` to run it"
        );
    }
    found
}

/// Converts `input` with LibreOffice to `extension` (`ods`, `xlsx`) in `out_dir`, with a
/// profile of its own so that parallel conversions do not share one.
pub fn soffice_convert(soffice: &Path, input: &Path, extension: &str, out_dir: &Path) -> PathBuf {
    let profile = tempfile::tempdir().unwrap();
    let filter = match extension {
        "xlsx" => "xlsx:Calc MS Excel 2007 XML",
        other => other,
    };
    let output = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(out_dir)
        .arg(input)
        .output()
        .unwrap();
    let stem = input.file_stem().unwrap().to_string_lossy();
    let converted = out_dir.join(format!("{stem}.{extension}"));
    assert!(
        converted.exists(),
        "LibreOffice did not convert {}: {}\n{}",
        input.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    converted
}

/// Sheets by name, for comparisons that ignore sheet order.
pub fn by_sheet(dump: &CellDump) -> BTreeMap<String, Vec<Vec<String>>> {
    dump.iter().cloned().collect()
}

/// Copies a folder and everything under it.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the fixture year in a temporary folder, to change without touching the original.
pub fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture_cycle(), dir.path());
    dir
}

/// A `ledger.csv` as rows of named fields, by force id.
pub type LedgerRows = BTreeMap<String, BTreeMap<String, String>>;

pub fn read_ledger(path: &Path) -> LedgerRows {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|line| {
            let fields: BTreeMap<String, String> = header
                .iter()
                .zip(line.split(','))
                .map(|(h, v)| (h.to_string(), v.to_owned()))
                .collect();
            (fields["force_id"].clone(), fields)
        })
        .collect()
}

/// Every file under a folder with its bytes, by path relative to it.
pub fn tree_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Writes a workbook from its cells, sheet by sheet, as a person's spreadsheet would hold them.
pub fn write_grid(data: &WorkbookData) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for sheet in &data.sheets {
        let out = workbook.add_worksheet();
        out.set_name(&sheet.name).unwrap();
        for ((row, col), value) in sheet.cells() {
            let col = u16::try_from(col).unwrap();
            match value {
                CellValue::Empty => {}
                CellValue::Text(text) => {
                    out.write_string(row, col, text).unwrap();
                }
                CellValue::Number(number) => {
                    out.write_number(row, col, *number).unwrap();
                }
                CellValue::Bool(b) => {
                    out.write_boolean(row, col, *b).unwrap();
                }
                CellValue::Date(date) => {
                    use chrono::Datelike;
                    let date = date.date();
                    let cell = ExcelDateTime::from_ymd(
                        date.year() as u16,
                        date.month() as u8,
                        date.day() as u8,
                    )
                    .unwrap();
                    out.write_datetime_with_format(row, col, cell, &date_format)
                        .unwrap();
                }
                CellValue::Error(error) => {
                    out.write_formula(row, col, Formula::new("=1/0").set_result(error))
                        .unwrap();
                }
            }
        }
    }
    let properties = rust_xlsxwriter::DocProperties::new()
        .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 4, 1).unwrap());
    workbook.set_properties(&properties);
    workbook.save_to_buffer().unwrap()
}

/// Sets one cell of a sheet.
pub fn set_cell(data: &mut WorkbookData, sheet: &str, row: u32, col: u32, value: CellValue) {
    data.sheets
        .iter_mut()
        .find(|s| s.name == sheet)
        .unwrap()
        .set(row, col, value);
}
