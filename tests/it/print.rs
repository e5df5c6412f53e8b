//! Print-ready workbooks (issue 13, items 5 to 8): the Approval sheet, last quarter beside
//! this one on the Schedule, a page setup on every sheet of every workbook, charts with
//! legends and axis titles that no page break cuts, and the Q2 schedule exported to PDF by
//! LibreOffice with force names on every page of the Schedule.

use std::path::Path;
use std::process::Command;

use crate::common::{
    dump_cells, fixture_cycle, npg, read_ledger, sheet, soffice_convert, zip_part,
};
use crate::pay::{run_dir, sheet_rows};

/// Pence from a cell read back by calamine.
fn pence(cell: &str) -> i64 {
    let value: f64 = cell
        .parse()
        .unwrap_or_else(|_| panic!("{cell:?} is not a number"));
    (value * 100.0).round() as i64
}

/// The (label, value) pairs of a sheet's first two columns.
fn pairs(path: &Path, name: &str) -> Vec<(String, String)> {
    let dump = dump_cells(path);
    sheet(&dump, name)
        .iter()
        .filter(|r| !r.is_empty())
        .map(|r| (r[0].clone(), r.get(1).cloned().unwrap_or_default()))
        .collect()
}

fn value_of(pairs: &[(String, String)], label: &str) -> String {
    pairs
        .iter()
        .find(|(l, _)| l == label)
        .unwrap_or_else(|| panic!("no {label}"))
        .1
        .clone()
}

fn fingerprint(q: &str) -> String {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run_dir(q).join("manifest.json")).unwrap()).unwrap();
    manifest["input_fingerprint"].as_str().unwrap().to_owned()
}

#[test]
fn the_approval_sheet_comes_first_with_the_totals_counts_fingerprint_and_sign_off_boxes() {
    let path = run_dir("Q4").join("payment-schedule.xlsx");
    let dump = dump_cells(&path);
    assert_eq!(dump[0].0, "Approval");
    let approval = pairs(&path, "Approval");
    assert_eq!(value_of(&approval, "Rules version"), "npg-2025-26.1");
    assert_eq!(value_of(&approval, "Payment date"), "2026-05-15");
    assert_eq!(
        value_of(&approval, "Input fingerprint (SHA-256)"),
        fingerprint("Q4")
    );
    assert!(value_of(&approval, "How the fingerprint is made").contains("README"));
    for (label, amount) in [
        ("Net payment this quarter", 6_204_532_338),
        ("Payable this quarter", 6_294_934_217),
        ("Recoveries this quarter", -90_401_879),
        ("Withheld (held lines not counted)", 230_598_656),
        ("Paid to date after this quarter", 19_530_738_379),
        ("Remaining of the allocations", 469_261_621),
    ] {
        assert_eq!(pence(&value_of(&approval, label)), amount, "{label}");
    }
    assert_eq!(value_of(&approval, "PAY"), "41");
    assert_eq!(value_of(&approval, "RECOVERY"), "2");
    // By leading reason, in the rules' order of precedence, after the header.
    let reasons: Vec<(String, String)> = approval
        .iter()
        .skip_while(|(l, _)| l != "Lines by leading reason")
        .skip(1)
        .take_while(|(l, _)| l != "All forces")
        .cloned()
        .collect();
    let expect = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        reasons,
        expect(&[
            ("TAPER 0%", "1"),
            ("TAPER 70%", "1"),
            ("CAPPED AT PROFILE", "1"),
            ("ON PLAN", "40")
        ])
    );
    let q2 = pairs(&run_dir("Q2").join("payment-schedule.xlsx"), "Approval");
    let q2_reasons: Vec<String> = q2
        .iter()
        .skip_while(|(l, _)| l != "Lines by leading reason")
        .skip(1)
        .take_while(|(l, _)| l != "All forces")
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    assert_eq!(
        q2_reasons,
        [
            "HOLD-NO-MONITORING 1",
            "NO-RETURN 1",
            "TAPER 0% 1",
            "CAPPED AT PROFILE 1",
            "RESTATED Q1 1",
            "ON PLAN 38"
        ]
    );
    // The sign-off rows: blank, each box bordered, in the order signed.
    let rows = sheet(&dump, "Approval");
    let header = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "Sign-off"))
        .unwrap();
    assert_eq!(
        rows[header],
        ["Sign-off", "Name", "Role", "Date", "Signature"]
    );
    let roles: Vec<&str> = rows[header + 1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(roles, ["Prepared by", "Checked by", "Approved by"]);
    assert!(
        rows[header + 1..]
            .iter()
            .all(|r| r[1..].iter().all(String::is_empty))
    );
    let xml = zip_part(&path, "xl/worksheets/sheet1.xml");
    let styles = zip_part(&path, "xl/styles.xml");
    assert!(styles.contains(r#"<left style="thin">"#), "bordered boxes");
    // The active sheet, one A4 portrait page.
    assert!(xml.contains(r#"<sheetView tabSelected="1""#), "{xml}");
    assert!(xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
    assert!(xml.contains(r#"<pageSetup paperSize="9" orientation="portrait""#));
    assert!(!xml.contains("fitToHeight=\"0\""), "one page tall");
}

#[test]
fn the_schedule_shows_last_quarters_payment_and_the_change_and_agrees_with_the_calculation() {
    for (q, previous) in [
        ("Q1", None),
        ("Q2", Some("Q1")),
        ("Q3", Some("Q2")),
        ("Q4", Some("Q3")),
    ] {
        let schedule = sheet_rows(q, "Schedule");
        let calculation = sheet_rows(q, "Calculation");
        let before = previous.map(|p| read_ledger(&run_dir(p).join("ledger.csv")));
        assert_eq!(schedule.len(), 43, "{q}");
        let mut last_total = 0;
        for (force, row) in &schedule {
            // What the Schedule shares with the Calculation, it shows the same.
            for column in [
                "Force name",
                "Allocation (A)",
                "Eligible spend to date (CS)",
                "Progress (P)",
                "Fraction paid (φ)",
                "Entitlement to date (E)",
                "Paid before (PTD)",
                "Payment this quarter",
                "Status",
                "Reason",
            ] {
                assert_eq!(
                    row[column], calculation[force][column],
                    "{q} {force} {column}"
                );
            }
            let last = &row["Last quarter's payment"];
            let change = &row["Change on last quarter"];
            match &before {
                // Q1 has no last quarter: blank, not £0.00.
                None => assert!(last.is_empty() && change.is_empty(), "{q} {force}"),
                Some(ledger) => {
                    let was = pence(&ledger[force]["payment"]);
                    assert_eq!(pence(last), was, "{q} {force}");
                    let now = pence(&row["Payment this quarter"]);
                    assert_eq!(pence(change), now - was, "{q} {force}");
                    last_total += was;
                }
            }
        }
        let dump = dump_cells(&run_dir(q).join("payment-schedule.xlsx"));
        let rows = sheet(&dump, "Schedule");
        let header = &rows[0];
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let totals = rows.last().unwrap();
        assert_eq!(totals[0], "Total");
        if previous.is_some() {
            assert_eq!(
                pence(&totals[col("Last quarter's payment")]),
                last_total,
                "{q}"
            );
        } else {
            assert_eq!(totals[col("Last quarter's payment")], "");
        }
    }
    // Exact figures: kent at Q2 (£992,045.42 at Q1), durham's recovery at Q4 after a NIL,
    // lancashire paid at Q3 after its hold.
    let q2 = sheet_rows("Q2", "Schedule");
    assert_eq!(pence(&q2["kent"]["Last quarter's payment"]), 99_204_542);
    assert_eq!(pence(&q2["kent"]["Change on last quarter"]), 25_556_818);
    let q3 = sheet_rows("Q3", "Schedule");
    assert_eq!(pence(&q3["lancashire"]["Last quarter's payment"]), 0);
    assert_eq!(
        pence(&q3["lancashire"]["Change on last quarter"]),
        235_587_600
    );
    let q4 = sheet_rows("Q4", "Schedule");
    assert_eq!(pence(&q4["durham"]["Last quarter's payment"]), 0);
    assert_eq!(pence(&q4["durham"]["Change on last quarter"]), -72_386_359);
    assert_eq!(q4["durham"]["Status"], "RECOVERY");
}

/// The `<pageSetup ..>` element of a sheet's XML, and its header and footer.
fn page_setup(xml: &str) -> (String, String, String) {
    let between = |start: &str, end: &str| {
        let from = xml
            .find(start)
            .unwrap_or_else(|| panic!("no {start} in {xml:.300}"));
        let to = xml[from..].find(end).unwrap() + from;
        xml[from..to].to_owned()
    };
    (
        between("<pageSetup ", "/>"),
        between("<oddHeader>", "</oddHeader>"),
        between("<oddFooter>", "</oddFooter>"),
    )
}

/// Checks every sheet of a workbook: paper, orientation, a header naming the year and a
/// footer with page X of Y (and `footer`, where given).
fn check_every_sheet(path: &Path, sheets: usize, footer: Option<&str>) {
    for n in 1..=sheets {
        let xml = zip_part(path, &format!("xl/worksheets/sheet{n}.xml"));
        let (setup, head, foot) = page_setup(&xml);
        let at = format!("{} sheet {n}", path.display());
        assert!(
            setup.contains(r#"paperSize="9""#) || setup.contains(r#"paperSize="8""#),
            "{at}: {setup}"
        );
        assert!(setup.contains("orientation="), "{at}: {setup}");
        assert!(
            head.contains("Neighbourhood Policing Grant"),
            "{at}: {head}"
        );
        assert!(head.contains("2025-26"), "{at}: {head}");
        assert!(foot.contains("Page &amp;P of &amp;N"), "{at}: {foot}");
        if let Some(footer) = footer {
            assert!(foot.contains(footer), "{at}: {foot}");
        }
        assert!(
            xml.contains("<pageMargins left=\"0.4\" right=\"0.4\""),
            "{at}"
        );
    }
}

#[test]
fn every_sheet_of_every_workbook_has_a_page_setup() {
    for q in ["Q1", "Q2", "Q3", "Q4"] {
        // The footer: the fingerprint's first 16 hex digits.
        let short = format!("Input fingerprint {}…", &fingerprint(q)[..16]);
        let schedule = run_dir(q).join("payment-schedule.xlsx");
        check_every_sheet(&schedule, 6, Some(&short));
        let head = page_setup(&zip_part(&schedule, "xl/worksheets/sheet3.xml")).1;
        assert!(
            head.contains(&format!("2025-26 {q}: payment schedule")),
            "{head}"
        );
        check_every_sheet(&run_dir(q).join("reconciliation.xlsx"), 4, Some(&short));
        // A statement: one sheet, its footer with the same digits.
        let statement = run_dir(q).join(format!("statements/kent-2025-26-{q}.xlsx"));
        let foot = page_setup(&zip_part(&statement, "xl/worksheets/sheet1.xml")).2;
        assert!(
            foot.contains(&format!("input fingerprint {}…", &fingerprint(q)[..16])),
            "{foot}"
        );
    }
    // The cycle's own workbooks, as npg allocate and npg template write them.
    let cycle = fixture_cycle();
    check_every_sheet(&cycle.join("allocations.xlsx"), 2, None);
    check_every_sheet(&cycle.join("weights.xlsx"), 1, None);
    for kind in [
        "returns/plans/kent-plan-v1.xlsx",
        "returns/monitoring/kent-2025-06.xlsx",
        "returns/finance/kent-2025-26-Q2-v1.xlsx",
    ] {
        check_every_sheet(&cycle.join(kind), 3, None);
    }
    let financial = zip_part(
        &cycle.join("returns/finance/kent-2025-26-Q2-v1.xlsx"),
        "xl/worksheets/sheet1.xml",
    );
    assert!(
        page_setup(&financial)
            .1
            .contains("2025-26 Q2: financial return, Kent Police")
    );
    // npg reconcile's workbook too.
    let out = tempfile::tempdir().unwrap();
    npg()
        .args(["reconcile", "--month", "2025-08", "--cycle"])
        .arg(&cycle)
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let month = out.path().join("reconciliation-2025-08.xlsx");
    check_every_sheet(&month, 4, None);
    let head = page_setup(&zip_part(&month, "xl/worksheets/sheet1.xml")).1;
    assert!(
        head.contains("2025-26: reconciliation to 2025-08"),
        "{head}"
    );
}

#[test]
fn the_schedule_prints_one_page_wide_at_60_percent_or_more_with_force_id_and_name_repeated() {
    for q in ["Q1", "Q2", "Q3", "Q4"] {
        let path = run_dir(q).join("payment-schedule.xlsx");
        let xml = zip_part(&path, "xl/worksheets/sheet3.xml");
        let setup = page_setup(&xml).0;
        let scale: u16 = setup
            .split("scale=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("{q}: no scale in {setup}"))
            .parse()
            .unwrap();
        assert!(scale >= 60, "{q}: printed at {scale}%");
        assert!(setup.contains(r#"orientation="landscape""#), "{setup}");
        assert!(setup.contains(r#"paperSize="8""#), "{q}: A3, {setup}");
        assert!(
            !xml.contains("fitToPage"),
            "a fixed scale, not shrunk to fit"
        );
        // The header's and every force's row height is set, so that wrapped reasons do not
        // overlap the next row (the totals row is one line, the default height).
        let rows = xml.matches("<row ").count();
        assert_eq!(rows, 45, "{q}: header, 43 forces, totals");
        let set: Vec<&str> = xml
            .split("<row ")
            .skip(1)
            .filter(|row| row[..row.find('>').unwrap()].contains(r#"customHeight="1""#))
            .collect();
        assert!(set.len() >= 44, "{q}: {} rows with a height", set.len());
        let book = zip_part(&path, "xl/workbook.xml");
        for titles in [
            "Schedule!$A:$B,Schedule!$1:$1",
            "Calculation!$A:$B,Calculation!$1:$1",
        ] {
            assert!(book.contains(titles), "{q}: {titles}");
        }
        assert!(book.contains("Schedule!$A$1:$N$45"), "{q}: the print area");
    }
}

#[test]
fn the_charts_have_legends_and_axis_titles_month_labels_below_the_plot_and_no_page_cuts_one() {
    let path = run_dir("Q4").join("reconciliation.xlsx");
    for n in 1..=44 {
        let chart = zip_part(&path, &format!("xl/charts/chart{n}.xml"));
        assert!(chart.contains(r#"<c:legendPos val="b"/>"#), "chart {n}");
        assert!(chart.contains("<a:t>Month</a:t>"), "chart {n}");
        assert!(chart.contains("<a:t>Uplift (FTE)</a:t>"), "chart {n}");
        // The category (month) axis labels at the bottom of the plot, below a negative line.
        let cat = &chart[chart.find("<c:catAx>").unwrap()..chart.find("</c:catAx>").unwrap()];
        assert!(cat.contains(r#"<c:tickLblPos val="low"/>"#), "chart {n}");
    }
    // Every chart starts and ends on one page of 30 rows, within the print area.
    let drawing = zip_part(&path, "xl/drawings/drawing1.xml");
    let rows_of = |tag: &str| -> Vec<u32> {
        drawing
            .split(&format!("<xdr:{tag}>"))
            .skip(1)
            .map(|part| {
                let row = part.split("<xdr:row>").nth(1).unwrap();
                row.split('<').next().unwrap().parse().unwrap()
            })
            .collect()
    };
    let (from, to) = (rows_of("from"), rows_of("to"));
    assert_eq!(from.len(), 44);
    for (a, b) in from.iter().zip(&to) {
        assert_eq!(
            a / 30,
            b / 30,
            "a chart from row {a} to row {b} crosses a page"
        );
    }
    let sheet = zip_part(&path, "xl/worksheets/sheet4.xml");
    // The national chart's page, then 43 force charts four to a page: 11 pages.
    assert!(sheet.contains(r#"<rowBreaks count="11" manualBreakCount="11">"#));
    let book = zip_part(&path, "xl/workbook.xml");
    assert!(book.contains("Charts!$A$1:$P$360"), "{book}");
}

/// pdftotext (poppler-utils) and the Carlito font (the metric twin of the workbooks' Calibri,
/// without which LibreOffice lays pages out in a wider font than Excel would), when
/// installed; like LibreOffice, required under CI.
fn pdf_tools_or_skip(test: &str) -> bool {
    let pdftotext = Command::new("pdftotext").arg("-v").output().is_ok();
    let carlito = Command::new("fc-list")
        .arg("Carlito")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    let found = pdftotext && carlito;
    if !found {
        assert!(
            std::env::var_os("NPG_REQUIRE_LIBREOFFICE").is_none(),
            "{test}: pdftotext and the Carlito font are required here (NPG_REQUIRE_LIBREOFFICE is set) but are not installed"
        );
        eprintln!(
            "SKIPPED {test}: needs pdftotext and the Carlito font; `apt-get install poppler-utils fonts-crosextra-carlito` to run it"
        );
    }
    found
}

#[test]
fn the_q2_schedule_exported_to_pdf_has_force_names_on_every_page_of_the_schedule() {
    let test = "the_q2_schedule_exported_to_pdf_has_force_names_on_every_page_of_the_schedule";
    let Some(soffice) = crate::common::soffice_or_skip(test) else {
        return;
    };
    if !pdf_tools_or_skip(test) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = soffice_convert(
        &soffice,
        &run_dir("Q2").join("payment-schedule.xlsx"),
        "pdf",
        dir.path(),
    );
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    // Pages are split by form feeds; the header's right names the sheet (&A).
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    let sheet_of = |page: &str| {
        let first = page
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or_default();
        assert!(
            first.contains("Neighbourhood Policing Grant") && first.contains("2025-26 Q2"),
            "page header: {first}"
        );
        first
            .split_whitespace()
            .last()
            .unwrap_or_default()
            .to_owned()
    };
    let sheets: Vec<String> = pages.iter().map(|p| sheet_of(p)).collect();
    let count = |name: &str| sheets.iter().filter(|s| *s == name).count();
    assert_eq!(count("Approval"), 1, "{sheets:?}");
    assert_eq!(count("Summary"), 1, "{sheets:?}");
    // A3 landscape with the explanations wrapped: three pages.
    assert_eq!(count("Schedule"), 3, "{sheets:?}");
    assert_eq!(sheets[0], "Approval");
    let total = pages.len();
    for (n, page) in pages.iter().enumerate() {
        assert!(
            page.contains(&format!("Page {} of {total}", n + 1)),
            "page {}: {page}",
            n + 1
        );
    }
    // Every page of the Schedule holds its header row and force ids and names; every force
    // appears, each with its payment on the same printed line.
    let forces = read_ledger(&run_dir("Q2").join("ledger.csv"));
    let schedule = sheet_rows("Q2", "Schedule");
    let mut seen = Vec::new();
    for (page, sheet) in pages.iter().zip(&sheets) {
        if sheet != "Schedule" {
            continue;
        }
        assert!(
            page.contains("Force id") && page.contains("Force name"),
            "{page}"
        );
        let mut on_page = 0;
        for line in page.lines() {
            let Some(id) = line.split_whitespace().next() else {
                continue;
            };
            if let Some(row) = schedule.get(id) {
                on_page += 1;
                seen.push(id.to_owned());
                let name_start: String = row["Force name"].split(' ').next().unwrap().to_owned();
                assert!(line.contains(&name_start), "{id}: {line}");
                let payment = format!("£{}", money_shown(&row["Payment this quarter"]));
                assert!(line.contains(&payment), "{id} {payment}: {line}");
            }
        }
        assert!(on_page > 0, "a Schedule page without force names: {page}");
    }
    let expected: Vec<String> = forces.keys().cloned().collect();
    assert_eq!(seen, expected);
    assert!(pages[sheets.iter().rposition(|s| s == "Schedule").unwrap()].contains("43 forces"));
}

/// A cell's amount as the sheet shows it, without its sign or pound sign: 1234.5 → 1,234.50.
fn money_shown(cell: &str) -> String {
    let pence = pence(cell).unsigned_abs();
    let pounds = (pence / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in pounds.chars().enumerate() {
        if i > 0 && (pounds.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{:02}", pence % 100)
}
