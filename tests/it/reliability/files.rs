//! Issue 11, items 7, 8 and 9: only regular files are opened, nothing is read beyond its
//! size limit, and a file's name is recorded so that its run verifies whatever its encoding.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::Duration;

use super::support::{Workspace, mkfifo, os, run_npg, sparse_file};
use crate::common::read_ledger;

const MINUTE: Duration = Duration::from_secs(60);

fn pay(ws: &Workspace, quarter: &str) -> super::support::Measured {
    run_npg(
        &[
            os(Path::new("pay")),
            os(Path::new("--quarter")),
            os(Path::new(quarter)),
            os(Path::new("--cycle")),
            os(ws.cycle()),
            os(Path::new("--out")),
            os(&ws.runs()),
        ],
        MINUTE,
    )
}

fn verify(ws: &Workspace, run: &Path) -> super::support::Measured {
    run_npg(
        &[
            os(Path::new("audit")),
            os(Path::new("verify")),
            os(run),
            os(Path::new("--cycle")),
            os(ws.cycle()),
        ],
        MINUTE,
    )
}

fn validate(paths: &[&Path]) -> super::support::Measured {
    let mut args = vec![os(Path::new("validate"))];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    run_npg(&args, MINUTE)
}

/// The manifest's record of an input, by its path as shown.
fn input_record(ws: &Workspace, quarter: &str, path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(ws.runs().join(format!("2025-26-{quarter}/manifest.json")))
        .unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == path)
        .unwrap_or_else(|| panic!("{path} is not in the manifest"))
        .clone()
}

#[test]
fn a_pipe_a_socket_and_links_under_returns_are_named_and_never_opened() {
    let ws = Workspace::new();
    let finance = ws.returns("finance");
    mkfifo(&finance.join("pipe.xlsx"));
    let _socket = std::os::unix::net::UnixListener::bind(finance.join("socket.xlsx")).unwrap();
    std::os::unix::fs::symlink(finance.join("pipe.xlsx"), finance.join("link.xlsx")).unwrap();
    std::os::unix::fs::symlink(ws.returns("plans"), finance.join("folder.xlsx")).unwrap();

    let run = pay(&ws, "Q1");
    run.assert_ended_with(0, "pay");
    for (name, what) in [
        ("pipe.xlsx", "a named pipe (FIFO)"),
        ("socket.xlsx", "a socket"),
        ("link.xlsx", "a named pipe (FIFO)"),
        ("folder.xlsx", "a folder"),
    ] {
        let record = input_record(&ws, "Q1", &format!("returns/finance/{name}"));
        assert_eq!(record["used"], false, "{name}");
        assert!(
            record["reason"].as_str().unwrap().contains(what),
            "{name}: {record}"
        );
    }
    // The run still verifies: a pipe is recorded as what it is, unread.
    verify(&ws, &ws.runs().join("2025-26-Q1")).assert_ended_with(0, "verify");

    let run = validate(&[&finance]);
    run.assert_ended_with(1, "validate of the folder");
    assert!(
        run.stdout.contains(
            "pipe.xlsx: it is a named pipe (FIFO), not a regular file, so it was not opened"
        ),
        "{}",
        run.output()
    );
    assert!(
        run.stdout.contains("socket.xlsx: it is a socket"),
        "{}",
        run.output()
    );
    let run = validate(&[&finance.join("pipe.xlsx")]);
    run.assert_ended_with(1, "validate of the pipe itself");
    assert!(
        run.stdout.contains("a named pipe (FIFO)"),
        "{}",
        run.output()
    );
}

#[test]
fn a_pipe_in_place_of_a_cycle_file_or_a_run_file_stops_the_command_at_once_naming_it() {
    for name in ["allocations.xlsx", "forces.csv", "cycle.toml"] {
        let ws = Workspace::new();
        let path = ws.cycle().join(name);
        std::fs::remove_file(&path).unwrap();
        mkfifo(&path);
        let run = pay(&ws, "Q1");
        run.assert_ended_with(2, name);
        assert!(
            run.stderr.contains(name) && run.stderr.contains("named pipe"),
            "{name}: {}",
            run.output()
        );
    }
    // A run folder's ledger or manifest: the next quarter and the verify both stop at once.
    let ws = Workspace::new();
    pay(&ws, "Q1-Q2").assert_ended_with(0, "pay");
    let ledger = ws.runs().join("2025-26-Q1/ledger.csv");
    std::fs::remove_file(&ledger).unwrap();
    mkfifo(&ledger);
    let run = verify(&ws, &ws.runs().join("2025-26-Q2"));
    assert!(
        !run.timed_out && run.code.is_some_and(|c| c != 0),
        "{run:?}"
    );
    let manifest = ws.runs().join("2025-26-Q2/manifest.json");
    std::fs::remove_file(&manifest).unwrap();
    mkfifo(&manifest);
    let run = verify(&ws, &ws.runs().join("2025-26-Q2"));
    run.assert_ended_with(2, "verify of a run whose manifest is a pipe");
    assert!(run.stderr.contains("named pipe"), "{}", run.output());
}

/// 2.5 GB: more than any return, and more than a test machine would lend.
const HUGE: u64 = 2_684_354_560;

#[test]
fn a_huge_file_is_refused_by_its_size_without_being_read() {
    let ws = Workspace::new();
    let finance = ws.returns("finance");
    sparse_file(&finance.join("big.xlsx"), HUGE);
    std::os::unix::fs::symlink(finance.join("big.xlsx"), finance.join("big-link.ods")).unwrap();
    let run = pay(&ws, "Q1");
    run.assert_ended_with(0, "pay");
    assert!(run.elapsed < Duration::from_secs(30), "{:?}", run.elapsed);
    for name in ["big.xlsx", "big-link.ods"] {
        let record = input_record(&ws, "Q1", &format!("returns/finance/{name}"));
        assert!(
            record["reason"]
                .as_str()
                .unwrap()
                .contains("it is 2.5 GB, more than the 10 MB a file of this kind may be"),
            "{record}"
        );
        assert_eq!(record["bytes"], HUGE);
    }
    verify(&ws, &ws.runs().join("2025-26-Q1")).assert_ended_with(0, "verify");
    let run = validate(&[&finance.join("big.xlsx")]);
    run.assert_ended_with(1, "validate");
    assert!(run.stdout.contains("2.5 GB"), "{}", run.output());

    // In place of the allocations, or of a run's manifest.
    let ws = Workspace::new();
    pay(&ws, "Q1").assert_ended_with(0, "pay");
    let allocations = ws.cycle().join("allocations.xlsx");
    std::fs::remove_file(&allocations).unwrap();
    sparse_file(&allocations, HUGE);
    let run = pay(&ws, "Q2");
    run.assert_ended_with(2, "pay with huge allocations");
    assert!(
        run.stderr.contains("allocations.xlsx") && run.stderr.contains("2.5 GB"),
        "{}",
        run.output()
    );
    let manifest = ws.runs().join("2025-26-Q1/manifest.json");
    sparse_file(&manifest, HUGE);
    let run = verify(&ws, &ws.runs().join("2025-26-Q1"));
    run.assert_ended_with(2, "verify with a huge manifest");
    assert!(run.stderr.contains("2.5 GB"), "{}", run.output());
}

/// The bytes of a name that is not UTF-8: a CP1252 dash from a Windows zip.
fn name(bytes: &[u8]) -> &OsStr {
    OsStr::from_bytes(bytes)
}

#[test]
fn names_that_are_not_utf8_are_recorded_exactly_and_their_runs_verify() {
    let ws = Workspace::new();
    let finance = ws.returns("finance");
    std::fs::rename(
        finance.join("kent-2025-26-Q2-v1.xlsx"),
        finance.join(name(b"Kent Q2 \x96 final.xlsx")),
    )
    .unwrap();
    // Two names that differ only in a byte that is not UTF-8.
    std::fs::rename(
        finance.join("essex-2025-26-Q1-v1.xlsx"),
        finance.join(name(b"Essex Q1 \x97 final.xlsx")),
    )
    .unwrap();
    std::fs::copy(
        ws.returns("plans").join("kent-plan-v1.xlsx"),
        finance.join(name(b"Kent Q2 \x97 final.xlsx")),
    )
    .unwrap();
    // A folder whose name is not UTF-8, and names with a real % in them.
    let odd = ws.cycle().join("returns").join(name(b"finance \xff"));
    std::fs::create_dir(&odd).unwrap();
    std::fs::rename(
        finance.join("durham-2025-26-Q1-v1.xlsx"),
        odd.join("durham.xlsx"),
    )
    .unwrap();
    std::fs::rename(
        finance.join("dorset-2025-26-Q1-v1.xlsx"),
        finance.join("dorset 100%.xlsx"),
    )
    .unwrap();
    std::fs::copy(finance.join("dorset 100%.xlsx"), finance.join("a%96.xlsx")).unwrap();

    pay(&ws, "Q1-Q2").assert_ended_with(0, "pay");
    let ledger = read_ledger(&ws.runs().join("2025-26-Q2/ledger.csv"));
    assert_eq!(
        ledger["kent"]["payment"], "1247613.60",
        "kent's return was read and paid"
    );
    let kent = input_record(&ws, "Q2", "returns/finance/Kent Q2 \\x96 final.xlsx");
    assert_eq!(kent["path_bytes"], "returns/finance/Kent Q2 %96 final.xlsx");
    assert_eq!(kent["used"], true);
    input_record(&ws, "Q2", "returns/finance/Kent Q2 \\x97 final.xlsx");
    input_record(&ws, "Q1", "returns/finance \\xFF/durham.xlsx");
    let percent = input_record(&ws, "Q1", "returns/finance/a%96.xlsx");
    assert!(
        percent.get("path_bytes").is_none(),
        "a UTF-8 name needs no bytes: {percent}"
    );
    // Untouched, every run verifies, and the chain with it.
    let run = verify(&ws, &ws.runs());
    run.assert_ended_with(0, "verify");
    assert!(
        run.stdout.contains("IDENTICAL: every run follows"),
        "{}",
        run.output()
    );
}
