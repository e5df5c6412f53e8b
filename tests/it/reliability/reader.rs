//! Issue 11, items 2, 3 and 5: a cell is read as a spreadsheet program shows it, a package
//! whose parts collide is damaged, and no cell or workbook can expand to more text than
//! its bounds.

use std::path::Path;
use std::time::Duration;

use npg::read::grid::{CellValue, WorkbookData};
use npg::read::open::read_workbook;

use super::support::{
    Workspace, edit_part, ods_content, ods_document, ods_package, os, raw_zip, run_npg, unzip,
    zip_of,
};
use crate::common::{fixture_cycle, npg, read_ledger, soffice_convert, soffice_or_skip};

const KENT_Q2: &str = "returns/finance/kent-2025-26-Q2-v1.xlsx";

/// kent's Q2 return as read, and its Expenditure!C2 (officer pay) as LibreOffice writes it.
fn kent_q2() -> WorkbookData {
    read_workbook(&fixture_cycle().join(KENT_Q2), "kent").unwrap()
}

const C2: &str = "<table:table-cell office:value-type=\"float\" office:value=\"760568.17\" calcext:value-type=\"float\"><text:p>760568.17</text:p></table:table-cell>";

/// kent's Q2 return as an .ods whose Expenditure!C2 is `cell`.
fn kent_q2_ods(cell: &str) -> Vec<u8> {
    let content = ods_content(&kent_q2());
    assert_eq!(content.matches(C2).count(), 1, "C2 is written once");
    ods_package(&content.replacen(C2, cell, 1))
}

/// The cycle with kent's Q2 return replaced by `ods`.
fn with_kent_q2(ods: &[u8]) -> Workspace {
    let ws = Workspace::new();
    std::fs::remove_file(ws.cycle().join(KENT_Q2)).unwrap();
    std::fs::write(ws.returns("finance").join("kent-2025-26-Q2-v1.ods"), ods).unwrap();
    ws
}

fn validate_json(path: &Path) -> Vec<serde_json::Value> {
    let output = npg()
        .args(["validate", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn findings_of(bytes: &[u8], name: &str) -> Vec<serde_json::Value> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    validate_json(&path)
}

fn has(findings: &[serde_json::Value], code: &str, cell: Option<&str>, says: &str) -> bool {
    findings.iter().any(|f| {
        f["code"] == code
            && cell.is_none_or(|c| f["cell"] == c)
            && f["message"].as_str().is_some_and(|m| m.contains(says))
    })
}

fn kent_q2_payment(ws: &Workspace) -> (String, String) {
    npg()
        .args(["pay", "--quarter", "Q1-Q2", "--cycle"])
        .arg(ws.cycle())
        .arg("--out")
        .arg(ws.runs())
        .assert()
        .success();
    let ledger = read_ledger(&ws.runs().join("2025-26-Q2/ledger.csv"));
    (
        ledger["kent"]["payment"].clone(),
        ledger["kent"]["status"].clone(),
    )
}

#[test]
fn kent_q2_as_an_ods_pays_as_the_xlsx_does() {
    // The hand-made .ods is faithful: the same return pays the same.
    let ws = with_kent_q2(&kent_q2_ods(C2));
    assert_eq!(
        kent_q2_payment(&ws),
        ("1247613.60".to_owned(), "PAY".to_owned())
    );
}

#[test]
fn a_money_cell_typed_as_text_is_its_text_never_a_stray_value_beside_it() {
    // As the review found it: LibreOffice shows the text £760,568.17; 0.2.0 paid 999,999.99.
    let shown = "<table:table-cell office:value-type=\"string\" office:value=\"999999.99\" calcext:value-type=\"string\"><text:p>£760,568.17</text:p></table:table-cell>";
    let ws = with_kent_q2(&kent_q2_ods(shown));
    let (payment, status) = kent_q2_payment(&ws);
    assert_ne!(payment, "1337499.96", "the stray value was paid");
    assert_eq!(status, "NIL", "the return is invalid, so treated as absent");
    let findings = validate_json(&ws.returns("finance").join("kent-2025-26-Q2-v1.ods"));
    assert!(
        has(&findings, "C02", Some("C2"), "£760,568.17"),
        "{findings:#?}"
    );
    // The stray value written before the type, and with a string value of its own.
    for cell in [
        "<table:table-cell office:value=\"999999.99\" office:value-type=\"string\"><text:p>£760,568.17</text:p></table:table-cell>",
        "<table:table-cell office:value-type=\"string\" office:value=\"999999.99\" office:string-value=\"£760,568.17\"><text:p>x</text:p></table:table-cell>",
        "<table:table-cell office:boolean-value=\"true\" office:value-type=\"string\"><text:p>£760,568.17</text:p></table:table-cell>",
    ] {
        let findings = findings_of(&kent_q2_ods(cell), "kent.ods");
        assert!(
            has(&findings, "C02", Some("C2"), "£760,568.17"),
            "{cell}: {findings:#?}"
        );
        assert!(!has(&findings, "C02", Some("C2"), "999999"), "{cell}");
    }
}

/// Expenditure!C2 of an .ods as npg reads it.
fn read_c2(ods: &[u8]) -> CellValue {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kent.ods");
    std::fs::write(&path, ods).unwrap();
    let book = read_workbook(&path, "kent.ods").unwrap();
    book.sheet("Expenditure").unwrap().get(1, 2).clone()
}

#[test]
fn a_cell_is_read_by_its_value_type_whatever_other_value_attributes_it_carries() {
    // A number with a stray string value (and a date value) first: the number is read.
    let number = "<table:table-cell office:string-value=\"999999.99\" office:date-value=\"2025-01-01\" office:value-type=\"float\" office:value=\"760568.17\"><text:p>760568.17</text:p></table:table-cell>";
    assert_eq!(read_c2(&kent_q2_ods(number)), CellValue::Number(760_568.17));
    // A currency cell reads its value too.
    let currency = "<table:table-cell office:value-type=\"currency\" office:currency=\"GBP\" office:value=\"760568.17\"><text:p>£760,568.17</text:p></table:table-cell>";
    assert_eq!(
        read_c2(&kent_q2_ods(currency)),
        CellValue::Number(760_568.17)
    );
    // A boolean with a stray number: the boolean.
    let boolean = "<table:table-cell office:value=\"0\" office:value-type=\"boolean\" office:boolean-value=\"true\"><text:p>TRUE</text:p></table:table-cell>";
    assert_eq!(read_c2(&kent_q2_ods(boolean)), CellValue::Bool(true));
    // A date with a stray number: the date.
    let date = "<table:table-cell office:value=\"45000\" office:value-type=\"date\" office:date-value=\"2025-07-15\"><text:p>15/07/2025</text:p></table:table-cell>";
    let CellValue::Date(at) = read_c2(&kent_q2_ods(date)) else {
        panic!("a date")
    };
    assert_eq!(at.date().to_string(), "2025-07-15");
}

#[test]
fn libreoffice_shows_each_cell_as_npg_reads_it() {
    let Some(soffice) = soffice_or_skip("libreoffice_shows_each_cell_as_npg_reads_it") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cells = [
        "<table:table-cell office:value-type=\"string\" office:value=\"999999.99\" calcext:value-type=\"string\"><text:p>£760,568.17</text:p></table:table-cell>",
        "<table:table-cell office:value=\"999999.99\" office:value-type=\"string\"><text:p>£760,568.17</text:p></table:table-cell>",
        "<table:table-cell office:string-value=\"999999.99\" office:value-type=\"float\" office:value=\"760568.17\"><text:p>760568.17</text:p></table:table-cell>",
        "<table:table-cell office:value=\"0\" office:value-type=\"boolean\" office:boolean-value=\"true\"><text:p>TRUE</text:p></table:table-cell>",
    ];
    for (i, cell) in cells.iter().enumerate() {
        let ods = kent_q2_ods(cell);
        let path = dir.path().join(format!("case{i}.ods"));
        std::fs::write(&path, &ods).unwrap();
        let ours = read_c2(&ods);
        // LibreOffice's own reading, saved as .xlsx and read back.
        let xlsx = soffice_convert(&soffice, &path, "xlsx", dir.path());
        let theirs = read_workbook(&xlsx, "lo.xlsx").unwrap();
        let theirs = theirs.sheet("Expenditure").unwrap().get(1, 2).clone();
        let same = match (&ours, &theirs) {
            // LibreOffice writes a boolean cell to .xlsx as the number 1 or 0, formatted
            // TRUE or FALSE.
            (CellValue::Bool(a), CellValue::Number(b)) => f64::from(u8::from(*a)) == *b,
            (a, b) => a == b,
        };
        assert!(
            same,
            "case {i}: npg reads {ours:?}, LibreOffice shows {theirs:?}"
        );
    }
}

#[test]
fn a_cell_whose_value_cannot_be_told_is_an_error_at_that_cell() {
    let cases = [
        // A value and no type.
        (
            "<table:table-cell office:value=\"999999.99\"><text:p>760568.17</text:p></table:table-cell>",
            "says nothing of its type",
        ),
        // A type and no value.
        (
            "<table:table-cell office:value-type=\"float\"><text:p>760568.17</text:p></table:table-cell>",
            "gives no value",
        ),
        // A type no spreadsheet has.
        (
            "<table:table-cell office:value-type=\"money\" office:value=\"999999.99\"><text:p>x</text:p></table:table-cell>",
            "is not one a spreadsheet has",
        ),
        // The same attribute twice.
        (
            "<table:table-cell office:value-type=\"float\" office:value=\"760568.17\" office:value=\"999999.99\"><text:p>x</text:p></table:table-cell>",
            "gives office:value twice",
        ),
    ];
    for (cell, says) in cases {
        let findings = findings_of(&kent_q2_ods(cell), "kent.ods");
        assert!(
            has(&findings, "F01", Some("C2"), says),
            "{cell}: {findings:#?}"
        );
        assert!(
            findings.iter().all(|f| f["sheet"] == "Expenditure"),
            "{findings:#?}"
        );
    }
    // A value hidden under merged cells (B2 spans C2), which no program shows.
    let merged = "<table:table-cell office:value-type=\"string\" table:number-columns-spanned=\"2\"><text:p>Officer pay</text:p></table:table-cell>";
    let content = ods_content(&kent_q2());
    let b2 = content.find(C2).unwrap();
    let before = content[..b2].rfind("<table:table-cell").unwrap();
    let hidden =
        "<table:covered-table-cell office:value-type=\"float\" office:value=\"999999.99\"/>";
    let patched = format!(
        "{}{merged}{hidden}{}",
        &content[..before],
        &content[b2 + C2.len()..]
    );
    let findings = findings_of(&ods_package(&patched), "kent.ods");
    assert!(
        has(&findings, "F01", Some("C2"), "hidden under merged cells"),
        "{findings:#?}"
    );
}

#[test]
fn two_sheets_of_one_name_are_an_error_in_every_format() {
    let content = ods_content(&kent_q2());
    let start = content
        .find("<table:table table:name=\"Expenditure\"")
        .unwrap();
    let end = content[start..].find("</table:table>").unwrap() + start + "</table:table>".len();
    let sheet = &content[start..end];
    for name in ["Expenditure", "EXPENDITURE"] {
        let other = sheet
            .replacen("Expenditure", name, 1)
            .replace("760568.17", "999999.99");
        let doubled = format!("{}{other}{}", &content[..end], &content[end..]);
        let findings = findings_of(&ods_package(&doubled), "kent.ods");
        assert!(
            has(&findings, "F01", None, "two sheets named"),
            "{name}: {findings:#?}"
        );
    }
    // An .xlsx whose workbook names two sheets alike.
    let xlsx = std::fs::read(fixture_cycle().join(KENT_Q2)).unwrap();
    let doubled = edit_part(&xlsx, "xl/workbook.xml", |xml| {
        xml.replace("name=\"Notes\"", "name=\"expenditure\"")
    });
    let findings = findings_of(&doubled, "kent.xlsx");
    assert!(
        has(&findings, "F01", None, "two sheets named"),
        "{findings:#?}"
    );
}

#[test]
fn a_cell_given_twice_in_an_xlsx_is_an_error_at_that_cell() {
    let xlsx = std::fs::read(fixture_cycle().join(KENT_Q2)).unwrap();
    let twice = edit_part(&xlsx, "xl/worksheets/sheet2.xml", |xml| {
        xml.replacen(
            "<c r=\"C2\"",
            "<c r=\"C2\" s=\"0\"><v>999999.99</v></c><c r=\"C2\"",
            1,
        )
    });
    let findings = findings_of(&twice, "kent.xlsx");
    assert!(
        has(&findings, "F01", Some("C2"), "holds cell C2 twice"),
        "{findings:#?}"
    );
}

/// kent's Q2 return's parts, and its Expenditure sheet with officer pay forged to 999,999.99.
fn kent_q2_parts_and_forged_sheet() -> (Vec<(String, Vec<u8>)>, Vec<u8>) {
    let xlsx = std::fs::read(fixture_cycle().join(KENT_Q2)).unwrap();
    let parts = unzip(&xlsx);
    let sheet2 = parts
        .iter()
        .find(|(n, _)| n == "xl/worksheets/sheet2.xml")
        .map(|(_, d)| String::from_utf8(d.clone()).unwrap())
        .unwrap();
    let forged = sheet2.replace("760568.17", "999999.99").into_bytes();
    (parts, forged)
}

#[test]
fn an_xlsx_whose_part_names_collide_when_case_is_folded_is_damaged_naming_the_part() {
    let (parts, forged) = kent_q2_parts_and_forged_sheet();
    // A second copy under each spelling OPC takes for the same name.
    for twin in [
        "xl/worksheets/Sheet2.xml",
        "XL/WORKSHEETS/SHEET2.XML",
        "xl/worksheets/sheet%32.xml",
        "/xl/worksheets/sheet2.xml",
    ] {
        let mut with_twin: Vec<(&str, Vec<u8>)> =
            parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
        with_twin.push((twin, forged.clone()));
        let findings = findings_of(&raw_zip(&with_twin), "kent.xlsx");
        assert!(
            has(&findings, "F01", None, "differ only in case"),
            "{twin}: {findings:#?}"
        );
        assert!(
            has(&findings, "F01", None, "xl/worksheets/sheet2.xml"),
            "{twin}"
        );
    }
    // The very same name twice.
    let mut same: Vec<(&str, Vec<u8>)> =
        parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    same.push(("xl/worksheets/sheet2.xml", forged));
    let findings = findings_of(&raw_zip(&same), "kent.xlsx");
    assert!(
        has(&findings, "F01", None, "differ only in case"),
        "{findings:#?}"
    );
    // An .ods with two content parts.
    let content = ods_content(&kent_q2());
    let ods = zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
        ),
        ("content.xml", content.clone().into_bytes()),
        (
            "Content.xml",
            content.replace("760568.17", "999999.99").into_bytes(),
        ),
    ]);
    let findings = findings_of(&ods, "kent.ods");
    assert!(has(&findings, "F01", None, "content.xml"), "{findings:#?}");
}

/// Runs `npg validate` on `bytes` as `name`, bounded in time and memory, and returns the
/// findings with what it took.
fn validate_bounded(
    bytes: &[u8],
    name: &str,
) -> (Vec<serde_json::Value>, super::support::Measured) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let run = run_npg(
        &[
            os(Path::new("validate")),
            os(Path::new("--format")),
            os(Path::new("json")),
            os(&path),
        ],
        Duration::from_secs(60),
    );
    run.assert_ended_with(1, name);
    let findings =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.output()));
    (findings, run)
}

#[test]
fn ods_spaces_expanding_past_a_cell_or_a_workbook_are_refused_in_bounded_time_and_memory() {
    // As the review found it: one cell of 100,000 runs of 32,767 spaces (3.3 GB of text).
    let spaces = "<text:s text:c=\"32767\"/>".repeat(100_000);
    let cell = format!(
        "<table:table-cell office:value-type=\"string\"><text:p>a{spaces}b</text:p></table:table-cell>"
    );
    let (findings, run) = validate_bounded(&kent_q2_ods(&cell), "kent.ods");
    assert!(
        has(&findings, "F01", Some("C2"), "more than a cell can hold"),
        "{findings:#?}"
    );
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    // Many cells each just within a cell's limit, in a row repeated: the workbook's text.
    let near_full = format!(
        "<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>",
        "<text:s text:c=\"30000\"/>"
    );
    let body = format!(
        "<table:table table:name=\"Spaces\"><table:table-row table:number-rows-repeated=\"4000\">{}</table:table-row></table:table>",
        near_full.repeat(50)
    );
    let (findings, _) = validate_bounded(&ods_package(&ods_document(&body)), "spaces.ods");
    assert!(
        has(&findings, "F01", None, "of text together"),
        "{findings:#?}"
    );
    // A long string value (no spaces at all), repeated across columns and rows.
    let long = "x".repeat(30_000);
    let body = format!(
        "<table:table table:name=\"Long\"><table:table-row table:number-rows-repeated=\"4000\"><table:table-cell office:value-type=\"string\" office:string-value=\"{long}\" table:number-columns-repeated=\"90\"/></table:table-row></table:table>"
    );
    let (findings, _) = validate_bounded(&ods_package(&ods_document(&body)), "long.ods");
    assert!(
        has(&findings, "F01", None, "of text together"),
        "{findings:#?}"
    );
}

#[test]
fn one_long_shared_string_in_many_xlsx_cells_is_refused_in_bounded_memory() {
    // 30,000 characters, used by 5,000 cells: 150 MB of text once every cell holds a copy.
    let long = "x".repeat(30_000);
    let cells: String = (1..=5_000)
        .map(|r| format!("<row r=\"{r}\"><c r=\"A{r}\" t=\"s\"><v>0</v></c></row>"))
        .collect();
    let sheet = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{cells}</sheetData></worksheet>"
    );
    let xlsx = zip_of(&[
        ("[Content_Types].xml", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/><Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>".to_vec()),
        ("_rels/.rels", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>".to_vec()),
        ("xl/workbook.xml", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"About\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>".to_vec()),
        ("xl/_rels/workbook.xml.rels", b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>".to_vec()),
        ("xl/worksheets/sheet1.xml", sheet.into_bytes()),
        ("xl/sharedStrings.xml", format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"5000\" uniqueCount=\"1\"><si><t>{long}</t></si></sst>").into_bytes()),
    ]);
    let (findings, _) = validate_bounded(&xlsx, "shared.xlsx");
    assert!(
        has(&findings, "F01", None, "of text together"),
        "{findings:#?}"
    );
}

#[test]
fn a_part_that_gives_itself_a_second_name_is_damaged() {
    // Found by review: the Info-ZIP Unicode Path extra field names a forged sheet9.xml as
    // sheet2.xml for the zip crate, while LibreOffice reads the name in the header.
    let (parts, forged) = kent_q2_parts_and_forged_sheet();
    let mut extra = 0x7075u16.to_le_bytes().to_vec();
    let unicode_name = b"xl/worksheets/sheet2.xml";
    extra.extend_from_slice(&(5 + unicode_name.len() as u16).to_le_bytes());
    extra.push(1);
    extra.extend_from_slice(&crc32fast::hash(b"xl/worksheets/sheet9.xml").to_le_bytes());
    extra.extend_from_slice(unicode_name);
    let mut with_forged: Vec<(&str, Vec<u8>, Vec<u8>)> = parts
        .iter()
        .map(|(n, d)| (n.as_str(), d.clone(), Vec::new()))
        .collect();
    with_forged.push(("xl/worksheets/sheet9.xml", forged, extra));
    let findings = findings_of(
        &super::support::raw_zip_with_extra(&with_forged),
        "kent.xlsx",
    );
    assert!(
        has(&findings, "F01", None, "gives itself a second name"),
        "{findings:#?}"
    );
}

#[test]
fn sheet_names_that_match_once_trimmed_and_very_hidden_sheets_are_errors() {
    let xlsx = std::fs::read(fixture_cycle().join(KENT_Q2)).unwrap();
    // "Expenditure" and "Expenditure" with a no-break space: one sheet to the reader.
    for twin in ["Expenditure&#160;", " expenditure", "EXPENDITURE\t"] {
        let doubled = edit_part(&xlsx, "xl/workbook.xml", |xml| {
            xml.replace("name=\"Notes\"", &format!("name=\"{twin}\""))
        });
        let findings = findings_of(&doubled, "kent.xlsx");
        assert!(
            has(&findings, "F01", None, "two sheets named"),
            "{twin}: {findings:#?}"
        );
    }
    let hidden = edit_part(&xlsx, "xl/workbook.xml", |xml| {
        xml.replace("name=\"Notes\"", "name=\"Notes\" state=\"veryHidden\"")
    });
    let findings = findings_of(&hidden, "kent.xlsx");
    assert!(
        has(
            &findings,
            "F01",
            None,
            "hidden so that Excel cannot show it"
        ),
        "{findings:#?}"
    );
}

#[test]
fn an_ods_that_binds_its_prefixes_unusually_is_damaged() {
    // Found by review: `o:` bound to the office namespace and `office:` to another; calamine
    // read office:value by its letters, LibreOffice o:value.
    let rebound = "<table:table-cell xmlns:o=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:office=\"urn:x-not-odf\" o:value-type=\"float\" o:value=\"760568.17\" office:value-type=\"float\" office:value=\"999999.99\"><text:p>760568.17</text:p></table:table-cell>";
    let findings = findings_of(&kent_q2_ods(rebound), "kent.ods");
    assert!(
        has(&findings, "F01", None, "not as OpenDocument does"),
        "{findings:#?}"
    );
    // The office namespace as the default one, on the whole document.
    let content = ods_content(&kent_q2()).replacen(
        "<office:document-content ",
        "<office:document-content xmlns=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" ",
        1,
    );
    let findings = findings_of(&ods_package(&content), "kent.ods");
    assert!(
        has(&findings, "F01", None, "not as OpenDocument does"),
        "{findings:#?}"
    );
}

#[test]
fn a_value_hidden_under_merged_cells_is_an_error_in_xlsx_and_ods_alike() {
    // Found by review: an .xlsx merging B2:C2 still holds C2's amount, which no program shows.
    let xlsx = std::fs::read(fixture_cycle().join(KENT_Q2)).unwrap();
    let merged = edit_part(&xlsx, "xl/worksheets/sheet2.xml", |xml| {
        xml.replace(
            "</sheetData>",
            "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"B2:C2\"/></mergeCells>",
        )
    });
    let findings = findings_of(&merged, "kent.xlsx");
    assert!(
        has(
            &findings,
            "F01",
            Some("C2"),
            "hidden under the merged cells B2:C2"
        ),
        "{findings:#?}"
    );
    // The same saved by LibreOffice as .xls.
    if let Some(soffice) = soffice_or_skip("a_value_hidden_under_merged_cells_is_an_error") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("merged.xlsx");
        std::fs::write(&path, &merged).unwrap();
        let xls = soffice_convert(&soffice, &path, "xls", dir.path());
        let findings = validate_json(&xls);
        assert!(
            has(&findings, "F01", None, "hidden under the merged cells"),
            "{findings:#?}"
        );
    }
    // An .ods covered cell with a type and text, but no value attribute.
    let content = ods_content(&kent_q2());
    let b2 = content.find(C2).unwrap();
    let before = content[..b2].rfind("<table:table-cell").unwrap();
    let merged_b2 = "<table:table-cell office:value-type=\"string\" table:number-columns-spanned=\"2\"><text:p>Officer pay</text:p></table:table-cell>";
    let hidden = "<table:covered-table-cell office:value-type=\"string\"><text:p>999999.99</text:p></table:covered-table-cell>";
    let patched = format!(
        "{}{merged_b2}{hidden}{}",
        &content[..before],
        &content[b2 + C2.len()..]
    );
    let findings = findings_of(&ods_package(&patched), "kent.ods");
    assert!(
        has(&findings, "F01", Some("C2"), "hidden under merged cells"),
        "{findings:#?}"
    );
}
