//! Issue 11, items 4 and 12: `audit verify` reads a run folder's files within the bounds of
//! what the run wrote, holds a run folder to exactly the files its manifest names, and
//! never opens a path its manifest names outside the cycle or output folder.

use std::path::Path;
use std::time::Duration;

use super::support::{Measured, Workspace, edit_part, mkfifo, os, run_npg, unzip, zip_of};
use crate::common::npg;

fn paid(quarters: &str) -> Workspace {
    let ws = Workspace::new();
    npg()
        .args(["pay", "--quarter", quarters, "--cycle"])
        .arg(ws.cycle())
        .arg("--out")
        .arg(ws.runs())
        .assert()
        .success();
    ws
}

fn verify(ws: &Workspace, run: &str) -> Measured {
    run_npg(
        &[
            os(Path::new("audit")),
            os(Path::new("verify")),
            os(&ws.runs().join(run)),
            os(Path::new("--cycle")),
            os(ws.cycle()),
        ],
        Duration::from_secs(120),
    )
}

#[test]
fn a_run_folder_workbook_with_a_value_at_xfd1048576_is_edited_and_unreadable_not_read() {
    let ws = paid("Q1");
    let path = ws.runs().join("2025-26-Q1/reconciliation.xlsx");
    let far = edit_part(
        &std::fs::read(&path).unwrap(),
        "xl/worksheets/sheet2.xml",
        |xml| {
            xml.replace(
                "</sheetData>",
                "<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row></sheetData>",
            )
        },
    );
    std::fs::write(&path, far).unwrap();
    let run = verify(&ws, "2025-26-Q1");
    run.assert_ended_with(1, "verify");
    assert!(
        run.stdout.contains("reconciliation.xlsx: DIFFERS")
            && run.stdout.contains("edited and unreadable")
            && run.stdout.contains("XFD1048576"),
        "{}",
        run.output()
    );
}

#[test]
fn a_run_folder_workbook_grown_or_packed_with_a_bomb_is_edited_and_unreadable() {
    let ws = paid("Q1");
    let schedule = ws.runs().join("2025-26-Q1/payment-schedule.xlsx");
    let bytes = std::fs::read(&schedule).unwrap();
    // Grown to several times what the run wrote: not read at all.
    let mut parts = unzip(&bytes);
    // Bytes that do not compress (xorshift), so that the file really grows.
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let noise: Vec<u8> = (0..6_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    parts.push(("xl/media/noise.bin".to_owned(), noise));
    let refs: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    std::fs::write(&schedule, zip_of(&refs)).unwrap();
    let run = verify(&ws, "2025-26-Q1");
    run.assert_ended_with(1, "verify of a grown workbook");
    assert!(
        run.stdout.contains("edited and unreadable: it is"),
        "{}",
        run.output()
    );
    // The same size, but a part that unpacks to 60 MB of nothing.
    let mut parts = unzip(&bytes);
    parts.push(("xl/media/zeros.bin".to_owned(), vec![0; 60_000_000]));
    let refs: Vec<(&str, Vec<u8>)> = parts.iter().map(|(n, d)| (n.as_str(), d.clone())).collect();
    std::fs::write(&schedule, zip_of(&refs)).unwrap();
    let run = verify(&ws, "2025-26-Q1");
    run.assert_ended_with(1, "verify of a bomb");
    assert!(
        run.stdout.contains("edited and unreadable") && run.stdout.contains("unpacks to more than"),
        "{}",
        run.output()
    );
    // A sheet of a million rows of cells, each within the file's size.
    let rows: String = (1..=200_000)
        .map(|r| format!("<row r=\"{r}\"><c r=\"A{r}\"><v>1</v></c></row>"))
        .collect();
    let tall = edit_part(&bytes, "xl/worksheets/sheet2.xml", |xml| {
        let start = xml.find("<sheetData>").unwrap() + "<sheetData>".len();
        let end = xml.find("</sheetData>").unwrap();
        format!("{}{rows}{}", &xml[..start], &xml[end..])
    });
    std::fs::write(&schedule, tall).unwrap();
    let run = verify(&ws, "2025-26-Q1");
    run.assert_ended_with(1, "verify of a tall sheet");
    assert!(
        run.stdout.contains("edited and unreadable"),
        "{}",
        run.output()
    );
}

#[test]
fn files_a_run_did_not_write_in_its_folder_fail_the_verify_and_are_named() {
    let ws = paid("Q1");
    let q1 = ws.runs().join("2025-26-Q1");
    std::fs::write(q1.join("payment-schedule (approved).txt"), b"approved").unwrap();
    std::fs::write(q1.join(".~lock.payment-schedule.xlsx#"), b"J Smith").unwrap();
    std::fs::write(q1.join("~$yment-schedule.xlsx"), b"J Smith").unwrap();
    std::fs::create_dir(q1.join("notes")).unwrap();
    let run = verify(&ws, "2025-26-Q1");
    run.assert_ended_with(1, "verify");
    for line in [
        "extra     payment-schedule (approved).txt (not a file the run wrote: added to the run folder since)",
        "extra     .~lock.payment-schedule.xlsx# (LibreOffice's lock file: payment-schedule.xlsx is open in LibreOffice",
        "extra     ~$yment-schedule.xlsx (Excel's owner file",
        "extra     notes (not a file the run wrote (a folder",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.output());
    }
    assert!(run.stdout.contains("result: DIFFERENT"), "{}", run.output());
}

/// The run's manifest with `edit` applied to its JSON.
fn edit_manifest(ws: &Workspace, run: &str, edit: impl Fn(&mut serde_json::Value)) {
    let path = ws.runs().join(run).join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut manifest);
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
}

#[test]
fn a_manifest_naming_a_path_outside_the_cycle_or_output_folder_is_refused_unopened() {
    let outside = tempfile::tempdir().unwrap();
    // A pipe outside the cycle: were it opened, the verify would block for ever.
    let pipe = outside.path().join("pipe");
    mkfifo(&pipe);
    let secret = outside.path().join("secret.csv");
    std::fs::write(&secret, "SECRET-LINE,never to be printed\n").unwrap();
    let pipe = pipe.display().to_string();
    let secret_path = secret.display().to_string();
    type Edit<'a> = Box<dyn Fn(&mut serde_json::Value) + 'a>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "an absolute input",
            Box::new(|m| m["inputs"][5]["path"] = pipe.clone().into()),
        ),
        (
            "an input above the cycle",
            Box::new(|m| m["inputs"][5]["path"] = "returns/../../../pipe".into()),
        ),
        (
            "exact bytes outside",
            Box::new(|m| m["inputs"][5]["path_bytes"] = "%2Fetc%2Fpasswd".into()),
        ),
        (
            "an absolute prior ledger",
            Box::new(|m| m["prior_run"]["path"] = secret_path.clone().into()),
        ),
        (
            "a prior ledger elsewhere",
            Box::new(|m| m["prior_run"]["path"] = "../../secret.csv".into()),
        ),
        (
            "an output elsewhere",
            Box::new(|m| m["outputs"][2]["path"] = "../../secret.csv".into()),
        ),
    ];
    for (what, edit) in cases {
        let ws = paid("Q1-Q2");
        edit_manifest(&ws, "2025-26-Q2", edit);
        let run = verify(&ws, "2025-26-Q2");
        run.assert_ended_with(2, what);
        assert!(
            run.stderr
                .contains("the manifest was edited, and nothing it names was opened"),
            "{what}: {}",
            run.output()
        );
        assert!(
            !run.output().contains("SECRET-LINE"),
            "{what}: {}",
            run.output()
        );
    }
}

#[test]
fn a_manifest_claiming_a_huge_output_never_makes_a_command_read_it_whole() {
    // Found by review: the manifest's recorded size of an output set how much was read.
    let ws = paid("Q1-Q2");
    edit_manifest(&ws, "2025-26-Q1", |m| {
        m["outputs"][0]["bytes"] = 999_999_999_999u64.into()
    });
    let schedule = ws.runs().join("2025-26-Q1/payment-schedule.xlsx");
    super::support::sparse_file(&schedule, 800 * 1024 * 1024);
    let run = verify(&ws, "2025-26-Q1");
    run.assert_ended_with(1, "verify");
    let runs = ws.runs();
    let pay = |args: &[&str]| {
        let mut all: Vec<&std::ffi::OsStr> = vec![os(Path::new("pay"))];
        all.extend(args.iter().map(|a| std::ffi::OsStr::new(*a)));
        all.extend([
            os(Path::new("--cycle")),
            os(ws.cycle()),
            os(Path::new("--out")),
            os(&runs),
        ]);
        run_npg(&all, Duration::from_secs(120))
    };
    // Replacing Q1, and starting Q2 from it: both check its files, neither reads them whole.
    pay(&["--quarter", "Q1", "--overwrite"]).assert_ended_with(2, "pay --overwrite");
    pay(&["--quarter", "Q2", "--overwrite"]).assert_ended_with(1, "pay Q2");
}
