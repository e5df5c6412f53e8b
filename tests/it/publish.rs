//! `npg publish` on the fixture year: every figure on the site and in `data/` against the
//! runs' own `ledger.csv` and `reconciliation.xlsx` (parsed here, not taken from npg's
//! structures), links and assets, the 360Giving file, re-runs, audiences and refusals.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;

use calamine::{Reader, open_workbook_auto};
use predicates::prelude::*;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::common::{copy_dir, fixture_cycle, npg, read_ledger, tree_bytes};
use crate::giving::schema_violations;
use npg::pay::manifest::Manifest;

/// The fixture year's runs Q1–Q4 and its two sites, made once for every test here.
struct Published {
    _dir: tempfile::TempDir,
    runs: PathBuf,
    public: PathBuf,
    sector: PathBuf,
}

fn published() -> &'static Published {
    static ONCE: OnceLock<Published> = OnceLock::new();
    ONCE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let runs = dir.path().join("runs");
        npg()
            .args(["pay", "--cycle"])
            .arg(fixture_cycle())
            .args(["--quarter", "Q1-Q4", "--out"])
            .arg(&runs)
            .assert()
            .success();
        let site = |audience: &str| {
            let out = dir.path().join(format!("site-{audience}"));
            npg()
                .args(["publish", "--cycle"])
                .arg(fixture_cycle())
                .arg("--runs")
                .arg(&runs)
                .arg("--out")
                .arg(&out)
                .args(["--audience", audience])
                .assert()
                .success();
            out
        };
        Published {
            public: site("public"),
            sector: site("sector"),
            runs,
            _dir: dir,
        }
    })
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

/// A data file's CSV as rows of named fields.
fn data_csv(site: &Path, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(site.join("data").join(name)).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_owned))
                .collect()
        })
        .collect()
}

fn ledger(quarter: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    read_ledger(
        &published()
            .runs
            .join(format!("2025-26-{quarter}/ledger.csv")),
    )
}

/// `b − entitlement`, the ledger's withheld, where both are given (a hold has neither).
fn withheld(line: &BTreeMap<String, String>) -> Option<Decimal> {
    match (line["b"].as_str(), line["entitlement"].as_str()) {
        ("", _) | (_, "") => None,
        (b, e) => Some(dec(b) - dec(e)),
    }
}

#[test]
fn every_forces_money_and_progress_on_the_site_is_the_ledgers() {
    let site = &published().public;
    let q4 = ledger("Q4");
    let forces = data_csv(site, "forces.csv");
    assert_eq!(forces.len(), q4.len());
    for row in &forces {
        let line = &q4[&row["force_id"]];
        assert_eq!(row["allocation"], line["allocation"], "{}", row["force_id"]);
        assert_eq!(
            row["paid_to_date"], line["paid_after"],
            "{}",
            row["force_id"]
        );
        if !line["progress"].is_empty() {
            assert_eq!(row["progress"], line["progress"], "{}", row["force_id"]);
        }
    }
    // The page shows the same figures, to the penny.
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let kent = &q4["kent"];
    assert!(
        index.contains(&penny(&kent["paid_after"])),
        "kent's paid to date on the page"
    );

    // National totals, summed here from the ledger.
    let headline: BTreeMap<String, String> = data_csv(site, "headline.csv")
        .into_iter()
        .map(|r| (r["key"].clone(), r["value"].clone()))
        .collect();
    let sum = |f: &dyn Fn(&BTreeMap<String, String>) -> Option<Decimal>| -> Decimal {
        q4.values().filter_map(f).sum()
    };
    assert_eq!(
        dec(&headline["allocated"]),
        sum(&|l| Some(dec(&l["allocation"])))
    );
    assert_eq!(
        dec(&headline["paid_to_date"]),
        sum(&|l| Some(dec(&l["paid_after"])))
    );
    assert_eq!(dec(&headline["paid_to_date"]), dec("195307383.79"));
    assert_eq!(dec(&headline["withheld"]), sum(&withheld));
    assert_eq!(dec(&headline["withheld"]), dec("2305986.56"));
    assert!(index.contains("£195.3 million"), "paid to date in prose");
    // Allocated = paid + withheld + the rest, which the site names rather than leave a gap.
    assert_eq!(
        dec(&headline["rest_of_allocation"]),
        dec(&headline["allocated"]) - dec(&headline["paid_to_date"]) - dec(&headline["withheld"])
    );
    for row in &forces {
        let line = &q4[&row["force_id"]];
        assert_eq!(
            row["withheld_to_date"].parse::<Decimal>().ok(),
            withheld(line),
            "{}",
            row["force_id"]
        );
    }
}

#[test]
fn every_forces_payments_by_quarter_are_each_runs_ledger_lines() {
    let site = &published().public;
    let ledgers: Vec<_> = ["Q1", "Q2", "Q3", "Q4"]
        .iter()
        .map(|q| (*q, ledger(q)))
        .collect();
    for force in ledgers[3].1.keys() {
        let rows = data_csv(site, &format!("{force}-payments.csv"));
        assert_eq!(rows.len(), 4, "{force}");
        for (row, (quarter, ledger)) in rows.iter().zip(&ledgers) {
            let line = &ledger[force];
            assert_eq!(row["quarter"], *quarter);
            assert_eq!(row["payment"], line["payment"], "{force} {quarter}");
            assert_eq!(row["paid_to_date"], line["paid_after"], "{force} {quarter}");
            assert_eq!(row["status"], line["status"], "{force} {quarter}");
            assert_eq!(
                row["withheld_to_date"].parse::<Decimal>().ok(),
                withheld(line),
                "{force} {quarter}"
            );
            assert!(!row["reason"].is_empty(), "{force} {quarter} has a reason");
            assert!(
                !row["reason_codes"].is_empty(),
                "{force} {quarter} has its codes"
            );
        }
    }
    // The long file for analysts: every force's quarters, each its ledger line.
    let all = data_csv(site, "all-forces-payments.csv");
    assert_eq!(all.len(), ledgers[3].1.len() * 4);
    for row in &all {
        let (_, ledger) = ledgers.iter().find(|(q, _)| *q == row["quarter"]).unwrap();
        assert_eq!(row["payment"], ledger[&row["force_id"]]["payment"]);
    }
    let durham = data_csv(site, "durham-payments.csv");
    assert_eq!(durham[3]["status"], "RECOVERY");
    assert_eq!(durham[3]["payment"], "-723863.59");
    assert!(
        durham[3]["reason_codes"].starts_with("TAPER 0%"),
        "{}",
        durham[3]["reason_codes"]
    );
    // The page says it in plain words; the codes are in the data.
    assert_eq!(
        durham[3]["reason"],
        "Growth too far behind plan, so nothing is payable"
    );
    let page = std::fs::read_to_string(site.join("forces/durham.html")).unwrap();
    assert!(page.contains("Growth too far behind plan, so nothing is payable"));
    assert!(page.contains("Money recovered") && !page.contains(">RECOVERY<"));
}

/// A ledger amount ("-723863.59") as the site's tables show it ("-£723,863.59").
fn penny(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, pence) = digits.split_once('.').unwrap();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}£{out}.{pence}")
}

/// The cells of the table row (`<tr>…</tr>`) of a page that holds `marker`.
fn row_cells(html: &str, marker: &str) -> Vec<String> {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no row holds {marker:?}"));
    let start = html[..at].rfind("<tr>").unwrap();
    let end = at + html[at..].find("</tr>").unwrap();
    let mut cells = Vec::new();
    for piece in html[start..end].split("<td").skip(1) {
        let text = &piece[piece.find('>').unwrap() + 1..];
        let text = text.split("</td>").next().unwrap();
        // The text of the cell, without any tag inside it (a RAG tag, a link).
        let mut plain = String::new();
        let mut in_tag = false;
        for c in text.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        cells.push(plain);
    }
    cells
}

#[test]
fn every_forces_figures_on_its_pages_are_the_ledgers_to_the_penny() {
    let site = &published().public;
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    let ledgers: Vec<_> = ["Q1", "Q2", "Q3", "Q4"]
        .iter()
        .map(|q| (*q, ledger(q)))
        .collect();
    let q4 = &ledgers[3].1;
    for (force, line) in q4 {
        // The national table: allocation, paid to date and withheld, the last three cells.
        let cells = row_cells(&index, &format!("href=\"forces/{force}.html\""));
        let money = &cells[cells.len() - 3..];
        assert_eq!(money[0], penny(&line["allocation"]), "{force} allocation");
        assert_eq!(money[1], penny(&line["paid_after"]), "{force} paid to date");
        let withheld_text = withheld(line).map(|w| penny(&format!("{w:.2}")));
        assert_eq!(Some(money[2].clone()), withheld_text, "{force} withheld");
        if !line["progress"].is_empty() {
            let percent = dec(&line["progress"]) * Decimal::ONE_HUNDRED;
            assert_eq!(cells[3], format!("{percent:.2}%"), "{force} progress");
        }
        // The force's own page: each quarter's payment and paid to date, from that run.
        let page = std::fs::read_to_string(site.join(format!("forces/{force}.html"))).unwrap();
        assert!(page.contains(&penny(&line["allocation"])), "{force}");
        for (quarter, ledger) in &ledgers {
            let cells = row_cells(&page, &format!("<th scope=\"row\">{quarter}</th>"));
            let l = &ledger[force];
            assert_eq!(cells[1], penny(&l["payment"]), "{force} {quarter} payment");
            assert_eq!(cells[2], penny(&l["paid_after"]), "{force} {quarter} paid");
        }
    }
}

/// `npg publish --quarter <quarter>` of the fixture year's runs into a new folder.
fn publish_quarter(quarter: &str, dir: &Path) -> PathBuf {
    let out = dir.join(format!("site-{quarter}"));
    npg()
        .args(["publish", "--cycle"])
        .arg(fixture_cycle())
        .arg("--runs")
        .arg(&published().runs)
        .arg("--out")
        .arg(&out)
        .args(["--quarter", quarter])
        .assert()
        .success();
    out
}

#[test]
fn every_forces_money_adds_up_to_its_allocation_at_every_quarter() {
    // At Q2 bedfordshire, and at Q3 durham, had been paid more than their progress then
    // earned (recovered only at the year's end): "the rest of the allocation" must not go
    // below zero, and paid + withheld + the rest must still be the allocation.
    let dir = tempfile::tempdir().unwrap();
    let mut beyond_seen = Vec::new();
    for quarter in ["Q1", "Q2", "Q3", "Q4"] {
        let site = if quarter == "Q4" {
            published().public.clone()
        } else {
            publish_quarter(quarter, dir.path())
        };
        let ledger = ledger(quarter);
        let forces = data_csv(&site, "forces.csv");
        if quarter == "Q1" {
            // Nothing revised yet: no empty table, but the (empty) log is still linked.
            let about = std::fs::read_to_string(site.join("about.html")).unwrap();
            assert!(!about.contains("table-revisions"));
            assert!(about.contains("href=\"data/revisions.csv\""));
        }
        let (mut total_beyond, mut total_rest) = (Decimal::ZERO, Decimal::ZERO);
        for row in &forces {
            let force = &row["force_id"];
            let line = &ledger[force];
            let a = dec(&line["allocation"]);
            let p = dec(&line["paid_after"]);
            let (beyond, rest) = match (line["b"].as_str(), line["entitlement"].as_str()) {
                ("", _) | (_, "") => (Decimal::ZERO, a - p),
                (b, e) => ((p - dec(e)).max(Decimal::ZERO), a - dec(b)),
            };
            let w = withheld(line).unwrap_or_default();
            assert_eq!(
                dec(&row["paid_beyond_entitlement"]),
                beyond,
                "{quarter} {force}"
            );
            assert_eq!(dec(&row["rest_of_allocation"]), rest, "{quarter} {force}");
            assert!(rest >= Decimal::ZERO, "{quarter} {force}: rest {rest}");
            assert_eq!(p + w - beyond + rest, a, "{quarter} {force} adds up");
            if beyond > Decimal::ZERO {
                beyond_seen.push(format!("{quarter} {force}"));
                // The force's page says so, beside its figures.
                let page =
                    std::fs::read_to_string(site.join(format!("forces/{force}.html"))).unwrap();
                assert!(
                    page.contains(&penny(&format!("{beyond:.2}"))),
                    "{quarter} {force}"
                );
                assert!(page.contains("recovered at the year end unless"));
            }
            total_beyond += beyond;
            total_rest += rest;
        }
        let headline: BTreeMap<String, String> = data_csv(&site, "headline.csv")
            .into_iter()
            .map(|r| (r["key"].clone(), r["value"].clone()))
            .collect();
        assert_eq!(
            dec(&headline["rest_of_allocation"]),
            total_rest,
            "{quarter}"
        );
        assert_eq!(
            dec(&headline["paid_beyond_entitlement"]),
            total_beyond,
            "{quarter}"
        );
        // The same keys every quarter, so that a script reading the file finds them; the
        // page leaves out a row that would say nothing.
        let keys: Vec<&str> = headline.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "actual_growth_fte",
                "allocated",
                "commitment_fte",
                "forces_reporting",
                "paid_beyond_entitlement",
                "paid_to_date",
                "planned_growth_fte",
                "rest_of_allocation",
                "specials_headcount",
                "withheld"
            ],
            "{quarter}"
        );
        let index = std::fs::read_to_string(site.join("index.html")).unwrap();
        assert_eq!(
            index.contains("Withheld, but already paid"),
            total_beyond > Decimal::ZERO,
            "{quarter}"
        );
    }
    assert_eq!(beyond_seen, ["Q2 bedfordshire", "Q3 durham"]);
}

#[test]
fn every_json_data_file_holds_the_rows_of_its_csv() {
    let site = &published().sector;
    let mut checked = 0;
    for entry in std::fs::read_dir(site.join("data")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".csv") else {
            continue;
        };
        if stem == "360giving" {
            continue;
        }
        let csv_rows = data_csv(site, &name);
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(site.join(format!("data/{stem}.json"))).unwrap())
                .unwrap();
        let rows = json["rows"]
            .as_array()
            .unwrap_or_else(|| panic!("{stem}.json"));
        assert_eq!(rows.len(), csv_rows.len(), "{stem}");
        for (csv_row, json_row) in csv_rows.iter().zip(rows) {
            for (key, value) in csv_row {
                let json_value = match &json_row[key] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                assert_eq!(&json_value, value, "{stem}: {key}");
            }
        }
        checked += 1;
    }
    assert!(checked > 43 * 4, "{checked} data files checked");
}

/// The reconciliation workbook's sheet as rows of cell texts (numbers to 2 or 4 places).
fn workbook_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto(path).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[test]
fn national_and_force_growth_are_the_reconciliations() {
    let p = published();
    let site = &p.public;
    let workbook = p.runs.join("2025-26-Q4/reconciliation.xlsx");
    let national = workbook_rows(&workbook, "National");
    let header = &national[0];
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let growth = data_csv(site, "national-growth.csv");
    let body: Vec<_> = national[1..]
        .iter()
        .filter(|r| r[0].starts_with("20"))
        .collect();
    assert_eq!(growth.len(), body.len());
    for (row, wb) in growth.iter().zip(&body) {
        assert_eq!(row["month"], wb[col("Month")]);
        assert_eq!(
            dec(&row["planned_growth_fte"]),
            dec(&wb[col("Planned uplift (Up)")])
        );
        assert_eq!(
            dec(&row["actual_growth_fte"]),
            dec(&wb[col("Actual uplift (Ua)")])
        );
        assert_eq!(dec(&row["progress"]), dec(&wb[col("Progress (P)")]));
        assert_eq!(row["forces_reporting"], wb[col("Forces counted")]);
    }
    // Every force, every month reported: its officers, PCSOs and specials.
    let monthly = workbook_rows(&workbook, "Monthly");
    let h = &monthly[0];
    let c = |name: &str| h.iter().position(|x| x == name).unwrap();
    let mut checked = 0;
    for wb in &monthly[1..] {
        if wb[c("Force id")].is_empty() || wb[c("Actual officers FTE")].is_empty() {
            continue;
        }
        let force = &wb[c("Force id")];
        let growth = data_csv(site, &format!("{force}-growth.csv"));
        let row = growth
            .iter()
            .find(|r| r["month"] == wb[c("Month")])
            .unwrap();
        assert_eq!(
            dec(&row["planned_growth_fte"]),
            dec(&wb[c("Planned uplift (Up)")])
        );
        assert_eq!(
            dec(&row["actual_growth_fte"]),
            dec(&wb[c("Actual uplift (Ua)")])
        );
        assert_eq!(dec(&row["progress"]), dec(&wb[c("Progress (P)")]));
        assert_eq!(row["rag"], wb[c("RAG")]);
        let rows = data_csv(site, &format!("{force}-workforce.csv"));
        let row = rows.iter().find(|r| r["month"] == wb[c("Month")]).unwrap();
        assert_eq!(
            dec(&row["actual_officers_fte"]),
            dec(&wb[c("Actual officers FTE")])
        );
        assert_eq!(
            dec(&row["planned_officers_fte"]),
            dec(&wb[c("Planned officers FTE")])
        );
        assert_eq!(
            dec(&row["actual_pcsos_fte"]),
            dec(&wb[c("Actual PCSOs FTE")])
        );
        assert_eq!(row["actual_specials"], wb[c("Actual specials")]);
        checked += 1;
    }
    assert!(checked > 43 * 11, "{checked} force-months checked");
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Grant {
    id: String,
    amount_awarded: Box<RawValue>,
    amount_disbursed: Box<RawValue>,
    recipient_organization: Vec<Org>,
    disbursement_transaction: Vec<Transaction>,
}

#[derive(Deserialize)]
struct Org {
    id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Transaction {
    value: Box<RawValue>,
    transaction_date: String,
}

#[derive(Deserialize)]
struct Package {
    grants: Vec<Grant>,
}

#[test]
fn the_360giving_file_validates_and_sums_to_the_ledger() {
    let site = &published().public;
    let text = std::fs::read_to_string(site.join("data/360giving.json")).unwrap();
    assert_eq!(schema_violations(&text), Vec::<String>::new());
    let package: Package = serde_json::from_str(&text).unwrap();
    let q4 = ledger("Q4");
    assert_eq!(package.grants.len(), q4.len());
    for grant in &package.grants {
        let force = grant
            .id
            .strip_prefix("360G-npg-fixture-npg-2025-26-")
            .unwrap();
        let line = &q4[force];
        // Exact digits, as JSON numbers: no quotes, never through f64.
        assert_eq!(grant.amount_awarded.get(), line["allocation"]);
        assert_eq!(grant.amount_disbursed.get(), line["paid_after"]);
        let sum: Decimal = grant
            .disbursement_transaction
            .iter()
            .map(|t| dec(t.value.get()))
            .sum();
        assert_eq!(sum, dec(grant.amount_disbursed.get()), "{force}");
        assert_eq!(
            grant.recipient_organization[0].id,
            format!("360G-npg-fixture-{force}")
        );
    }
    let durham = package
        .grants
        .iter()
        .find(|g| g.id.ends_with("-durham"))
        .unwrap();
    let last = durham.disbursement_transaction.last().unwrap();
    assert_eq!(last.value.get(), "-723863.59");
    assert_eq!(last.transaction_date, "2026-05-15");
    assert!(
        text.contains("\"beneficiaryLocation\""),
        "kent's area is configured"
    );
    let csv = std::fs::read_to_string(site.join("data/360giving.csv")).unwrap();
    assert!(csv.starts_with("Identifier,Title,Description,Currency,Amount Awarded"));
    assert_eq!(csv.lines().count(), q4.len() + 1);
}

/// Every `href` and `src` of a page.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_owned());
            }
        }
    }
    out
}

#[test]
fn every_link_and_asset_resolves_and_every_data_file_is_linked() {
    for site in [&published().public, &published().sector] {
        let files = tree_bytes(site);
        let mut linked = BTreeSet::new();
        for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
            let html = String::from_utf8(bytes.clone()).unwrap();
            assert!(
                html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"),
                "{path}"
            );
            assert_eq!(html.matches("<h1").count(), 1, "{path}: one h1");
            assert!(!html.contains("<script"), "{path}: no script needed");
            let base = Path::new(path).parent().unwrap();
            for reference in references(&html) {
                if reference.starts_with("https://") {
                    // Only the sources publish.toml names, on the measures page.
                    assert_eq!(path, "measures.html", "{path} links {reference}");
                    continue;
                }
                let target = reference.split('#').next().unwrap();
                if target.is_empty() {
                    continue;
                }
                assert!(!reference.contains("://"), "{path}: {reference}");
                let mut resolved = base.to_path_buf();
                for part in target.split('/') {
                    match part {
                        ".." => assert!(resolved.pop(), "{path}: {reference} leaves the site"),
                        _ => resolved.push(part),
                    }
                }
                let resolved = resolved.to_string_lossy().replace('\\', "/");
                assert!(
                    files.contains_key(&resolved),
                    "{path}: {reference} is not there"
                );
                linked.insert(resolved);
            }
        }
        for path in files.keys().filter(|p| p.starts_with("data/")) {
            assert!(linked.contains(path), "{path} is linked from no page");
        }
        assert!(files.contains_key("forces/kent.html") && files.contains_key("site.css"));
    }
}

/// `npg publish` of the fixture year's runs into `out`, with or without `--overwrite`.
fn fixture_publish(out: &Path, overwrite: bool) -> assert_cmd::Command {
    let mut cmd = npg();
    cmd.args(["publish", "--cycle"])
        .arg(fixture_cycle())
        .arg("--runs")
        .arg(&published().runs)
        .arg("--out")
        .arg(out);
    if overwrite {
        cmd.arg("--overwrite");
    }
    cmd
}

#[test]
fn a_re_run_gives_the_same_bytes_and_replaces_only_its_own_site() {
    let p = published();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let publish = |overwrite: bool| fixture_publish(&out, overwrite).assert();
    publish(false).success();
    assert_eq!(
        tree_bytes(&out),
        tree_bytes(&p.public),
        "byte-identical on a re-run"
    );
    publish(false)
        .code(2)
        .stderr(predicates::str::contains("--overwrite"));
    publish(true).success();
    assert_eq!(tree_bytes(&out), tree_bytes(&p.public));
    // Someone's file in the site folder: never replaced.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    publish(true)
        .code(2)
        .stderr(predicates::str::contains("notes.txt"));
    assert_eq!(std::fs::read(out.join("notes.txt")).unwrap(), b"mine");
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    // A folder the site does not have, even an empty one: refused at once, and the old
    // site never swapped out to be kept beside the new.
    std::fs::create_dir(out.join("data/old")).unwrap();
    publish(true)
        .code(2)
        .stderr(predicates::str::contains("data/old/"));
    assert!(out.join("data/old").is_dir());
    std::fs::remove_dir(out.join("data/old")).unwrap();
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["site"], "nothing kept beside the site");
    // A page edited since: not replaced either.
    std::fs::write(out.join("about.html"), "edited").unwrap();
    publish(true)
        .code(2)
        .stderr(predicates::str::contains("about.html has changed"));
    // Never inside the runs folder.
    npg()
        .args(["publish", "--cycle"])
        .arg(fixture_cycle())
        .arg("--runs")
        .arg(&p.runs)
        .arg("--out")
        .arg(p.runs.join("site"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("inside the runs folder"));
    assert!(!p.runs.join("site").exists());
}

#[test]
fn the_public_site_holds_no_contextual_measure_and_the_sector_site_does() {
    let p = published();
    let contextual = [
        "Public queries responded to within 72 hours",
        "responded_72h_percent",
        "Experience of anti-social behaviour",
        "Police officers, PCSOs and specials in the published workforce statistics",
    ];
    let public = tree_bytes(&p.public);
    for (path, bytes) in &public {
        let text = String::from_utf8_lossy(bytes);
        for c in contextual {
            assert!(!text.contains(c), "public {path} holds {c:?}");
        }
        assert!(
            !text.contains("72 hours"),
            "public {path} mentions the 72-hour measure"
        );
    }
    let sector = tree_bytes(&p.sector);
    let all: String = sector
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    for c in contextual {
        assert!(all.contains(c), "the sector site holds {c:?}");
    }
    // The public site's content is reusable under the Open Government Licence; the sector
    // site, not for public release, never says it is.
    for (path, bytes) in &public {
        if path.ends_with(".html") {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                text.contains("available under the Open Government Licence v3.0"),
                "{path}"
            );
        }
    }
    for (path, bytes) in &sector {
        if path.ends_with(".html") {
            let text = String::from_utf8_lossy(bytes);
            assert!(
                !text.contains("available under the Open Government Licence"),
                "{path}"
            );
            assert!(text.contains("not licensed for reuse"), "{path}");
        }
    }
    // Headline measures are on both, with their sources named only where configured.
    let measures = String::from_utf8_lossy(&public["measures.html"]).into_owned();
    assert!(measures.contains("Visible foot patrols"));
    assert!(measures.contains("Abstraction of officers from neighbourhood roles"));
    let rows = data_csv(&p.sector, "measures.csv");
    let sourced: Vec<&str> = rows
        .iter()
        .filter(|r| !r["source"].is_empty())
        .map(|r| r["source"].as_str())
        .collect();
    assert_eq!(
        sourced,
        [
            "Police workforce, England and Wales (Home Office)",
            "Crime Survey for England and Wales (Office for National Statistics)"
        ]
    );
}

#[test]
fn the_about_page_logs_every_figure_a_later_run_changed() {
    let p = published();
    let rows = data_csv(&p.public, "revisions.csv");
    // Kent's Q1 return was restated before Q2's cut-off; essex's late Q2 counted at Q3.
    let kent = rows
        .iter()
        .find(|r| r["force_id"] == "kent" && r["period"] == "Q1")
        .unwrap();
    let (q1, q2) = (ledger("Q1"), ledger("Q2"));
    assert_eq!(kent["old_value"], q1["kent"]["s_q1"]);
    assert_eq!(kent["new_value"], q2["kent"]["s_q1"]);
    assert_eq!(
        (kent["published_in"].as_str(), kent["revised_in"].as_str()),
        ("2025-26-Q1", "2025-26-Q2")
    );
    assert_eq!(kent["why"], "spending return corrected");
    let essex = rows
        .iter()
        .find(|r| r["force_id"] == "essex" && r["period"] == "Q2")
        .unwrap();
    assert_eq!(essex["why"], "late spending return counted");
    assert!(
        rows.iter()
            .filter(|r| r["force_id"] == "lancashire")
            .all(|r| r["why"] == "late monthly workforce return counted"
                && r["old_value"].is_empty())
    );
    let about = std::fs::read_to_string(p.public.join("about.html")).unwrap();
    let manifest = std::fs::read(p.runs.join("2025-26-Q4/manifest.json")).unwrap();
    let sha = npg::cycle::load::sha256_hex(&manifest);
    assert!(about.contains(&sha), "the run's manifest SHA-256");
    assert!(about.contains("npg-2025-26.1"), "the rules version");
    assert!(about.contains("not official statistics"));
    assert!(
        about.contains("30 April 2026"),
        "Q4's cut-off as GOV.UK writes a date"
    );
}

fn publish_from(runs: &Path, cycle: &Path, out: &Path) -> assert_cmd::assert::Assert {
    npg()
        .args(["publish", "--cycle"])
        .arg(cycle)
        .arg("--runs")
        .arg(runs)
        .arg("--out")
        .arg(out)
        .assert()
}

#[test]
fn a_run_folder_that_no_longer_matches_its_manifest_is_refused() {
    let p = published();
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    copy_dir(&p.runs, &runs);
    let ledger = runs.join("2025-26-Q2/ledger.csv");
    let text = std::fs::read_to_string(&ledger).unwrap();
    std::fs::write(&ledger, text.replacen("PAY", "NIL", 1)).unwrap();
    let out = dir.path().join("site");
    publish_from(&runs, &fixture_cycle(), &out)
        .code(1)
        .stderr(predicates::str::contains("2025-26-Q2"))
        .stderr(predicates::str::contains("ledger.csv has changed"));
    assert!(!out.exists(), "nothing written");

    // An input the run read, changed in the cycle folder since.
    let cycle = dir.path().join("cycle");
    copy_dir(&fixture_cycle(), &cycle);
    let forces = cycle.join("forces.csv");
    let text = std::fs::read_to_string(&forces).unwrap();
    std::fs::write(&forces, text.replace("Kent Police", "Kent Constabulary")).unwrap();
    publish_from(&p.runs, &cycle, &out)
        .code(1)
        .stderr(predicates::str::contains("forces.csv has changed"));
    assert!(!out.exists(), "nothing written");

    // A folder of someone else's in the way: said at once, not "give --overwrite".
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("index.html"), "mine").unwrap();
    publish_from(&p.runs, &fixture_cycle(), &out)
        .code(2)
        .stderr(predicates::str::contains("is not a site npg publish wrote"))
        .stderr(predicates::str::contains("no site-manifest.json"));
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), b"mine");
    std::fs::remove_dir_all(&out).unwrap();
    // A runs folder mistyped, and a cycle folder without its cycle.toml.
    publish_from(&dir.path().join("nosuch"), &fixture_cycle(), &out)
        .code(2)
        .stderr(predicates::str::contains("--runs"))
        .stderr(predicates::str::contains("there is no such folder"));
    publish_from(&p.runs, &p.runs, &out)
        .code(2)
        .stderr(predicates::str::contains("there is no cycle.toml in it"));
    // A file named as a folder is said to be a file, not called missing.
    publish_from(&p.runs, &fixture_cycle().join("cycle.toml"), &out)
        .code(2)
        .stderr(predicates::str::contains("it is a file, not a folder"));
    let file = dir.path().join("afile");
    std::fs::write(&file, "x").unwrap();
    publish_from(&p.runs, &fixture_cycle(), &file.join("site"))
        .code(2)
        .stderr(predicates::str::contains("afile is a file, not a folder"));
    // The site inside the cycle folder: said in publish's words, not pay's.
    publish_from(&p.runs, &cycle, &cycle.join("site"))
        .code(2)
        .stderr(predicates::str::contains("write the site elsewhere"))
        .stderr(predicates::str::contains("./runs").not());
    assert!(!cycle.join("site").exists());

    // A missing quarter in the chain, and a quarter named that has no run.
    std::fs::remove_dir_all(runs.join("2025-26-Q2")).unwrap();
    publish_from(&runs, &fixture_cycle(), &out)
        .code(2)
        .stderr(predicates::str::contains("no Q2 run"));
}

/// A copy of the fixture year's runs with `change` made to it, published: exit 1 with every
/// one of `said` in the message, and nothing written.
fn refused_after(change: impl FnOnce(&Path, &Path), said: &[&str]) {
    let p = published();
    let dir = tempfile::tempdir().unwrap();
    let runs = dir.path().join("runs");
    let cycle = dir.path().join("cycle");
    copy_dir(&p.runs, &runs);
    copy_dir(&fixture_cycle(), &cycle);
    change(&runs, &cycle);
    let out = dir.path().join("site");
    let mut assert = publish_from(&runs, &cycle, &out).code(1);
    for s in said {
        assert = assert.stderr(predicates::str::contains(*s));
    }
    assert!(!out.exists(), "nothing written");
}

/// Edits a run's `manifest.json` and writes it back as npg writes one, so that only the
/// edit differs.
fn edit_manifest(runs: &Path, folder: &str, edit: impl FnOnce(&mut Manifest)) {
    let path = runs.join(folder).join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut manifest = Manifest::parse(&text, "manifest.json").unwrap();
    assert_eq!(manifest.to_json(), text, "npg's own form");
    edit(&mut manifest);
    std::fs::write(&path, manifest.to_json()).unwrap();
}

#[test]
fn a_manifest_edited_or_a_run_folder_added_to_is_refused() {
    // Outputs left out of the manifest could then be changed unseen.
    refused_after(
        |runs, _| {
            edit_manifest(runs, "2025-26-Q4", |m| m.outputs.clear());
        },
        &["2025-26-Q4", "does not list every file a run writes"],
    );
    refused_after(
        |runs, _| {
            edit_manifest(runs, "2025-26-Q3", |m| {
                m.outputs.pop();
            });
        },
        &["2025-26-Q3", "does not list every file a run writes"],
    );
    // What the about page would print as fact: the rules version and the fingerprint.
    refused_after(
        |runs, _| edit_manifest(runs, "2025-26-Q4", |m| m.rules_version = "evil".into()),
        &["2025-26-Q4", "rules_version evil", "npg-2025-26.1"],
    );
    refused_after(
        |runs, _| {
            edit_manifest(runs, "2025-26-Q2", |m| {
                m.input_fingerprint = Some("0".repeat(64));
            })
        },
        &["2025-26-Q2", "input_fingerprint"],
    );
    // Anything else of the manifest that is not as the run wrote it: the files in another
    // order, an input's use, the program, the form of the file itself.
    refused_after(
        |runs, _| edit_manifest(runs, "2025-26-Q4", |m| m.outputs.swap(0, 1)),
        &["2025-26-Q4", "in the order a run writes them"],
    );
    refused_after(
        |runs, _| {
            edit_manifest(runs, "2025-26-Q2", |m| {
                let unused = m.inputs.iter_mut().find(|i| !i.used).unwrap();
                unused.used = true;
                unused.reason = None;
            })
        },
        &[
            "2025-26-Q2",
            "inputs are not as re-running the quarter records them",
        ],
    );
    refused_after(
        |runs, _| edit_manifest(runs, "2025-26-Q1", |m| m.tool.name = "other".into()),
        &["2025-26-Q1", "not written by npg"],
    );
    refused_after(
        |runs, _| {
            let path = runs.join("2025-26-Q3/manifest.json");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.trim_end()).unwrap();
        },
        &["2025-26-Q3", "not in the form npg writes"],
    );
    // A file or a folder in a run folder that the run did not write.
    refused_after(
        |runs, _| std::fs::write(runs.join("2025-26-Q4/extra.txt"), "x").unwrap(),
        &["2025-26-Q4", "extra.txt"],
    );
    refused_after(
        |runs, _| std::fs::create_dir(runs.join("2025-26-Q1/statements/old")).unwrap(),
        &["2025-26-Q1", "statements/old"],
    );
    // An input changed since the run is named as changed, however it was changed: a row
    // added to forces.csv is not reported as a problem of the allocations.
    refused_after(
        |_, cycle| {
            let forces = cycle.join("forces.csv");
            let mut text = std::fs::read_to_string(&forces).unwrap();
            text.push_str("x,y\n");
            std::fs::write(&forces, text).unwrap();
        },
        &["forces.csv has changed"],
    );
    refused_after(
        |_, cycle| std::fs::write(cycle.join("forces.csv"), "not,a,force,list\n").unwrap(),
        &["forces.csv has changed"],
    );
    // cycle.toml too, whether it still reads (another rules version) or not at all; the
    // run folders, which are as they were, are not blamed.
    refused_after(
        |_, cycle| {
            let path = cycle.join("cycle.toml");
            let text = std::fs::read_to_string(&path).unwrap();
            std::fs::write(&path, text.replace("npg-2025-26.1", "npg-2025-26.2")).unwrap();
        },
        &["cycle.toml has changed"],
    );
    refused_after(
        |_, cycle| {
            let path = cycle.join("cycle.toml");
            let mut text = std::fs::read_to_string(&path).unwrap();
            text.push_str("[[[\n");
            std::fs::write(&path, text).unwrap();
        },
        &["cycle.toml has changed"],
    );
}

#[test]
fn publishes_racing_into_one_new_folder_never_say_give_overwrite() {
    // Four at once into a folder none of them found: one writes it; any other finds it
    // there when it comes to put its own in place, and must say so, not tell a user who gave
    // --overwrite to give it.
    let p = published();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let (won, refusals) = race(&out, true);
    assert!(won >= 1);
    for stderr in refusals {
        assert!(
            stderr.contains("appeared while") && !stderr.contains("give --overwrite"),
            "{stderr}"
        );
    }
    assert_eq!(tree_bytes(&out), tree_bytes(&p.public));

    // Into an empty folder that was there (which holds nothing to lose), without
    // --overwrite: one site is written, and none replaces another's.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (won, refusals) = race(&empty, false);
    assert_eq!(won, 1, "one site, not one replacing another");
    for stderr in refusals {
        // Late to the check (a site there) or to putting it in place (one put there).
        assert!(
            stderr.contains("appeared while") || stderr.contains("give --overwrite"),
            "{stderr}"
        );
    }
}

/// Four `npg publish` at once into `out`: how many wrote the site, and what each of the
/// others (exit 2) said.
fn race(out: &Path, overwrite: bool) -> (usize, Vec<String>) {
    let children: Vec<_> = (0..4)
        .map(|_| {
            let mut cmd = std::process::Command::new(crate::common::npg_path());
            cmd.args(["publish", "--cycle"])
                .arg(fixture_cycle())
                .arg("--runs")
                .arg(&published().runs)
                .arg("--out")
                .arg(out)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            if overwrite {
                cmd.arg("--overwrite");
            }
            cmd.spawn().unwrap()
        })
        .collect();
    let mut won = 0;
    let mut refusals = Vec::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        match output.status.code() {
            Some(0) => won += 1,
            Some(2) => refusals.push(stderr),
            other => panic!("{other:?}: {stderr}"),
        }
    }
    (won, refusals)
}

#[test]
fn a_file_a_link_or_a_run_folder_where_a_folder_of_runs_or_a_site_goes_is_said_to_be_so() {
    let p = published();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("afile");
    std::fs::write(&file, "x").unwrap();
    for overwrite in [false, true] {
        fixture_publish(&file, overwrite)
            .assert()
            .code(2)
            .stderr(predicates::str::contains("afile is a file, not a folder"))
            .stderr(predicates::str::contains("--overwrite").not());
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
    #[cfg(unix)]
    {
        let link = dir.path().join("alink");
        std::os::unix::fs::symlink(&p.public, &link).unwrap();
        publish_from(&p.runs, &fixture_cycle(), &link)
            .code(2)
            .stderr(predicates::str::contains("alink is a symbolic link"));
    }
    // One run folder given as the folder of runs.
    publish_from(
        &p.runs.join("2025-26-Q4"),
        &fixture_cycle(),
        &dir.path().join("site"),
    )
    .code(2)
    .stderr(predicates::str::contains("is a run folder"))
    .stderr(predicates::str::contains(
        "the folder that holds the run folders",
    ));
}

#[test]
fn an_earlier_quarter_can_be_published_and_shows_only_its_runs() {
    let p = published();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    npg()
        .args(["publish", "--cycle"])
        .arg(fixture_cycle())
        .arg("--runs")
        .arg(&p.runs)
        .arg("--out")
        .arg(&out)
        .args(["--quarter", "Q2"])
        .assert()
        .success();
    let q2 = ledger("Q2");
    let headline: BTreeMap<String, String> = data_csv(&out, "headline.csv")
        .into_iter()
        .map(|r| (r["key"].clone(), r["value"].clone()))
        .collect();
    let paid: Decimal = q2.values().map(|l| dec(&l["paid_after"])).sum();
    assert_eq!(dec(&headline["paid_to_date"]), paid);
    assert_eq!(data_csv(&out, "kent-payments.csv").len(), 2);
    assert_eq!(
        data_csv(&out, "national-growth.csv").len(),
        6,
        "April to September"
    );
    // Lancashire's September return came late: the share of the commitment says whose
    // growth it is.
    let reporting = &headline["forces_reporting"];
    assert_eq!(reporting, "42");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        index.contains("the growth to September 2025 reported by 42 of the 43 forces is"),
        "the commitment's share names the forces reporting"
    );
}
