//! Tests of opening workbooks: every format, every refusal, and what the fuzzers found.

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ::zip::ZipWriter;
use ::zip::write::SimpleFileOptions;
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime as XlsxDate, Format, Formula, Workbook};

use std::cell::Cell;
use std::io::{Cursor, Read};

use ::zip::ZipArchive;
use calamine::{Data, ExcelDateTime};
use chrono::{NaiveDate, NaiveTime};

use super::cfb::{Compound, MINI_CUTOFF};
use super::guard::QUIET;
use super::ods::scan_ods_content;
use super::values::{excel_date, from_data, iso_date};
use super::xls::{
    BIFF_BOF, BIFF_BOUNDSHEET, BIFF_DIMENSIONS, BIFF_EOF, BIFF_FILEPASS, BIFF_MERGECELLS,
    BIFF_MULRK, scan_biff,
};
use super::xlsx::read_xlsx;
use super::xml::{contains, find};
use super::zip::{Part, stored_zip, unpack_parts};
use super::*;
use crate::findings::Severity;
use crate::read::grid::{CellValue, SheetGrid};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/read")
        .join(name)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

/// The workbook every format is checked against: text, numbers, a date, a formula
/// error, a boolean and a merged range on `About`; a table starting at C3 on `Data`.
fn sample_workbook() -> Workbook {
    let mut book = Workbook::new();
    let about = book.add_worksheet().set_name("About").unwrap();
    about.write_string(0, 0, "Force id").unwrap();
    about.write_string(0, 1, "kent").unwrap();
    about.write_string(1, 0, "Template version").unwrap();
    about.write_number(1, 1, 1.0).unwrap();
    about.write_string(2, 0, "Submitted on").unwrap();
    about
        .write_datetime_with_format(
            2,
            1,
            XlsxDate::from_ymd(2025, 7, 15).unwrap(),
            &Format::new().set_num_format("yyyy-mm-dd"),
        )
        .unwrap();
    about.write_string(3, 0, "Amount").unwrap();
    about.write_number(3, 1, 1234.56).unwrap();
    about.write_string(4, 0, "Ratio").unwrap();
    about
        .write_formula(4, 1, Formula::new("=1/0").set_result("#DIV/0!"))
        .unwrap();
    about.write_string(5, 0, "Signed").unwrap();
    about.write_boolean(5, 1, true).unwrap();
    about
        .merge_range(7, 0, 7, 2, "Merged title", &Format::new())
        .unwrap();
    let data = book.add_worksheet().set_name("Data").unwrap();
    data.write_string(2, 2, "Month").unwrap();
    data.write_string(2, 3, "Spend").unwrap();
    data.write_string(4, 2, "2025-04").unwrap();
    data.write_number(4, 3, 100.25).unwrap();
    book
}

fn sample_xlsx() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| sample_workbook().save_to_buffer().unwrap())
}

fn text(s: &str) -> CellValue {
    CellValue::Text(s.to_owned())
}

fn day(y: i32, m: u32, d: u32) -> CellValue {
    CellValue::Date(
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_time(NaiveTime::MIN),
    )
}

/// What the sample reads to; `error` is how the format delivers `=1/0`.
fn expected_sample(error: CellValue) -> WorkbookData {
    let mut about = SheetGrid::new("About", 0);
    about.set(0, 0, text("Force id"));
    about.set(0, 1, text("kent"));
    about.set(1, 0, text("Template version"));
    about.set(1, 1, CellValue::Number(1.0));
    about.set(2, 0, text("Submitted on"));
    about.set(2, 1, day(2025, 7, 15));
    about.set(3, 0, text("Amount"));
    about.set(3, 1, CellValue::Number(1234.56));
    about.set(4, 0, text("Ratio"));
    about.set(4, 1, error);
    about.set(5, 0, text("Signed"));
    about.set(5, 1, CellValue::Bool(true));
    about.set(7, 0, text("Merged title"));
    let mut data = SheetGrid::new("Data", 1);
    data.set(2, 2, text("Month"));
    data.set(2, 3, text("Spend"));
    data.set(4, 2, text("2025-04"));
    data.set(4, 3, CellValue::Number(100.25));
    WorkbookData {
        sheets: vec![about, data],
    }
}

fn refused(bytes: &[u8], extension: &str) -> Finding {
    match read_workbook_bytes(bytes, extension, "returns/kent.xlsx") {
        Ok(book) => panic!("expected a finding, read {book:?}"),
        Err(finding) => finding,
    }
}

fn assert_f01(finding: &Finding, says: &str) {
    assert_eq!(finding.code, Code::F01, "{finding}");
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(finding.location.file, "returns/kent.xlsx");
    assert!(finding.message.contains(says), "{finding}");
}

/// Rewrites a zip part by part: `edit` returns a part's new bytes, or `None` to drop it.
fn rezip(bytes: &[u8], mut edit: impl FnMut(&str, Vec<u8>) -> Option<Vec<u8>>) -> Vec<u8> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..zip.len() {
        let mut part = zip.by_index(index).unwrap();
        let name = part.name().unwrap().into_owned();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        if let Some(data) = edit(&name, data) {
            out.start_file(name, SimpleFileOptions::default()).unwrap();
            out.write_all(&data).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

/// Replaces `from` by `to` in one part of a zip, checking that it was there.
fn patch_part(bytes: &[u8], part: &str, from: &str, to: &str) -> Vec<u8> {
    let mut found = false;
    let patched = rezip(bytes, |name, data| {
        if name != part {
            return Some(data);
        }
        let xml = String::from_utf8(data).unwrap();
        found = xml.contains(from);
        Some(xml.replacen(from, to, 1).into_bytes())
    });
    assert!(found, "{from:?} is not in {part}");
    patched
}

#[test]
fn an_xlsx_reads_text_numbers_dates_booleans_errors_and_merged_cells() {
    let book = read_workbook_bytes(sample_xlsx(), "xlsx", "kent.xlsx").unwrap();
    assert_eq!(book, expected_sample(CellValue::Error("#DIV/0!".into())));
    // Merged cells are read as their top-left value; the cells they cover are empty.
    let about = book.sheet("about").unwrap();
    assert_eq!(about.get(7, 1), &CellValue::Empty);
    assert_eq!(about.get(7, 2), &CellValue::Empty);
}

#[test]
fn the_same_workbook_saved_as_ods_xls_and_xlsm_reads_the_same() {
    let xlsx = fixture_bytes("sample.xlsx");
    assert_eq!(
        read_workbook_bytes(&xlsx, "XLSM", "kent.xlsm").unwrap(),
        expected_sample(CellValue::Error("#DIV/0!".into()))
    );
    // .xls delivers the error as an error value; .ods as text, classified later (C04).
    let xls = read_workbook(&fixture("sample.xls"), "kent.xls").unwrap();
    assert_eq!(xls, expected_sample(CellValue::Error("#DIV/0!".into())));
    // LibreOffice saves TRUE in an .ods as the formula =TRUE() with the number 1.
    let mut expected = expected_sample(text("#DIV/0!"));
    expected.sheets[0].set(5, 1, CellValue::Number(1.0));
    let ods = read_workbook(&fixture("sample.ods"), "kent.ods").unwrap();
    assert_eq!(ods, expected);
}

#[test]
fn the_content_decides_the_format_not_the_name() {
    // An .xls renamed .xlsx, and an .xlsx renamed .ods, are read all the same.
    let xls = fixture_bytes("sample.xls");
    assert!(read_workbook_bytes(&xls, "xlsx", "kent.xlsx").is_ok());
    assert!(read_workbook_bytes(sample_xlsx(), ".ods", "kent.ods").is_ok());
}

#[test]
fn only_spreadsheet_names_are_taken() {
    for name in ["a.xlsx", "b.XLSM", "c.xls", "d.Ods"] {
        assert!(is_spreadsheet_name(Path::new(name)), "{name}");
    }
    for name in ["a.csv", "b.txt", "c.xlsb", "d", "e.xlsx.bak", ".xlsx"] {
        assert!(!is_spreadsheet_name(Path::new(name)), "{name}");
    }
    let csv = refused(b"Force id,kent\n", "csv");
    assert_f01(&csv, "a .csv file is not a spreadsheet that can be read");
    assert_f01(&refused(sample_xlsx(), ""), "a file with no extension");
    let finding = read_workbook(Path::new("returns/kent.csv"), "returns/kent.xlsx");
    assert_f01(&finding.unwrap_err(), "a .csv file");
}

#[test]
fn a_missing_file_is_a_finding_naming_it() {
    let missing = read_workbook(&fixture("no-such-file.xlsx"), "returns/kent.xlsx");
    assert_f01(&missing.unwrap_err(), "the file cannot be read");
}

#[test]
fn an_empty_file_is_f01() {
    assert_f01(&refused(b"", "xlsx"), "the file is empty (0 bytes)");
}

#[test]
fn text_renamed_as_a_workbook_is_f01_saying_what_it_looks_like() {
    let csv = b"Month,Spend\n2025-04,100.25\n2025-05,\"1,234.56\"\n";
    let finding = refused(csv, "xlsx");
    assert_f01(&finding, "it looks like plain text, such as a CSV file");
    assert_eq!(
        finding.message,
        "the file is not a spreadsheet that can be read (it looks like plain text, such as \
             a CSV file); save it from Excel as .xlsx and send it again"
    );
    let html = refused(b"<!DOCTYPE html><html><body>x</body></html>", "xls");
    assert_f01(&html, "a web page (HTML)");
    assert_f01(&refused(b"%PDF-1.7\n\x00\x01", "xlsx"), "a PDF document");
    assert_f01(
        &refused(&[0u8, 1, 2, 3, 200, 201], "ods"),
        "no spreadsheet format",
    );
    assert_f01(
        &refused(b"PK\x05\x06\0\0\0\0", "xlsx"),
        "an empty zip archive",
    );
}

#[test]
fn a_truncated_zip_is_f01() {
    let xlsx = sample_xlsx();
    let half = &xlsx[..xlsx.len() / 2];
    assert_f01(&refused(half, "xlsx"), "damaged or incomplete");
}

#[test]
fn a_corrupt_zip_is_f01() {
    let mut xlsx = sample_xlsx().to_vec();
    let middle = xlsx.len() / 2;
    for byte in &mut xlsx[middle - 16..middle + 16] {
        *byte ^= 0x5A;
    }
    assert_f01(&refused(&xlsx, "xlsx"), "damaged or incomplete");
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in parts {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn other_zips_and_office_files_are_named() {
    let docx = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w/>"),
    ]);
    assert_f01(&refused(&docx, "xlsx"), "it is a Word document");
    let xlsb = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("xl/workbook.bin", b"\0"),
    ]);
    assert_f01(&refused(&xlsb, "xlsx"), "an Excel binary workbook (.xlsb)");
    let odt = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
    assert_f01(
        &refused(&odt, "ods"),
        "an OpenDocument file of another kind",
    );
    let other = zip_of(&[("notes.txt", b"hello")]);
    assert_f01(
        &refused(&other, "xlsx"),
        "a zip archive that holds no workbook",
    );
    // A Compound File without a workbook stream: rename sample.xls's stream (the name
    // opens its 128-byte directory entry; its length in bytes is at offset 64).
    let mut doc = fixture_bytes("sample.xls");
    let at = find(&doc, &utf16("Workbook\0")).unwrap();
    let name = utf16("WordDocument\0");
    doc[at..at + name.len()].copy_from_slice(&name);
    doc[at + 64..at + 66].copy_from_slice(&(name.len() as u16).to_le_bytes());
    assert_f01(&refused(&doc, "xls"), "(it is a Word document)");
}

fn utf16(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn a_workbook_encrypted_with_a_password_is_f02() {
    // encrypted.xlsx is sample.xlsx encrypted with the password "secret".
    let finding = read_workbook(&fixture("encrypted.xlsx"), "returns/kent.xlsx").unwrap_err();
    assert_eq!(finding.code, Code::F02);
    assert_eq!(finding.severity, Severity::Error);
    assert_eq!(finding.location, Location::file("returns/kent.xlsx"));
    assert!(
        finding
            .message
            .starts_with("the workbook is protected with a password to open; remove the password")
    );
    // The same whatever the name says.
    let bytes = fixture_bytes("encrypted.xlsx");
    assert_eq!(refused(&bytes, "xls").code, Code::F02);
    assert_eq!(refused(&bytes, "xlsm").code, Code::F02);
}

#[test]
fn an_ods_encrypted_with_a_password_is_f02() {
    // How an encrypted .ods says so: an encryption-data element in its manifest.
    let ods = patch_part(
        &fixture_bytes("sample.ods"),
        "META-INF/manifest.xml",
        "</manifest:manifest>",
        "<manifest:file-entry manifest:full-path=\"content.xml\" \
             manifest:media-type=\"text/xml\"><manifest:encryption-data \
             manifest:checksum-type=\"SHA1/1K\"/></manifest:file-entry></manifest:manifest>",
    );
    assert_eq!(refused(&ods, "ods").code, Code::F02);
}

#[test]
fn the_compound_file_reader_finds_streams_in_the_mini_stream_and_the_fat() {
    let encrypted = fixture_bytes("encrypted.xlsx");
    let file = Compound::parse(&encrypted).unwrap();
    // EncryptionInfo is short, so it lives in the mini stream; agile encryption is 4.4.
    let info = file.stream("encryptioninfo").unwrap().unwrap();
    assert_eq!(&info[..4], &[4, 0, 4, 0]);
    assert!(contains(&info, b"<encryption"));
    let package = file.stream("EncryptedPackage").unwrap().unwrap();
    assert!(package.len() as u64 >= MINI_CUTOFF);
    let xls = fixture_bytes("sample.xls");
    let file = Compound::parse(&xls).unwrap();
    let workbook = file.stream("Workbook").unwrap().unwrap();
    assert_eq!(le16(&workbook, 0), Some(BIFF_BOF));
    assert!(file.stream("WordDocument").is_none());
}

#[test]
fn a_compound_file_whose_directory_chain_loops_is_refused_before_calamine_reads_it() {
    // calamine follows the directory chain until its end, so a chain that points back
    // at itself would have it read (and allocate) for ever.
    let mut xls = fixture_bytes("sample.xls");
    let directory = le32(&xls, 48).unwrap() as usize;
    let fat_sector = le32(&xls, 76).unwrap() as usize;
    let at = (fat_sector + 1) * 512 + 4 * directory;
    xls[at..at + 4].copy_from_slice(&(directory as u32).to_le_bytes());
    assert!(Compound::parse(&xls).is_err_and(|e| e.contains("loops")));
    let started = Instant::now();
    assert_f01(&refused(&xls, "xls"), "a chain of sectors loops");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_workbook_with_no_sheets_is_f01() {
    let xml = {
        let mut zip = ZipArchive::new(Cursor::new(sample_xlsx())).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/workbook.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml
    };
    let start = xml.find("<sheets>").unwrap();
    let end = xml.find("</sheets>").unwrap() + "</sheets>".len();
    let none = patch_part(
        sample_xlsx(),
        "xl/workbook.xml",
        &xml[start..end],
        "<sheets/>",
    );
    assert_f01(&refused(&none, "xlsx"), "the workbook has no sheets");
}

#[test]
fn a_value_at_xfd1048576_is_refused_at_once_before_any_grid_is_built() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Profile").unwrap();
    sheet.write_string(0, 0, "Month").unwrap();
    sheet.write_number(1_048_575, 16_383, 1.0).unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let started = Instant::now();
    let finding = refused(&bytes, "xlsx");
    // A dense grid of 17 billion cells could not be built in this time (or memory).
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(finding.code, Code::F01);
    assert_eq!(
        finding.location,
        Location::cell("returns/kent.xlsx", "Profile", 0, 1_048_575, 16_383)
    );
    assert_eq!(
        finding.to_string(),
        "error F01 returns/kent.xlsx › Profile!XFD1048576: sheet \"Profile\" has a value in \
             cell XFD1048576, far beyond the area a return uses (rows 1 to 5,000 and columns A \
             to CV); delete the stray cells below and to the right of the table (select those \
             rows and columns, right-click, Delete) and save it again"
    );
}

#[test]
fn a_value_just_inside_the_limit_is_read_and_just_outside_is_not() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet
        .write_number(MAX_ROWS - 1, (MAX_COLS - 1) as u16, 1.0)
        .unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let read = read_workbook_bytes(&bytes, "xlsx", "k.xlsx").unwrap();
    assert_eq!(
        read.sheets[0].get(MAX_ROWS - 1, MAX_COLS - 1),
        &CellValue::Number(1.0)
    );
    let mut book = Workbook::new();
    book.add_worksheet().write_number(MAX_ROWS, 0, 1.0).unwrap();
    let finding = refused(&book.save_to_buffer().unwrap(), "xlsx");
    assert_eq!(finding.location.a1().as_deref(), Some("A5001"));
}

#[test]
fn an_xls_with_a_value_at_its_last_cell_is_refused_by_the_record_scan() {
    // far-cell.xls (from far-cell.xlsx by LibreOffice): "Month" at A1, 1 at IV65536.
    for name in ["far-cell.xls", "far-cell.xlsx"] {
        let finding = read_workbook(&fixture(name), "returns/kent.xlsx").unwrap_err();
        assert_eq!(finding.code, Code::F01, "{name}");
        assert_eq!(
            finding.place(),
            "returns/kent.xlsx › Profile!IV65536",
            "{name}"
        );
    }
}

#[test]
fn an_ods_with_a_value_far_away_is_refused_by_the_content_scan() {
    // A row repeated a million times, then a value in the last column.
    let far = "<table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell/>\
                   </table:table-row><table:table-row><table:table-cell \
                   table:number-columns-repeated=\"16383\"/><table:table-cell \
                   office:value-type=\"float\" office:value=\"1\"><text:p>1</text:p>\
                   </table:table-cell></table:table-row></table:table>";
    let ods = patch_part(
        &fixture_bytes("sample.ods"),
        "content.xml",
        "</table:table>",
        far,
    );
    let started = Instant::now();
    let finding = refused(&ods, "ods");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(finding.code, Code::F01);
    assert_eq!(finding.location.sheet.as_deref(), Some("About"));
    assert!(
        finding
            .message
            .contains("far beyond the area a return uses"),
        "{finding}"
    );
}

#[test]
fn the_workbook_system_of_1904_is_honoured() {
    let xlsx = patch_part(
        sample_xlsx(),
        "xl/workbook.xml",
        "<workbookPr",
        "<workbookPr date1904=\"1\"",
    );
    let book = read_workbook_bytes(&xlsx, "xlsx", "kent.xlsx").unwrap();
    // The same serial number counts from 1904-01-01 rather than 1900-01-01.
    let shifted = NaiveDate::from_ymd_opt(2025, 7, 15).unwrap() + chrono::Days::new(1462);
    assert_eq!(
        book.sheet("About").unwrap().get(2, 1),
        &CellValue::Date(shifted.and_time(NaiveTime::MIN))
    );
}
#[test]
fn the_stored_zip_reads_back_part_for_part_with_checksums_and_names() {
    let parts = vec![
        Part {
            name: "xl/".into(),
            bytes: None,
        },
        Part {
            name: "xl/workbook.xml".into(),
            bytes: Some(b"<workbook/>".to_vec()),
        },
        Part {
            name: "xl/ünïcode.xml".into(),
            bytes: Some(vec![7; 70_000]),
        },
    ];
    let bytes = stored_zip(&parts).unwrap();
    let mut zip = ZipArchive::new(Cursor::new(bytes.as_slice())).unwrap();
    assert_eq!(zip.len(), 3);
    let read = unpack_parts(&mut zip, MAX_UNZIPPED_BYTES).unwrap();
    let names: Vec<&str> = read.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["xl/", "xl/workbook.xml", "xl/ünïcode.xml"]);
    assert_eq!(read[0].bytes, None);
    assert_eq!(read[1].bytes.as_deref(), Some(&b"<workbook/>"[..]));
    assert_eq!(read[2].bytes.as_ref().map(Vec::len), Some(70_000));
    // The same parts always make the same bytes.
    assert_eq!(stored_zip(&parts).unwrap(), bytes);
    // The whole sample workbook read through it gives what calamine reads directly.
    let direct = read_xlsx(sample_xlsx(), &Limits::RETURN, true).unwrap();
    let mut zip = ZipArchive::new(Cursor::new(sample_xlsx())).unwrap();
    let restored = stored_zip(&unpack_parts(&mut zip, MAX_UNZIPPED_BYTES).unwrap()).unwrap();
    assert_eq!(read_xlsx(&restored, &Limits::RETURN, true).unwrap(), direct);
}

/// The benchmark weighs like against like: the zip crate's writer lays out the same parts,
/// which read back the same, and calamine reads the same workbook from both.
#[test]
fn the_zip_crates_writer_in_the_benchmark_lays_out_the_same_parts() {
    let theirs = bench_stored_zip(&bench_unpack(sample_xlsx()).unwrap(), true).unwrap();
    let ours = bench_stored_zip(&bench_unpack(sample_xlsx()).unwrap(), false).unwrap();
    assert_ne!(theirs, ours);
    let read = |bytes: &[u8]| {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
        unpack_parts(&mut zip, MAX_UNZIPPED_BYTES)
            .unwrap()
            .into_iter()
            .map(|part| (part.name, part.bytes))
            .collect::<Vec<_>>()
    };
    assert_eq!(read(&theirs), read(&ours));
    assert_eq!(
        read_xlsx(&theirs, &Limits::RETURN, true).unwrap(),
        read_xlsx(&ours, &Limits::RETURN, true).unwrap()
    );
}

#[test]
fn an_xlsx_that_unpacks_to_too_much_is_refused() {
    let mut zip = ZipArchive::new(Cursor::new(sample_xlsx())).unwrap();
    let Err(Refusal::Unreadable(message)) = unpack_parts(&mut zip, 1000) else {
        panic!("a 1000-byte limit should refuse the sample");
    };
    assert!(
        message.starts_with("the file unpacks to more than"),
        "{message}"
    );
}

#[test]
fn an_ods_that_unpacks_to_too_much_is_refused() {
    let ods = fixture_bytes("sample.ods");
    let mut zip = ZipArchive::new(Cursor::new(ods.as_slice())).unwrap();
    let parts = unpack_parts(&mut zip, MAX_UNZIPPED_BYTES).unwrap();
    assert_eq!(parts.len(), zip.len());
    let Err(Refusal::Unreadable(message)) = unpack_parts(&mut zip, 1000) else {
        panic!("a 1000-byte limit should refuse the sample");
    };
    assert!(
        message.starts_with("the file unpacks to more than 1000 bytes"),
        "{message}"
    );
}

#[test]
fn shared_strings_announcing_more_than_they_hold_are_refused() {
    let xlsx = patch_part(
        sample_xlsx(),
        "xl/sharedStrings.xml",
        "uniqueCount=\"",
        "uniqueCount=\"99999999999",
    );
    assert_f01(
        &refused(&xlsx, "xlsx"),
        "announces far more strings than it holds",
    );
}

#[test]
fn shared_strings_are_read_as_calamine_reads_them() {
    let huge = |before: &str| {
        patch_part(
            sample_xlsx(),
            "xl/sharedStrings.xml",
            "<sst ",
            &format!("{before}<sst "),
        )
    };
    let announcing = |xlsx: Vec<u8>| {
        rezip(&xlsx, |name, data| {
            Some(if name == "xl/sharedStrings.xml" {
                String::from_utf8(data)
                    .unwrap()
                    .replacen("uniqueCount=\"", "uniqueCount=\"99999999999", 1)
                    .into_bytes()
            } else {
                data
            })
        })
    };
    // A tag before `sst` whose name holds a form feed is no tag calamine stops at: it would
    // go on to `sst` and reserve what that announces, so the part is refused.
    assert_f01(
        &refused(&announcing(huge("<x\x0Cy/>")), "xlsx"),
        "its list of shared strings is not well-formed XML (a tag's name holds a control",
    );
    // Markup quick-xml fails on before `sst`: calamine fails there, before reserving
    // anything, and says so.
    let failed = refused(&announcing(huge("<!foo>")), "xlsx");
    assert_eq!(failed.code, Code::F01, "{failed}");
    assert!(
        !failed.message.contains("announces far more strings"),
        "{failed}"
    );
    // A prefixed `sst` is found by its local name, as calamine finds it.
    let prefixed = patch_part(
        &announcing(sample_xlsx().to_vec()),
        "xl/sharedStrings.xml",
        "<sst ",
        "<x:sst xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" ",
    );
    assert_f01(
        &refused(&prefixed, "xlsx"),
        "announces far more strings than it holds",
    );
}

#[test]
fn a_panic_while_reading_becomes_an_error_value() {
    assert_eq!(guarded(|| 7), Ok(7));
    let caught = guarded(|| -> u8 { panic!("the reader tripped") });
    assert_eq!(caught, Err("the reader tripped".to_owned()));
    let nested = guarded(|| guarded(|| -> u8 { panic!("{}", 42) }));
    assert_eq!(nested, Ok(Err("42".to_owned())));
    assert!(!QUIET.with(Cell::get), "quiet only inside guarded");
    // All three panics were in this file, npg's own code: each is counted as a defect.
    assert_eq!(own_panics_caught(), 2);
}

#[test]
fn dates_that_cannot_be_dates_stay_numbers() {
    use calamine::ExcelDateTimeType::{DateTime, TimeDelta};
    let date = |serial, kind| excel_date(&ExcelDateTime::new(serial, kind, false));
    assert_eq!(date(45_853.0, DateTime), day(2025, 7, 15));
    assert_eq!(date(1.5, TimeDelta), CellValue::Number(1.5));
    assert_eq!(date(-1.0, DateTime), CellValue::Number(-1.0));
    assert_eq!(date(1e300, DateTime), CellValue::Number(1e300));
    assert!(matches!(date(f64::NAN, DateTime), CellValue::Number(n) if n.is_nan()));
    assert_eq!(iso_date("2025-07-15"), day(2025, 7, 15));
    assert_eq!(
        iso_date("2025-07-15T13:45:30"),
        CellValue::Date(
            NaiveDate::from_ymd_opt(2025, 7, 15)
                .unwrap()
                .and_hms_opt(13, 45, 30)
                .unwrap()
        )
    );
    assert_eq!(iso_date("15/07/2025"), text("15/07/2025"));
    assert_eq!(
        from_data(&Data::Error(calamine::CellErrorType::Ref)),
        CellValue::Error("#REF!".into())
    );
    assert_eq!(from_data(&Data::DurationIso("PT1H".into())), text("PT1H"));
    assert_eq!(from_data(&Data::Int(3)), CellValue::Number(3.0));
}

fn scan_ods(xml: &[u8]) -> Result<(), Refusal> {
    scan_ods_content(xml, &Limits::RETURN).map(|_| ())
}

fn scan_xls(stream: &[u8]) -> Result<(), Refusal> {
    scan_biff(stream, &Limits::RETURN)
}

fn ods_content(tables: &[&str]) -> Vec<u8> {
    let tables: String = tables
        .iter()
        .enumerate()
        .map(|(i, rows)| format!("<table:table table:name=\"S{i}\">{rows}</table:table>"))
        .collect();
    format!("<?xml version=\"1.0\"?><office:document-content><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>").into_bytes()
}

const VALUE: &str = "<table:table-cell office:value-type=\"float\" office:value=\"1\"><text:p>1</text:p></table:table-cell>";

fn stray(refusal: Result<(), Refusal>) -> (String, usize, u64, u64) {
    match refusal {
        Err(Refusal::Stray {
            sheet,
            index,
            row,
            col,
        }) => (sheet, index, row, col),
        other => panic!("expected a stray cell, got {other:?}"),
    }
}

fn damaged_saying(refusal: Result<(), Refusal>, says: &str) {
    match refusal {
        Err(Refusal::Unreadable(message)) => assert!(message.contains(says), "{message}"),
        other => panic!("expected damaged ({says}), got {other:?}"),
    }
}

#[test]
fn the_ods_scan_counts_repeats_as_calamine_does() {
    // LibreOffice's usual padding: empty cells and rows repeated to the sheet's edge.
    let padded = format!(
        "<table:table-row>{VALUE}<table:table-cell table:number-columns-repeated=\"16383\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>"
    );
    assert!(scan_ods(&ods_content(&[&padded])).is_ok());
    // A value repeated down and across: refused at the far corner of the block.
    let block = "<table:table-row table:number-rows-repeated=\"4999\"><table:table-cell/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"2\"><table:table-cell table:number-columns-repeated=\"98\"/>\
             <table:table-cell office:value-type=\"float\" office:value=\"1\" table:number-columns-repeated=\"3\"/></table:table-row>";
    assert_eq!(
        stray(scan_ods(&ods_content(&["", block]))),
        ("S1".to_owned(), 1, 5000, 100)
    );
    // The same block one row and one column smaller fits exactly.
    let fits = block
        .replace("=\"2\"", "=\"1\"")
        .replace("=\"3\"", "=\"2\"");
    assert!(scan_ods(&ods_content(&[&fits])).is_ok());
    // A formula alone, or a covered cell with a value, counts; a styled empty cell does not.
    let formula = "<table:table-row><table:table-cell table:number-columns-repeated=\"200\"/><table:covered-table-cell table:formula=\"of:=1\"/></table:table-row>";
    assert_eq!(stray(scan_ods(&ods_content(&[formula]))).3, 200);
    // Tags inside comments and CDATA are not tags; a '>' inside quotes does not end one.
    let hidden = format!(
        "<!-- <table:table-row table:number-rows-repeated=\"9999999\"> --><![CDATA[<table:table-row>]]>\
             <table:table-row><table:table-cell table:formula=\"of:=[.A1]>0\" office:value-type=\"float\" office:value=\"1\"/>{VALUE}</table:table-row>"
    );
    assert!(scan_ods(&ods_content(&[&hidden])).is_ok());
}

#[test]
fn the_ods_scan_refuses_what_would_let_calamine_count_otherwise() {
    let rows = |repeat: &str| {
        format!(
            "<table:table-row table:number-rows-repeated=\"{repeat}\">{VALUE}</table:table-row>"
        )
    };
    damaged_saying(
        scan_ods(&ods_content(&[&rows("&#49;0")])),
        "repeat count that is not a number",
    );
    damaged_saying(scan_ods(&ods_content(&[&rows("1e6")])), "repeat count");
    assert!(scan_ods(&ods_content(&[&rows("0")])).is_ok());
    let table_in_table = "<table:table-row><table:table-cell><table:table table:name=\"inner\"/></table:table-cell></table:table-row>";
    damaged_saying(
        scan_ods(&ods_content(&[table_in_table])),
        "a table inside a table",
    );
    let row_in_row = "<table:table-row><table:table-row></table:table-row></table:table-row>";
    damaged_saying(scan_ods(&ods_content(&[row_in_row])), "a row inside a row");
    let cell_in_cell = "<table:table-row><table:table-cell><table:table-cell/></table:table-cell></table:table-row>";
    damaged_saying(
        scan_ods(&ods_content(&[cell_in_cell])),
        "a cell inside a cell",
    );
    let spaces = |count: &str| {
        format!(
            "<table:table-row><table:table-cell office:value-type=\"string\"><text:p>a<text:s text:c=\"{count}\"/>b</text:p></table:table-cell></table:table-row>"
        )
    };
    assert!(scan_ods(&ods_content(&[&spaces("4")])).is_ok());
    damaged_saying(
        scan_ods(&ods_content(&[&spaces("1000000000")])),
        "a run of \"1000000000\" spaces",
    );
    // Five sheets each spanning A1:CV5000 hold more than the workbook may.
    let corners = format!(
        "<table:table-row>{VALUE}</table:table-row><table:table-row table:number-rows-repeated=\"4998\"><table:table-cell/></table:table-row>\
             <table:table-row><table:table-cell table:number-columns-repeated=\"99\"/>{VALUE}</table:table-row>"
    );
    assert!(scan_ods(&ods_content(&[corners.as_str(); 4])).is_ok());
    assert!(matches!(
        scan_ods(&ods_content(&[corners.as_str(); 5])),
        Err(Refusal::TooManyCells)
    ));
}

#[test]
fn ods_content_that_stops_inside_a_sheet_is_refused_before_calamine_loops_on_it() {
    // calamine's table reader never returns when content.xml ends inside a sheet.
    let ods = fixture_bytes("sample.ods");
    let cut = rezip(&ods, |name, data| {
        Some(if name == "content.xml" {
            let end = find(&data, b"</table:table-row>").unwrap();
            data[..end + "</table:table-row>".len()].to_vec()
        } else {
            data
        })
    });
    let started = Instant::now();
    assert_f01(&refused(&cut, "ods"), "its content stops part-way through");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Ends that close out of order could let calamine skip past the sheet's end.
    let crossed = "<table:table-row><table:table-cell></table:table-row></table:table>\
                       </table:table-cell></table:table-row>";
    damaged_saying(
        scan_ods(&ods_content(&[crossed])),
        "a tag that closes out of order",
    );
    // So could a comment on a cell that is never closed.
    let comment = "<table:table-row><table:table-cell office:value-type=\"string\">\
                       <office:annotation><text:p>note</text:p></table:table-cell></table:table-row>";
    damaged_saying(
        scan_ods(&ods_content(&[comment])),
        "a tag that closes out of order",
    );
}

/// The tag scanner is kept, not replaced by quick-xml 0.42 (which calamine uses): on each
/// input here quick-xml reads otherwise (it stops on the first two, stops at `<?>`, reads the
/// DOCTYPE to its last `]>`, takes a form feed into the tag's name and reads an attribute
/// after a name with no `=`), so the scan would accept or refuse other files than it does.
#[test]
fn the_pre_scan_reads_malformed_content_as_calamine_does() {
    // Each case was fed to calamine 0.38.0 itself in an .ods (what it did is said below); the
    // pre-scan now reads the content with calamine's quick-xml, so it sees the same.
    let far = format!(
        "<table:table-row><table:table-cell table:number-columns-repeated=\"200\"/>{VALUE}\
         </table:table-row>"
    );
    let far_after = |before: &str| ods_content(&[&format!("{before}{far}")]);
    // Bytes that are not UTF-8: calamine fails ("cannot decode input using UTF-8").
    let mut not_utf8 = ods_content(&[&format!(
        "<table:table-row><table:table-cell><text:p>@</text:p></table:table-cell>\
         </table:table-row>{far}"
    )]);
    let at = find(&not_utf8, b"@").unwrap();
    not_utf8[at] = 0xFF;
    damaged_saying(
        scan_ods(&not_utf8),
        "not well-formed XML (cannot decode input using UTF-8",
    );
    // A declaration that is none of XML's: calamine fails ("unknown or missed symbol in
    // markup").
    damaged_saying(
        scan_ods(&far_after("<!foo>")),
        "not well-formed XML (syntax error: unknown or missed symbol in markup)",
    );
    // `<?>`: calamine fails (quick-xml finds the processing instruction never closed).
    damaged_saying(
        scan_ods(&ods_content(&[&format!("<?>{far}?>")])),
        "its content stops part-way through",
    );
    // A processing instruction that closes is passed over, as calamine passes over it.
    assert_eq!(
        stray(scan_ods(&far_after("<?npg look away?>"))),
        ("S0".to_owned(), 0, 0, 200)
    );
    // A DOCTYPE inside a sheet: calamine passes over its internal subset to its `]>` and reads
    // the sheet as empty, hiding the cell past the limits; LibreOffice would not read it as
    // XML at all, so it is refused rather than read as calamine reads it.
    let doctype = format!("<!DOCTYPE a [<!ENTITY x \"y\"> {far}]>");
    damaged_saying(
        scan_ods(&ods_content(&[&doctype])),
        "a document type declared inside an element",
    );
    // Before the document's first element a DOCTYPE is XML, and passed over as before.
    let mut prolog = b"<!DOCTYPE office:document-content>".to_vec();
    prolog.extend(ods_content(&[&far]));
    assert_eq!(stray(scan_ods(&prolog)).3, 200);
    // A form feed joins a tag's name to what follows it: calamine fails inside a row
    // ("Expecting 'table-cell'"), so a name holding a control character is refused.
    let form_feed = format!(
        "<table:table-row><table:table-cell\x0Ctable:number-columns-repeated=\"200\"/>\
         {VALUE}</table:table-row>"
    );
    damaged_saying(
        scan_ods(&ods_content(&[&form_feed])),
        "a tag's name holds a control character",
    );
    // A name with no `=` swallows the attribute after it: calamine reads the cell as one
    // column and the value after it in column B, within the limits.
    let no_eq = format!(
        "<table:table-row><table:table-cell x table:number-columns-repeated=\"200\"/>\
         {VALUE}</table:table-row>"
    );
    assert!(scan_ods(&ods_content(&[&no_eq])).is_ok());
}

fn record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut bytes = typ.to_le_bytes().to_vec();
    bytes.extend_from_slice(&(data.len() as u16).to_le_bytes());
    bytes.extend_from_slice(data);
    bytes
}

/// A BIFF8 workbook stream with one sheet per entry of `sheets`, each its records.
fn biff_stream(globals: &[Vec<u8>], sheets: &[Vec<Vec<u8>>]) -> Vec<u8> {
    let bof = record(BIFF_BOF, &[0x00, 0x06, 0x05, 0x00, 0, 0, 0, 0]);
    let bound_len = 4 + 14; // position, state, type, length, flags, "SheetN"
    let mut head_len = bof.len() + globals.iter().map(Vec::len).sum::<usize>() + 4;
    head_len += sheets.len() * bound_len;
    let mut stream = bof.clone();
    stream.extend(globals.concat());
    let mut position = head_len;
    let mut bodies = Vec::new();
    for (i, records) in sheets.iter().enumerate() {
        let mut data = (position as u32).to_le_bytes().to_vec();
        data.extend_from_slice(&[0, 0, 6, 0]);
        data.extend_from_slice(format!("Sheet{i}").as_bytes());
        stream.extend(record(BIFF_BOUNDSHEET, &data));
        let mut body = bof.clone();
        body.extend(records.concat());
        body.extend(record(BIFF_EOF, &[]));
        position += body.len();
        bodies.push(body);
    }
    stream.extend(record(BIFF_EOF, &[]));
    assert_eq!(stream.len(), head_len);
    stream.extend(bodies.concat());
    stream
}

fn number(row: u16, col: u16) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend_from_slice(&col.to_le_bytes());
    data.extend_from_slice(&[0; 10]);
    record(0x0203, &data)
}

fn dimensions(first_row: u32, last_row: u32, first_col: u16, last_col: u16) -> Vec<u8> {
    let mut data = first_row.to_le_bytes().to_vec();
    data.extend_from_slice(&last_row.to_le_bytes());
    data.extend_from_slice(&first_col.to_le_bytes());
    data.extend_from_slice(&last_col.to_le_bytes());
    data.extend_from_slice(&[0, 0]);
    record(BIFF_DIMENSIONS, &data)
}

#[test]
fn the_xls_scan_finds_every_cell_record_and_the_declared_area() {
    let sheet = vec![dimensions(0, 3, 0, 2), number(0, 0), number(2, 1)];
    assert!(scan_xls(&biff_stream(&[], std::slice::from_ref(&sheet))).is_ok());
    let far = vec![number(0, 0), number(6000, 3)];
    assert_eq!(
        stray(scan_xls(&biff_stream(&[], &[sheet.clone(), far]))),
        ("Sheet1".to_owned(), 1, 6000, 3)
    );
    // MULRK: three cells from column CU run past CV.
    let mut mulrk = 7u16.to_le_bytes().to_vec();
    mulrk.extend_from_slice(&98u16.to_le_bytes());
    mulrk.extend_from_slice(&[0; 18]);
    mulrk.extend_from_slice(&100u16.to_le_bytes());
    assert_eq!(
        stray(scan_xls(&biff_stream(
            &[],
            &[vec![record(BIFF_MULRK, &mulrk)]]
        )))
        .3,
        100
    );
    // A DIMENSIONS record whose last row is before its first would make calamine
    // reserve billions of cells.
    damaged_saying(
        scan_xls(&biff_stream(&[], &[vec![dimensions(10, 5, 0, 1)]])),
        "declares more cells than an .xls sheet can have",
    );
    // The format's full area is allowed by the format, but more than a workbook holds:
    // calamine would reserve 671 MB for it.
    let full = scan_xls(&biff_stream(&[], &[vec![dimensions(0, 65_536, 0, 256)]]));
    assert!(
        matches!(full, Err(Refusal::Unreadable(m)) if m.contains("laid out over more than 2,000,000 cells"))
    );
    assert!(scan_xls(&biff_stream(&[], &[vec![dimensions(0, 5_000, 0, 100)]])).is_ok());
    // A chart embedded in the sheet is its own substream, which calamine skips.
    let chart = vec![
        record(BIFF_BOF, &[0x00, 0x06, 0x20, 0x00]),
        number(60_000, 200),
        record(BIFF_EOF, &[]),
    ];
    assert!(scan_xls(&biff_stream(&[], &[chart])).is_ok());
    // FilePass: the rest is encrypted.
    assert!(matches!(
        scan_xls(&biff_stream(
            &[record(BIFF_FILEPASS, &[1, 0])],
            std::slice::from_ref(&sheet)
        )),
        Err(Refusal::Locked)
    ));
    // Records of the globals cut short (calamine would panic on each).
    for cut in [
        record(0x0017, &[1]),
        record(0x0042, &[]),
        record(0x0018, &[0; 13]),
    ] {
        damaged_saying(scan_xls(&biff_stream(&[cut], &[])), "is cut short");
    }
    let mut lbl = vec![0u8; 16];
    lbl[4] = 9; // a formula of 9 bytes in a record of 16
    damaged_saying(
        scan_xls(&biff_stream(&[record(0x0018, &lbl)], &[])),
        "is cut short",
    );
    // Merged cells counting more ranges than they hold (calamine would panic on it).
    let merged = vec![record(BIFF_MERGECELLS, &[3, 0, 0, 0, 0, 0, 0, 0, 1, 0])];
    damaged_saying(scan_xls(&biff_stream(&[], &[merged])), "is cut short");
    // A sheet said to start past the end of the stream (calamine would panic on it).
    let mut past = biff_stream(&[], std::slice::from_ref(&sheet));
    let at = find(&past, b"Sheet0").unwrap() - 8;
    past[at..at + 4].copy_from_slice(&0x1000_0000u32.to_le_bytes());
    damaged_saying(
        scan_xls(&past),
        "starts past the end of its workbook stream",
    );
    // Five sheets each spanning A1:CV5000.
    let corners = vec![number(0, 0), number(4999, 99)];
    assert!(scan_xls(&biff_stream(&[], &vec![corners.clone(); 4])).is_ok());
    assert!(matches!(
        scan_xls(&biff_stream(&[], &vec![corners; 5])),
        Err(Refusal::TooManyCells)
    ));
}

/// Inputs the fuzzers found that made calamine panic: each is now refused by npg's own
/// scans before calamine reads it (no panic caught, npg's or calamine's).
#[test]
fn what_the_fuzzers_found_is_refused_before_calamine_reads_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/read/fuzzed");
    let mut found = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let extension = path.extension().unwrap().to_str().unwrap().to_owned();
        let refusal = open(&std::fs::read(&path).unwrap(), &extension, &Limits::RETURN);
        match refusal {
            // Refused by npg's scans: neither calamine's error nor a panic it had.
            Err(Refusal::Unreadable(message)) => assert!(
                !message.contains("the reader"),
                "{}: {message}",
                path.display()
            ),
            other => panic!("{}: {other:?}", path.display()),
        }
        found += 1;
    }
    assert!(found >= 2);
    assert_eq!(own_panics_caught(), 0);
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..).prop_map(|(at, mask)| Mutation::Flip(at, mask)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert(at, byte)),
        2 => any::<usize>().prop_map(Mutation::Remove),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(bytes: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    for mutation in mutations {
        if bytes.is_empty() {
            break;
        }
        let len = bytes.len();
        match *mutation {
            Mutation::Flip(at, mask) => bytes[at % len] ^= mask,
            Mutation::Insert(at, byte) => bytes.insert(at % (len + 1), byte),
            Mutation::Remove(at) => {
                bytes.remove(at % len);
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
        }
    }
    bytes
}

/// Mutates one part of a zip and packs it again, so that checksums hold and the reader
/// meets the damage inside the XML.
fn mutate_part(bytes: &[u8], part: prop::sample::Index, mutations: &[Mutation]) -> Vec<u8> {
    let count = ZipArchive::new(Cursor::new(bytes)).unwrap().len();
    let chosen = part.index(count);
    let mut index = 0;
    rezip(bytes, |_, data| {
        index += 1;
        Some(if index - 1 == chosen {
            mutate(&data, mutations)
        } else {
            data
        })
    })
}

/// A mutated file reads to values or to one finding about it, and never through a panic
/// in npg's own code (the guard would turn one into F01 too, so it is counted).
fn values_or_a_finding(bytes: &[u8], extension: &str) {
    let before = own_panics_caught();
    if let Err(finding) = read_workbook_bytes(bytes, extension, "mutated") {
        assert!(matches!(finding.code, Code::F01 | Code::F02), "{finding}");
        assert_eq!(finding.location.file, "mutated");
    }
    assert_eq!(
        own_panics_caught(),
        before,
        "npg's own code panicked on a mutated file (see the log): a defect to fix"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_xlsx_bytes_give_values_or_a_finding(mutations in prop::collection::vec(mutation(), 1..6)) {
        values_or_a_finding(&mutate(sample_xlsx(), &mutations), "xlsx");
    }

    #[test]
    fn mutated_xlsx_parts_give_values_or_a_finding(
        part in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        values_or_a_finding(&mutate_part(sample_xlsx(), part, &mutations), "xlsx");
    }

    #[test]
    fn mutated_xls_bytes_give_values_or_a_finding(mutations in prop::collection::vec(mutation(), 1..6)) {
        static XLS: OnceLock<Vec<u8>> = OnceLock::new();
        let xls = XLS.get_or_init(|| fixture_bytes("sample.xls"));
        values_or_a_finding(&mutate(xls, &mutations), "xls");
    }

    #[test]
    fn mutated_ods_parts_give_values_or_a_finding(
        part in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        static ODS: OnceLock<Vec<u8>> = OnceLock::new();
        let ods = ODS.get_or_init(|| fixture_bytes("sample.ods"));
        values_or_a_finding(&mutate_part(ods, part, &mutations), "ods");
    }
}

/// Writes the sources of the committed fixtures; see fixtures/read/README.md for the
/// LibreOffice and msoffcrypto-tool steps that make the rest from them.
#[test]
#[ignore = "writes fixtures/read/sample.xlsx and far-cell.xlsx; run by hand to remake them"]
fn write_fixture_sources() {
    sample_workbook().save(fixture("sample.xlsx")).unwrap();
    let mut far = Workbook::new();
    let sheet = far.add_worksheet().set_name("Profile").unwrap();
    sheet.write_string(0, 0, "Month").unwrap();
    // IV65536: the last cell an .xls sheet can have.
    sheet.write_number(65_535, 255, 1.0).unwrap();
    far.save(fixture("far-cell.xlsx")).unwrap();
}
