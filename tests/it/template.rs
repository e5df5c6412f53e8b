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
