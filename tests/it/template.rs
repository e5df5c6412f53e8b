//! `npg template`: blank returns checked against the layouts, byte-stable, and readable by LibreOffice.

use std::path::{Path, PathBuf};

use npg::cycle::Cycle;
use npg::layout::{Prefill, ReturnKind, ReturnLayout, RowSource};

use crate::common::{
    by_sheet, column_letter, dump_cells, fixture_cycle, npg, sheet, soffice_convert,
    soffice_or_skip, zip_part,
};

/// The About value each pre-filled field must hold, worked out from the cycle and layout.
fn expected_prefill(
    prefill: Prefill,
    layout: &ReturnLayout,
    cycle: &Cycle,
    force: &str,
    extra: &str,
) -> String {
    match prefill {
        Prefill::ReturnType => layout.return_type.clone(),
        Prefill::TemplateVersion => layout.template_version.to_string(),
        Prefill::ForceId => force.to_owned(),
        Prefill::ForceName => cycle.forces.find(force).unwrap().name.clone(),
        Prefill::FinancialYear => cycle.config.year.to_string(),
        Prefill::Quarter | Prefill::MonthsTo => extra.to_owned(),
    }
}

/// `(kind word, extra flag, extra value)` for the three templates.
fn cases() -> [(ReturnKind, &'static [&'static str], &'static str); 3] {
    [
        (ReturnKind::Plan, &[], ""),
        (ReturnKind::Monitoring, &["--month", "2025-09"], "2025-09"),
        (ReturnKind::Finance, &["--quarter", "Q2"], "Q2"),
    ]
}

fn write(kind: ReturnKind, extra: &[&str], force: &str, out: &Path) {
    npg()
        .arg("template")
        .arg(kind.command_word())
        .arg("--cycle")
        .arg(fixture_cycle())
        .args(["--force", force])
        .args(extra)
        .arg("-o")
        .arg(out)
        .assert()
        .success();
}

#[test]
fn each_template_reads_back_as_its_layout_says() {
    let cycle = Cycle::open(&fixture_cycle()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (kind, extra, value) in cases() {
        let layout = kind.layout();
        let out = dir.path().join(format!("{}.xlsx", kind.command_word()));
        write(kind, extra, "north-wales", &out);
        let dump = dump_cells(&out);
        let names: Vec<&str> = dump.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                layout.about_sheet.as_str(),
                layout.data_sheet.as_str(),
                "Notes"
            ]
        );

        let about = sheet(&dump, &layout.about_sheet);
        assert_eq!(about[0], layout.about_header.to_vec());
        assert_eq!(about.len(), layout.about.len() + 1);
        for (row, field) in about[1..].iter().zip(&layout.about) {
            assert_eq!(row[0], field.label);
            let found = row.get(1).cloned().unwrap_or_default();
            let wanted = field
                .prefill
                .map(|p| expected_prefill(p, layout, &cycle, "north-wales", value))
                .unwrap_or_default();
            assert_eq!(found, wanted, "{kind:?} About {}", field.label);
        }

        let data = sheet(&dump, &layout.data_sheet);
        let headers: Vec<&str> = layout.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(data[0], headers);
        let fixed: Vec<Vec<String>> = data[1..]
            .iter()
            .map(|row| {
                layout
                    .columns
                    .iter()
                    .zip(row)
                    .filter(|(c, _)| c.fixed)
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .collect();
        let expected: Vec<Vec<String>> = match layout.rows {
            RowSource::Months => cycle
                .config
                .year
                .months()
                .map(|m| vec![m.to_string()])
                .collect(),
            // The id, the label and whether it counts towards the grant, then the total
            // row's marker and label (its counts cell is blank, so the row ends there).
            RowSource::Categories => cycle
                .config
                .categories
                .iter()
                .map(|c| {
                    let counts = if c.eligible { "Yes" } else { "No" };
                    vec![c.id.to_string(), c.label.clone(), counts.to_owned()]
                })
                .chain([vec!["total".to_owned(), "Total".to_owned()]])
                .collect(),
        };
        assert_eq!(fixed, expected, "{kind:?} row labels");

        let notes = sheet(&dump, "Notes");
        let lines: Vec<String> = notes
            .iter()
            .map(|r| r.first().cloned().unwrap_or_default())
            .collect();
        assert_eq!(
            lines,
            npg::write::template::notes_lines(layout, &cycle.config.categories)
        );
    }
}

/// The sheet XML of a template's data sheet and About sheet.
fn sheet_xml(path: &Path, index: usize) -> String {
    zip_part(path, &format!("xl/worksheets/sheet{index}.xml"))
}

#[test]
fn every_input_cell_is_unlocked_and_validated_and_every_sheet_protected() {
    let cycle = Cycle::open(&fixture_cycle()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (kind, _, _) in cases() {
        let layout = kind.layout();
        // No pre-filled quarter or month: those become inputs with a list rule.
        let out = dir.path().join(format!("{}.xlsx", kind.command_word()));
        write(kind, &[], "kent", &out);

        let about_xml = sheet_xml(&out, 1);
        let data_xml = sheet_xml(&out, 2);
        let notes_xml = sheet_xml(&out, 3);
        for xml in [&about_xml, &data_xml, &notes_xml] {
            assert!(
                xml.contains("<sheetProtection"),
                "{kind:?}: a sheet is not protected"
            );
            assert!(
                !xml.contains("password"),
                "{kind:?}: protection must not have a password"
            );
        }
        for (index, field) in layout.about.iter().enumerate() {
            let row = index + 2;
            let is_input = match field.prefill {
                None => true,
                Some(Prefill::Quarter | Prefill::MonthsTo) => true,
                Some(_) => false,
            };
            let validated = about_xml.contains(&format!("sqref=\"B{row}\""));
            assert_eq!(
                validated, is_input,
                "{kind:?} About {} validation",
                field.label
            );
        }
        let rows = match layout.rows {
            RowSource::Months => 12,
            RowSource::Categories => cycle.config.categories.len(),
        };
        for (index, column) in layout.columns.iter().enumerate() {
            let letter = column_letter(index);
            let sqref = format!("sqref=\"{letter}2:{letter}{}\"", rows + 1);
            assert_eq!(
                data_xml.contains(&sqref),
                !column.fixed,
                "{kind:?} column {} validation",
                column.header
            );
            if column.kind == npg::layout::ValueKind::Money {
                let rule = format!("ROUND({letter}2,2)={letter}2");
                assert!(
                    data_xml.contains(&rule),
                    "{kind:?}: money column {} lacks {rule}",
                    column.header
                );
            }
        }
        let styles = zip_part(&out, "xl/styles.xml");
        assert!(
            styles.contains("locked=\"0\""),
            "{kind:?}: no unlocked input style"
        );
        assert!(
            styles.contains("£#,##0.00") || kind == ReturnKind::Monitoring,
            "{kind:?}: no GBP format"
        );
        assert!(
            styles.contains("#,##0.00") || kind == ReturnKind::Finance,
            "{kind:?}: no FTE format"
        );
        let core = zip_part(&out, "docProps/core.xml");
        assert!(
            core.contains(">2025-04-01T00:00:00Z<"),
            "{kind:?}: creation date not fixed: {core}"
        );
        assert!(
            data_xml.contains("<pane"),
            "{kind:?}: header row not frozen"
        );
        assert!(data_xml.contains("<cols>"), "{kind:?}: no column widths");
    }
}

#[test]
fn the_same_template_twice_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, extra, _) in cases() {
        let first = dir.path().join("first.xlsx");
        let second = dir.path().join("second.xlsx");
        write(kind, extra, "city-of-london", &first);
        write(kind, extra, "city-of-london", &second);
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap(),
            "{kind:?}"
        );
        std::fs::remove_file(first).unwrap();
        std::fs::remove_file(second).unwrap();
    }
}

fn template_command(kind: &str, out: &Path) -> assert_cmd::Command {
    let mut command = npg();
    command
        .arg("template")
        .arg(kind)
        .arg("--cycle")
        .arg(fixture_cycle())
        .arg("-o")
        .arg(out);
    command
}

#[test]
fn an_unknown_force_or_quarter_is_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.xlsx");
    let assert = template_command("plan", &out)
        .args(["--force", "british-transport-police"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("\"british-transport-police\" is not in"),
        "{stderr}"
    );
    assert!(!out.exists());

    let assert = template_command("finance", &out)
        .args(["--force", "kent", "--quarter", "Q5"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains(
            "invalid value 'Q5' for '--quarter <Qn>': not a quarter: use Q1, Q2, Q3 or Q4"
        ),
        "{stderr}"
    );
    assert!(!out.exists());

    let assert = template_command("monitoring", &out)
        .args(["--force", "kent", "--month", "2026-04"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("outside the financial year 2025-26"),
        "{stderr}"
    );
    assert!(!out.exists());

    template_command("plan", &out)
        .args(["--force", "kent", "--quarter", "Q1"])
        .assert()
        .code(2);
    template_command("finance", &out)
        .args(["--force", "kent", "--month", "2025-06"])
        .assert()
        .code(2);
    let missing = dir.path().join("no-such-cycle");
    npg()
        .args(["template", "plan", "--force", "kent", "-o"])
        .arg(&out)
        .arg("--cycle")
        .arg(&missing)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("does not exist"));
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing may be left behind"
    );
}

#[test]
fn an_existing_file_is_replaced_only_with_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kent-plan.xlsx");
    std::fs::write(&out, b"keep me").unwrap();
    template_command("plan", &out)
        .args(["--force", "kent"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "already exists; give --overwrite",
        ));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    // --overwrite replaces only a blank template npg wrote, never someone's file.
    template_command("plan", &out)
        .args(["--force", "kent", "--overwrite"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "is a file npg did not write, so it is not replaced",
        ));
    assert_eq!(std::fs::read(&out).unwrap(), b"keep me");
    std::fs::remove_file(&out).unwrap();
    template_command("plan", &out)
        .args(["--force", "kent"])
        .assert()
        .success();
    template_command("plan", &out)
        .args(["--force", "essex", "--overwrite"])
        .assert()
        .success();
    let about = crate::common::dump_cells(&out);
    assert!(format!("{about:?}").contains("essex"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

/// LibreOffice must open each template and save it again with every cell intact.
#[test]
fn libreoffice_round_trips_every_template() {
    let Some(soffice) = soffice_or_skip("libreoffice_round_trips_every_template") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (kind, extra, _) in cases() {
        let original = dir.path().join(format!("{}.xlsx", kind.command_word()));
        write(kind, extra, "bedfordshire", &original);
        let ods_dir = dir.path().join(format!("{}-ods", kind.command_word()));
        let back_dir = dir.path().join(format!("{}-back", kind.command_word()));
        std::fs::create_dir_all(&ods_dir).unwrap();
        std::fs::create_dir_all(&back_dir).unwrap();
        let ods = soffice_convert(&soffice, &original, "ods", &ods_dir);
        let back: PathBuf = soffice_convert(&soffice, &ods, "xlsx", &back_dir);
        let want = by_sheet(&dump_cells(&original));
        assert_eq!(by_sheet(&dump_cells(&ods)), want, "{kind:?} as .ods");
        assert_eq!(by_sheet(&dump_cells(&back)), want, "{kind:?} back to .xlsx");
    }
}

#[test]
fn a_force_gets_its_template_without_the_cycle_folder_on_the_built_in_scheme() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, extra, _) in cases() {
        let word = kind.command_word();
        let with = dir.path().join(format!("{word}-cycle.xlsx"));
        let without = dir.path().join(format!("{word}-built-in.xlsx"));
        write(kind, extra, "kent", &with);
        npg()
            .args(["template", word, "--force", "kent"])
            .args(extra)
            .arg("-o")
            .arg(&without)
            .assert()
            .success();
        // The fixture cycle is the built-in scheme, so the two are the same template.
        assert_eq!(
            std::fs::read(&with).unwrap(),
            std::fs::read(&without).unwrap(),
            "{word}"
        );
    }
}

#[test]
fn a_mistyped_force_id_suggests_the_nearest() {
    let dir = tempfile::tempdir().unwrap();
    npg()
        .args(["template", "finance", "--force", "kentt", "-o"])
        .arg(dir.path().join("t.xlsx"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "force \"kentt\" is not in the built-in force list of the 2025-26 scheme: did you mean kent (Kent Police)?",
        ));
    npg()
        .args(["template", "plan", "--force", "nroth-wales", "--cycle"])
        .arg(fixture_cycle())
        .arg("-o")
        .arg(dir.path().join("t.xlsx"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "did you mean north-wales (North Wales Police)?",
        ));
    assert!(!dir.path().join("t.xlsx").exists());
}

// ---- The financial return's template version 2 (issue 14, items 2 and 3) ----

use npg::domain::returns::Return;
use npg::findings::Finding;
use npg::read::grid::{CellValue, WorkbookData};
use npg::read::open::read_workbook;
use npg::read::returns::{ReadContext, ReturnRead, read_return};
use predicates::prelude::PredicateBooleanExt;

/// The version 1 returns kept from before version 2 (`fixtures/read/v1/`).
fn v1_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/read/v1")
}

/// Reads a return on its own against the fixture cycle's forces and categories.
fn read_on_its_own(cycle: &Cycle, shown: &str, data: &WorkbookData) -> ReturnRead {
    let ctx = ReadContext {
        cycle_year: Some(cycle.config.year),
        forces: &cycle.forces,
        categories: &cycle.config.categories,
        allocations: None,
        baselines: None,
    };
    read_return(shown, data, &ctx)
}

fn read_file(cycle: &Cycle, path: &Path) -> ReturnRead {
    let shown = path.file_name().unwrap().to_string_lossy().into_owned();
    let data = read_workbook(path, &shown).unwrap();
    read_on_its_own(cycle, &shown, &data)
}

/// Each finding as `severity code cell: message`, for comparing two reads.
fn findings_text(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {}!{}: {}",
                f.severity,
                f.code,
                f.location.sheet.as_deref().unwrap_or(""),
                f.location.a1().unwrap_or_default(),
                f.message
            )
        })
        .collect()
}

fn financial(read: &ReturnRead) -> &npg::domain::returns::FinancialReturn {
    match read.value.as_ref() {
        Some(Return::Financial(f)) => f,
        other => panic!("not a financial return: {other:?}"),
    }
}

#[test]
fn the_financial_template_is_version_2_says_what_counts_and_totals_by_formula() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("finance.xlsx");
    write(ReturnKind::Finance, &["--quarter", "Q2"], "suffolk", &out);
    let dump = dump_cells(&out);
    let data = sheet(&dump, "Expenditure");
    assert_eq!(data[0][5], "Counts towards the grant");
    let counts: Vec<(&str, &str)> = data[1..7]
        .iter()
        .map(|r| (r[0].as_str(), r[5].as_str()))
        .collect();
    assert_eq!(
        counts,
        [
            ("officer-pay", "Yes"),
            ("pcso-pay", "Yes"),
            ("specials", "Yes"),
            ("training", "Yes"),
            ("equipment", "Yes"),
            ("other", "No"),
        ]
    );
    // The blank template's total is 0, cached so that a reader that does not calculate sees it.
    assert_eq!(data[7], ["total", "Total", "0", "0"]);
    assert_eq!(data.len(), 8, "nothing below the total row");
    let xml = sheet_xml(&out, 2);
    assert!(xml.contains("<f>SUM(C2:C7)</f><v>0</v>"), "{xml}");
    assert!(xml.contains("<f>SUM(D2:D7)</f><v>0</v>"), "{xml}");
    // The total row and the Counts column are locked: no validation, so no input range,
    // reaches row 8 or column F.
    assert!(
        !xml.contains(":C8\"") && !xml.contains("sqref=\"F"),
        "{xml}"
    );
    let about = sheet(&dump, "About");
    assert_eq!(about[2], ["Template version", "2"]);

    let notes = sheet(&dump, "Notes");
    let lines: Vec<&str> = notes
        .iter()
        .map(|r| r.first().map_or("", String::as_str))
        .collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("Counts towards the grant (the locked column"))
        .unwrap();
    assert_eq!(
        lines[at + 1..at + 7],
        [
            "    officer-pay (Additional neighbourhood police officers: pay and on-costs): Yes",
            "    pcso-pay (PCSOs: pay and on-costs): Yes",
            "    specials (Special constables: allowances, expenses and kit): Yes",
            "    training (Neighbourhood Policing Programme training and backfill): Yes",
            "    equipment (Equipment, vehicles and technology for neighbourhood teams): Yes",
            "    other (Other spending, described in Notes): No",
        ],
        "{lines:#?}"
    );
}

#[test]
fn a_version_2_return_reads_its_figures_from_the_category_rows_and_the_cached_total_agrees() {
    let cycle = Cycle::open(&fixture_cycle()).unwrap();
    let path = fixture_cycle().join("returns/finance/suffolk-2025-26-Q2-v1.xlsx");
    let read = read_file(&cycle, &path);
    let value = financial(&read);
    assert_eq!(value.lines.len(), 6);
    let actual: npg::domain::Money = value.lines.iter().map(|l| l.actual).sum();
    let forecast: npg::domain::Money = value.lines.iter().map(|l| l.forecast).sum();
    assert_eq!(actual.to_string(), "449305.98");
    assert_eq!(forecast.to_string(), "1394678.47");
    // calamine, as any reader that does not calculate, sees the cached totals.
    let dump = dump_cells(&path);
    assert_eq!(
        sheet(&dump, "Expenditure")[7],
        ["total", "Total", "449305.98", "1394678.47"]
    );
    // Only suffolk's intended X06 (X10 needs the allocations): the total row is no X12.
    let codes: Vec<String> = read.findings.iter().map(|f| f.code.to_string()).collect();
    assert_eq!(codes, ["X06"]);
}

/// Replaces the cached value of each formula cell of `part` with `stale`, as a program
/// that saves without recalculating could leave it.
fn with_stale_cached_totals(from: &Path, to: &Path, part: &str, stale: &str) {
    use std::io::{Read, Write};
    let mut archive = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut writer = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    let mut replaced = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        if name == part {
            let mut xml = String::from_utf8(bytes).unwrap();
            while let Some(at) = xml.find("</f><v>") {
                let start = at + "</f><v>".len();
                let end = start + xml[start..].find("</v>").unwrap();
                xml = format!("{}</f><w>{stale}{}", &xml[..at], &xml[end..]);
                replaced += 1;
            }
            bytes = xml.replace("</f><w>", "</f><v>").into_bytes();
        }
        writer.start_file(name, options).unwrap();
        writer.write_all(&bytes).unwrap();
    }
    writer.finish().unwrap();
    assert_eq!(replaced, 2, "the two total cells");
}

#[test]
fn a_stale_cached_total_left_by_another_program_is_never_read() {
    let cycle = Cycle::open(&fixture_cycle()).unwrap();
    let original = fixture_cycle().join("returns/finance/suffolk-2025-26-Q2-v1.xlsx");
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("suffolk-2025-26-Q2-v1.xlsx");
    with_stale_cached_totals(&original, &stale, "xl/worksheets/sheet2.xml", "1.23");
    // The file now says the total is £1.23 to anyone who trusts the cache.
    assert_eq!(
        sheet(&dump_cells(&stale), "Expenditure")[7],
        ["total", "Total", "1.23", "1.23"]
    );
    // npg reads exactly what it read before: the same figures and the same findings.
    let before = read_file(&cycle, &original);
    let after = read_file(&cycle, &stale);
    assert_eq!(after.value, before.value);
    assert_eq!(
        findings_text(&after.findings),
        findings_text(&before.findings)
    );
    assert_eq!(financial(&after).lines.len(), 6);
}

fn set(data: &mut WorkbookData, row: u32, col: u32, value: CellValue) {
    crate::common::set_cell(data, "Expenditure", row, col, value);
}

#[test]
fn any_other_row_without_a_category_id_is_x12_and_an_added_total_that_does_not_add_up_x16() {
    let cycle = Cycle::open(&fixture_cycle()).unwrap();
    let path = fixture_cycle().join("returns/finance/suffolk-2025-26-Q2-v1.xlsx");
    let shown = "suffolk-2025-26-Q2-v1.xlsx";
    let original = read_workbook(&path, shown).unwrap();

    // A total of the force's own below the template's: one penny out on actual, right on
    // the forecast. X12 (no category id) and X16 on the actual only.
    let mut data = original.clone();
    set(&mut data, 8, 1, CellValue::Text("Total spend".into()));
    set(&mut data, 8, 2, CellValue::Number(449_305.99));
    set(&mut data, 8, 3, CellValue::Number(1_394_678.47));
    let read = read_on_its_own(&cycle, shown, &data);
    let found = findings_text(&read.findings);
    assert_eq!(
        found,
        [
            "warning X06 Expenditure!E7: Other spending, described in Notes — Notes: blank, but this category (other) is not eligible for the grant and has an amount; say here what the spending was",
            "error X12 Expenditure!A9: Category id: blank is not a category of the cycle; use one of officer-pay, pcso-pay, specials, training, equipment, other",
            "warning X16 Expenditure!C9: Actual this quarter (£): this total row gives £449,305.99 but the category rows add up to £449,305.98; check the rows against your ledger, then delete this row (the template's Total row adds up by itself)",
        ],
        "{found:#?}"
    );

    // One that adds up is still X12, and nothing more.
    set(&mut data, 8, 2, CellValue::Number(449_305.98));
    let read = read_on_its_own(&cycle, shown, &data);
    let codes: Vec<String> = read.findings.iter().map(|f| f.code.to_string()).collect();
    assert_eq!(codes, ["X06", "X12"]);

    // A second row marked `total`: only the template's own (the first) is skipped.
    let mut data = original.clone();
    set(&mut data, 8, 0, CellValue::Text("total".into()));
    set(&mut data, 8, 2, CellValue::Number(5.0));
    let read = read_on_its_own(&cycle, shown, &data);
    let found = findings_text(&read.findings);
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("error X12 Expenditure!A9: Category id: \"total\""))
            && found
                .iter()
                .any(|f| f.starts_with("warning X16 Expenditure!C9:")),
        "{found:#?}"
    );

    // A row with no category id that is no total is X12 as ever.
    let mut data = original.clone();
    set(&mut data, 8, 4, CellValue::Text("see ledger".into()));
    let read = read_on_its_own(&cycle, shown, &data);
    let codes: Vec<String> = read.findings.iter().map(|f| f.code.to_string()).collect();
    assert_eq!(codes, ["X06", "X12"]);
}

/// The fixture cycle copied into `dir`, with the version 1 set in place of the same returns
/// as the fixture year writes them (version 2). Gives the version 1 files' names.
fn cycle_with_version_1_returns(dir: &Path) -> Vec<String> {
    crate::common::copy_dir(&fixture_cycle(), dir);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(v1_dir()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".xlsx") {
            let into = dir.join("returns/finance").join(&name);
            assert!(into.exists(), "{name} is a return of the fixture year");
            std::fs::copy(entry.path(), into).unwrap();
            names.push(name);
        }
    }
    names.sort();
    names
}

/// Today's findings of the version 1 set, by `npg validate --cycle` over the fixture year
/// holding them: code, file, cell and the part of the message that says what was found
/// (the rest of the wording may improve).
#[test]
fn version_1_returns_give_exactly_todays_findings_and_figures() {
    let dir = tempfile::tempdir().unwrap();
    let names = cycle_with_version_1_returns(dir.path());
    assert_eq!(names.len(), 6);
    let output = npg()
        .current_dir(dir.path())
        .args(["validate", "--cycle", ".", "--format", "json"])
        .args(names.iter().map(|n| format!("returns/finance/{n}")))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&output).unwrap();
    let found: Vec<(String, String, String, String)> = findings
        .iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["cell"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let v1 = |name: &str| format!("returns/finance/{name}");
    let expected = [
        ("warning", "X15", v1("kent-2025-26-Q1-v2.xlsx"), ""),
        ("warning", "X10", v1("suffolk-2025-26-Q2-v1.xlsx"), ""),
        ("warning", "X06", v1("suffolk-2025-26-Q2-v1.xlsx"), "E7"),
        ("warning", "X10", v1("surrey-2025-26-Q3-v1.xlsx"), ""),
        ("error", "C02", v1("wiltshire-2025-26-Q3-v1.xlsx"), "C6"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(s, c, f, a)| (s.to_string(), c.to_string(), f.clone(), a.to_string()))
        .collect();
    assert_eq!(found, expected);
    let message = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .and_then(|f| f["message"].as_str())
            .unwrap()
            .to_owned()
    };
    assert!(message("C02").contains("\"12,500.00\" is text"));
    assert!(message("X06").contains("(other) is not eligible"));
    assert!(message("X10").contains("£779,545.44"));

    // Each version 1 return reads to the very figures, and the very findings, of the same
    // return written as version 2 in the fixture year: the payments cannot differ.
    let cycle = Cycle::open(&fixture_cycle()).unwrap();
    for name in &names {
        let old = read_file(&cycle, &v1_dir().join(name));
        let new = read_file(&cycle, &fixture_cycle().join("returns/finance").join(name));
        assert!(old.value.is_some(), "{name}: {:?}", old.findings);
        assert_eq!(old.value, new.value, "{name}");
        assert_eq!(old.key, new.key, "{name}");
        assert_eq!(
            findings_text(&old.findings),
            findings_text(&new.findings),
            "{name}"
        );
        let about = sheet(&dump_cells(&v1_dir().join(name)), "About").to_vec();
        assert_eq!(about[2], ["Template version", "1"], "{name}");
    }
    let suffolk = read_file(&cycle, &v1_dir().join("suffolk-2025-26-Q2-v1.xlsx"));
    let other = financial(&suffolk)
        .lines
        .iter()
        .find(|l| l.category.as_str() == "other")
        .unwrap();
    assert_eq!(other.actual.to_string(), "12000.00");
}

/// A pay run over the fixture year with six of its financial returns as version 1 pays,
/// to the penny, what it pays with them as version 2.
#[test]
fn a_pay_run_with_version_1_returns_pays_exactly_the_same() {
    let v1 = tempfile::tempdir().unwrap();
    cycle_with_version_1_returns(v1.path());
    let runs = tempfile::tempdir().unwrap();
    for (name, cycle) in [("v1", v1.path()), ("v2", fixture_cycle().as_path())] {
        npg()
            .args(["pay", "--quarter", "Q1-Q4", "--cycle"])
            .arg(cycle)
            .arg("--out")
            .arg(runs.path().join(name))
            .assert()
            .success();
    }
    for q in ["Q1", "Q2", "Q3", "Q4"] {
        let payments = |name: &str| {
            std::fs::read_to_string(
                runs.path()
                    .join(name)
                    .join(format!("2025-26-{q}"))
                    .join("payments.csv"),
            )
            .unwrap()
        };
        assert_eq!(payments("v1"), payments("v2"), "{q}");
    }
}

// ---- The Notes sheet (issue 14, item 4) ----

/// The value of attribute `name` in an XML start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = start + tag[start..].find('"')?;
    Some(&tag[start..end])
}

/// Each `<row ...>` start tag of a sheet's XML.
fn row_tags(xml: &str) -> Vec<&str> {
    xml.match_indices("<row ")
        .map(|(at, _)| &xml[at..at + xml[at..].find('>').unwrap()])
        .collect()
}

#[test]
fn the_notes_say_yellow_give_each_wrapped_row_its_height_and_word_each_field_as_its_prompt() {
    let cycle = Cycle::open(&fixture_cycle()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (kind, _, _) in cases() {
        let layout = kind.layout();
        // No quarter or month given: every About field with help is an input with a prompt.
        let out = dir.path().join(format!("{}.xlsx", kind.command_word()));
        write(kind, &[], "kent", &out);
        let dump = dump_cells(&out);
        let lines: Vec<String> = sheet(&dump, "Notes")
            .iter()
            .map(|r| r.first().cloned().unwrap_or_default())
            .collect();
        let all = lines.join("\n");
        assert!(all.contains("Fill in the yellow cells"), "{kind:?}");
        assert!(!all.to_lowercase().contains("grey"), "{kind:?}");
        assert!(!all.contains('{'), "{kind:?}: a placeholder is left: {all}");

        // Every prompt of the About sheet is a line of the Notes, word for word, after
        // its field's label: the two cannot disagree.
        let about_xml = sheet_xml(&out, 1);
        let prompts: Vec<&str> = about_xml
            .match_indices("<dataValidation ")
            .filter_map(|(at, _)| attribute(&about_xml[at..], "prompt"))
            .collect();
        let helped: Vec<_> = layout.about.iter().filter(|f| f.help.is_some()).collect();
        assert_eq!(
            prompts.len(),
            helped.len(),
            "{kind:?}: one prompt a field with help"
        );
        for field in helped {
            let help = field.help.as_deref().unwrap();
            assert!(
                prompts.contains(&help),
                "{kind:?}: {} has no prompt",
                field.label
            );
            let line = format!("{}: {help}", field.label);
            assert!(lines.contains(&line), "{kind:?}: Notes lack {line:?}");
        }

        // A row whose text wraps is given a height for all its lines, so that LibreOffice,
        // which does not grow a row to fit on opening, prints no line over the next.
        let notes_xml = sheet_xml(&out, 3);
        let rows = row_tags(&notes_xml);
        assert_eq!(rows.len(), lines.len(), "{kind:?}: a row a line");
        for (tag, line) in rows.iter().zip(&lines) {
            let chars = line.chars().count();
            if chars > 90 {
                assert_eq!(attribute(tag, "customHeight"), Some("1"), "{kind:?} {tag}");
                let height: f64 = attribute(tag, "ht").unwrap().parse().unwrap();
                assert!(
                    height >= 15.0 * chars.div_ceil(90) as f64,
                    "{kind:?}: {height} points for {line:?}"
                );
            }
        }
    }
    // The financial return's Submitted on says the same in the prompt and the Notes (it
    // once said "signed off and sent" in one and "the date it is submitted" in the other).
    let finance =
        npg::write::template::notes_lines(ReturnKind::Finance.layout(), &cycle.config.categories);
    assert!(finance.contains(
        &"Submitted on: The date the chief finance officer signed the return off and it was sent (YYYY-MM-DD).".to_owned()
    ));
    assert!(
        !finance
            .iter()
            .any(|l| l.contains("the date it is submitted"))
    );
}

/// The words LibreOffice prints on a PDF page, each with its box (x0, y0, x1, y1).
fn words_on_page(pdf: &Path, page: u32) -> Vec<(String, [f64; 4])> {
    let output = std::process::Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8(output.stdout).unwrap();
    html.match_indices("<word ")
        .map(|(at, _)| {
            let tag = &html[at..at + html[at..].find('>').unwrap()];
            let text_start = at + tag.len() + 1;
            let text_end = text_start + html[text_start..].find("</word>").unwrap();
            let number = |name: &str| attribute(tag, name).unwrap().parse::<f64>().unwrap();
            (
                html[text_start..text_end].to_owned(),
                [
                    number("xMin"),
                    number("yMin"),
                    number("xMax"),
                    number("yMax"),
                ],
            )
        })
        .collect()
}

/// Printed by LibreOffice, no line of the Notes is printed over another: no two words' boxes
/// overlap, and every line of the Notes is on the page (looked at too: issue 14, item 4).
#[test]
fn libreoffice_prints_the_notes_without_a_row_over_another() {
    let Some(soffice) = soffice_or_skip("libreoffice_prints_the_notes_without_a_row_over_another")
    else {
        return;
    };
    if std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: pdftotext (poppler-utils) is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (kind, extra, _) in cases() {
        let out = dir.path().join(format!("{}.xlsx", kind.command_word()));
        write(kind, extra, "suffolk", &out);
        let pdf = soffice_convert(&soffice, &out, "pdf", dir.path());
        // About, the data sheet and Notes print a page each: Notes is page 3.
        let words = words_on_page(&pdf, 3);
        assert!(
            words.iter().any(|(w, _)| w == "yellow"),
            "{kind:?}: the Notes are not page 3"
        );
        let last_word = words.iter().rev().find(|(w, _)| w.contains("file"));
        assert!(
            last_word.is_some(),
            "{kind:?}: the last line is not printed"
        );
        for (i, (a, x)) in words.iter().enumerate() {
            for (b, y) in &words[i + 1..] {
                // A word's box is taller than the line spacing of a wrapped paragraph, so
                // the boxes of neighbouring lines touch: a line printed over another shows as
                // two words across each other less than half a line apart.
                let overlap_x = x[0] < y[2] - 1.0 && y[0] < x[2] - 1.0;
                let half_line = (x[3] - x[1]) / 2.0;
                let overlap_y = (x[1] - y[1]).abs() < half_line;
                assert!(
                    !(overlap_x && overlap_y),
                    "{kind:?}: {a:?} {x:?} is printed over {b:?} {y:?}"
                );
            }
        }
    }
}

// ---- `npg template monitoring --from` and X17 (issue 14, item 7) ----

fn monitoring_fixture(name: &str) -> PathBuf {
    fixture_cycle().join("returns/monitoring").join(name)
}

#[test]
fn from_last_months_return_the_months_it_holds_are_pre_filled_and_left_unlocked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kent-2025-07.xlsx");
    let from = monitoring_fixture("kent-2025-06.xlsx");
    npg()
        .args(["template", "monitoring", "--force", "kent", "--from"])
        .arg(&from)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let new = dump_cells(&out);
    let old = dump_cells(&from);
    let (new_rows, old_rows) = (sheet(&new, "Monitoring"), sheet(&old, "Monitoring"));
    // The header and April to June exactly as last month's return holds them; July on blank.
    assert_eq!(new_rows[..4], old_rows[..4]);
    assert_eq!(new_rows[1][0], "2025-04");
    assert_eq!(new_rows[4], ["2025-07"]);
    assert_eq!(new_rows.len(), 13);
    // Months to is the month after the last return's; the rest of About is to fill in.
    let about = sheet(&new, "About");
    assert_eq!(about[6], ["Months to", "2025-07"]);
    assert_eq!(about[7], ["Prepared by"]);
    // A pre-filled cell has the very style of a blank input cell: unlocked and yellow.
    let xml = sheet_xml(&out, 2);
    let style = |cell: &str| {
        let at = xml.find(&format!("<c r=\"{cell}\"")).unwrap();
        attribute(&xml[at..], "s").unwrap().to_owned()
    };
    assert_eq!(style("B2"), style("B6"));
    assert_eq!(style("G4"), style("G6"));
    // Read back, the three months are the last return's to the hundredth.
    let cycle = Cycle::open(&fixture_cycle()).unwrap();
    let read_new = read_file(&cycle, &out);
    let read_old = read_file(&cycle, &from);
    let Some(Return::Monitoring(before)) = read_old.value.as_ref() else {
        panic!("{:?}", read_old.findings);
    };
    assert_eq!(before.months.len(), 3);
    // July is still to fill in (C01 for its figures); April to June give no finding.
    let cells: Vec<String> = read_new
        .findings
        .iter()
        .filter_map(|f| f.location.a1())
        .collect();
    assert!(cells.contains(&"B5".to_owned()), "{cells:?}");
    assert!(
        !cells
            .iter()
            .any(|c| c.ends_with('2') || c.ends_with('3') || c.ends_with('4')),
        "{cells:?}"
    );
}

#[test]
fn from_a_return_that_is_not_this_forces_monitoring_return_of_the_year_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.xlsx");
    let run = |kind: &str, force: &str, from: &Path| {
        let assert = npg()
            .args(["template", kind, "--force", force, "--from"])
            .arg(from)
            .arg("-o")
            .arg(&out)
            .assert()
            .code(2);
        String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
    };
    let kent_june = monitoring_fixture("kent-2025-06.xlsx");
    assert!(
        run("monitoring", "essex", &kent_june)
            .contains("is kent's monitoring return, not essex's (--force essex)")
    );
    let finance = fixture_cycle().join("returns/finance/kent-2025-26-Q1-v1.xlsx");
    assert!(
        run("monitoring", "kent", &finance)
            .contains("is a financial return, not a monitoring return")
    );
    assert!(
        run("finance", "kent", &kent_june).contains("--from is for the monitoring return only")
    );
    // Last year's return.
    let mut data = read_workbook(&kent_june, "kent-2025-06.xlsx").unwrap();
    let about = data.sheets.iter_mut().find(|s| s.name == "About").unwrap();
    about.set(5, 1, CellValue::Text("2024-25".into()));
    about.set(6, 1, CellValue::Text("2024-06".into()));
    let last_year = dir.path().join("kent-2024-06.xlsx");
    std::fs::write(&last_year, crate::common::write_grid(&data)).unwrap();
    assert!(
        run("monitoring", "kent", &last_year)
            .contains("is for 2024-25, not 2025-26: start the new year from a blank template")
    );
    let march = monitoring_fixture("kent-2026-03.xlsx");
    assert!(run("monitoring", "kent", &march).contains("already reports every month to 2026-03"));
    assert!(!out.exists());
}

/// kent's July return made from its June return, filled in, with April's officers changed
/// from June's figure: `npg validate --cycle` tells it, as information, naming the cell, the
/// month and both figures; the same return unchanged gives no X17.
#[test]
fn validate_with_the_cycle_tells_a_month_changed_since_the_previous_return_as_information() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.xlsx");
    let june = monitoring_fixture("kent-2025-06.xlsx");
    npg()
        .args(["template", "monitoring", "--force", "kent", "--from"])
        .arg(&june)
        .arg("-o")
        .arg(&template)
        .assert()
        .success();
    let june_data = read_workbook(&june, "kent-2025-06.xlsx").unwrap();
    let june_officers = match june_data.sheet("Monitoring").unwrap().get(1, 1) {
        CellValue::Number(n) => *n,
        other => panic!("{other:?}"),
    };
    let mut data = read_workbook(&template, "template.xlsx").unwrap();
    let about = data.sheets.iter_mut().find(|s| s.name == "About").unwrap();
    about.set(7, 1, CellValue::Text("A. Analyst".into()));
    about.set(8, 1, CellValue::Text("2025-08-10".into()));
    // July: as June.
    for col in 1..=6 {
        let june_value = june_data.sheet("Monitoring").unwrap().get(3, col).clone();
        crate::common::set_cell(&mut data, "Monitoring", 4, col, june_value);
    }
    let unchanged = dir.path().join("unchanged/kent-2025-07.xlsx");
    std::fs::create_dir_all(unchanged.parent().unwrap()).unwrap();
    std::fs::write(&unchanged, crate::common::write_grid(&data)).unwrap();
    crate::common::set_cell(
        &mut data,
        "Monitoring",
        1,
        1,
        CellValue::Number(june_officers + 2.5),
    );
    let changed = dir.path().join("changed/kent-2025-07.xlsx");
    std::fs::create_dir_all(changed.parent().unwrap()).unwrap();
    std::fs::write(&changed, crate::common::write_grid(&data)).unwrap();

    // Run from the project folder with the cycle named relatively, as the message names the
    // previous return as the cycle's returns are shown.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let validate = |file: &Path| {
        let output = npg()
            .current_dir(root)
            .args(["validate", "--cycle", "fixtures/2025-26"])
            .arg(file)
            .assert()
            .code(0)
            .get_output()
            .stdout
            .clone();
        String::from_utf8(output).unwrap()
    };
    let quiet = validate(&unchanged);
    assert!(!quiet.contains("X17"), "{quiet}");
    let told = validate(&changed);
    let lines: Vec<&str> = told.lines().filter(|l| l.contains("X17")).collect();
    let old = format!("{june_officers:.2}");
    let new = format!("{:.2}", june_officers + 2.5);
    assert_eq!(
        lines,
        [format!(
            "info X17 {} › Monitoring!B2: Officers FTE for 2025-04: {new} here, {old} in the previous return fixtures/2025-26/returns/monitoring/kent-2025-06.xlsx (months to 2025-06); a correction of an earlier month is accepted: check that it is meant",
            changed.display()
        )],
        "{told}"
    );
    // Without the cycle there is no previous return to compare with.
    npg()
        .arg("validate")
        .arg(&changed)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("X17").not());
}
