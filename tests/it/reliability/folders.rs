//! Issue 11, items 1, 10 and 14: nothing npg writes replaces or removes what it did not
//! write, and one run at a time writes into an output folder.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::support::{Workspace, mkfifo};
use crate::common::{copy_dir, fixture_cycle, npg, npg_path, tree_bytes};

fn pay_over(cycle: &Path, out: &Path, quarter: &str) -> assert_cmd::assert::Assert {
    npg()
        .args(["pay", "--overwrite", "--quarter", quarter, "--cycle"])
        .arg(cycle)
        .arg("--out")
        .arg(out)
        .assert()
}

fn stderr(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

#[test]
fn a_run_never_replaces_the_folder_holding_its_cycle() {
    // As the review found it: the cycle archived as archive/2025-26-Q1, the run into archive.
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("archive");
    let cycle = archive.join("2025-26-Q1");
    copy_dir(&fixture_cycle(), &cycle);
    let before = tree_bytes(&archive);
    let assert = pay_over(&cycle, &archive, "Q1").code(2);
    assert!(
        stderr(&assert).contains("holds, the cycle folder"),
        "{}",
        stderr(&assert)
    );
    assert!(tree_bytes(&archive) == before, "nothing was touched");
    // The cycle deeper inside the run folder, or reached through a link.
    let deeper = dir.path().join("deeper");
    copy_dir(&fixture_cycle(), &deeper.join("2025-26-Q2/inputs/cycle"));
    let before = tree_bytes(&deeper);
    pay_over(&deeper.join("2025-26-Q2/inputs/cycle"), &deeper, "Q1-Q2").code(2);
    assert!(tree_bytes(&deeper) == before);
    let linked = dir.path().join("linked");
    std::fs::create_dir(&linked).unwrap();
    std::os::unix::fs::symlink(&cycle, dir.path().join("cycle-link")).unwrap();
    std::os::unix::fs::symlink(&cycle, linked.join("2025-26-Q1")).unwrap();
    let before = tree_bytes(&archive);
    pay_over(&dir.path().join("cycle-link"), &linked, "Q1").code(2);
    assert!(tree_bytes(&archive) == before);
}

#[test]
fn overwrite_replaces_only_a_run_folder_npg_wrote_still_as_it_wrote_it() {
    let ws = Workspace::new();
    let runs = ws.runs();
    pay_over(ws.cycle(), &runs, "Q1").success();
    let q1 = runs.join("2025-26-Q1");
    let refused = |what: &str, says: &str| {
        let before = tree_bytes(&runs);
        let assert = pay_over(ws.cycle(), &runs, "Q1").code(2);
        assert!(
            stderr(&assert).contains(says),
            "{what}: {}",
            stderr(&assert)
        );
        assert!(tree_bytes(&runs) == before, "{what}: nothing was touched");
    };
    // A file an auditor put beside the outputs.
    std::fs::write(
        q1.join("payment-schedule (approved).txt"),
        b"approved by J Smith",
    )
    .unwrap();
    refused("an added file", "payment-schedule (approved).txt");
    std::fs::remove_file(q1.join("payment-schedule (approved).txt")).unwrap();
    // An output edited since the run (a workbook saved again by its reader).
    let ledger = std::fs::read(q1.join("ledger.csv")).unwrap();
    std::fs::write(q1.join("ledger.csv"), [&ledger[..], b"\n"].concat()).unwrap();
    refused(
        "an edited output",
        "ledger.csv has changed since the run wrote it",
    );
    std::fs::write(q1.join("ledger.csv"), &ledger).unwrap();
    // A folder of someone's own in the run folder's place.
    let manifest = std::fs::read(q1.join("manifest.json")).unwrap();
    std::fs::remove_file(q1.join("manifest.json")).unwrap();
    refused("no manifest", "is not a run folder npg wrote");
    std::fs::write(q1.join("manifest.json"), b"{\"written by\": \"me\"}").unwrap();
    refused("a manifest npg did not write", "is not one npg wrote");
    std::fs::write(q1.join("manifest.json"), &manifest).unwrap();
    // A link where the run folder was.
    let elsewhere = ws.out.path().join("elsewhere");
    std::fs::rename(&q1, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &q1).unwrap();
    refused("a link", "is a symbolic link");
    std::fs::remove_file(&q1).unwrap();
    std::fs::rename(&elsewhere, &q1).unwrap();
    // Issue 13, item 4: inside `statements/` as at the top: a file someone added there, a
    // statement edited, one removed, a folder nested in it, and a link as the folder.
    let statements = q1.join("statements");
    std::fs::write(statements.join("kent (sent).txt"), b"sent to kent").unwrap();
    refused("a file added to statements/", "statements/kent (sent).txt");
    std::fs::remove_file(statements.join("kent (sent).txt")).unwrap();
    std::fs::create_dir(statements.join("old")).unwrap();
    refused("a folder in statements/", "statements/old");
    std::fs::remove_dir(statements.join("old")).unwrap();
    let kent = statements.join("kent-2025-26-Q1.xlsx");
    let kept = std::fs::read(&kent).unwrap();
    std::fs::write(&kent, [&kept[..], b"\0"].concat()).unwrap();
    refused(
        "an edited statement",
        "statements/kent-2025-26-Q1.xlsx has changed since the run wrote it",
    );
    std::fs::remove_file(&kent).unwrap();
    refused(
        "a statement removed",
        "statements/kent-2025-26-Q1.xlsx is missing",
    );
    std::fs::write(&kent, &kept).unwrap();
    let moved = ws.out.path().join("statements-elsewhere");
    std::fs::rename(&statements, &moved).unwrap();
    std::os::unix::fs::symlink(&moved, &statements).unwrap();
    refused("a link as statements/", "\"statements\" (a symbolic link");
    std::fs::remove_file(&statements).unwrap();
    std::fs::rename(&moved, &statements).unwrap();
    // As npg wrote it: replaced.
    pay_over(ws.cycle(), &runs, "Q1").success();
    assert!(moved.symlink_metadata().is_err());
}

#[test]
fn a_leftover_staging_folder_is_removed_only_when_it_holds_nothing_but_run_files() {
    let ws = Workspace::new();
    let runs = ws.runs();
    pay_over(ws.cycle(), &runs, "Q1").success();
    // Named as a killed run's staging folder (no process has this id), holding someone's
    // folder of notes; and an old folder of a two-step swap holding a file of theirs.
    let staged = runs.join(".npg-partial-4294967295-abc");
    std::fs::create_dir_all(staged.join("notes")).unwrap();
    std::fs::write(staged.join("notes/keep.txt"), b"mine").unwrap();
    pay_over(ws.cycle(), &runs, "Q1").success();
    assert_eq!(
        std::fs::read(staged.join("notes/keep.txt")).unwrap(),
        b"mine"
    );
    let aside = runs.join(".npg-old-2025-26-Q1");
    std::fs::create_dir(&aside).unwrap();
    std::fs::write(aside.join("keep.txt"), b"mine").unwrap();
    pay_over(ws.cycle(), &runs, "Q1").code(2);
    assert_eq!(std::fs::read(aside.join("keep.txt")).unwrap(), b"mine");
    std::fs::remove_dir_all(&aside).unwrap();
    std::fs::remove_dir_all(&staged).unwrap();
    // Issue 13, item 4: a leftover holding a run folder's files and `statements/` is
    // npg's own and removed; one with a stray file in `statements/` is kept, and so is an
    // old folder of a swap with one.
    let q1 = runs.join("2025-26-Q1");
    let leftover = |name: &str| {
        let path = runs.join(name);
        crate::common::copy_dir(&q1, &path);
        path
    };
    let partial = leftover(".npg-partial-4294967295-run");
    pay_over(ws.cycle(), &runs, "Q1").success();
    assert!(!partial.exists(), "a leftover of run files only is removed");
    let partial = leftover(".npg-partial-4294967295-notes");
    std::fs::write(partial.join("statements/notes.txt"), b"mine").unwrap();
    pay_over(ws.cycle(), &runs, "Q1").success();
    assert_eq!(
        std::fs::read(partial.join("statements/notes.txt")).unwrap(),
        b"mine"
    );
    let aside = leftover(".npg-old-2025-26-Q1");
    std::fs::write(aside.join("statements/notes.txt"), b"mine").unwrap();
    pay_over(ws.cycle(), &runs, "Q1").code(2);
    assert_eq!(
        std::fs::read(aside.join("statements/notes.txt")).unwrap(),
        b"mine"
    );
    // Without the stray file, the interrupted swap is completed: the old folder goes.
    std::fs::remove_file(aside.join("statements/notes.txt")).unwrap();
    pay_over(ws.cycle(), &runs, "Q1").success();
    assert!(!aside.exists());
}

fn fixtures_command(out: &Path) -> assert_cmd::assert::Assert {
    assert_cmd::Command::new(assert_cmd::cargo::cargo_bin!("npg-fixtures"))
        .arg(out)
        .assert()
}

#[test]
fn npg_fixtures_replaces_only_a_folder_it_wrote_holding_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    // Someone's folder (as a home folder would be): refused, untouched.
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join("Documents")).unwrap();
    std::fs::write(home.join("Documents/budget.xlsx"), b"mine").unwrap();
    let assert = fixtures_command(&home).code(2);
    assert!(
        stderr(&assert).contains("has no .npg-fixtures list"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(
        std::fs::read(home.join("Documents/budget.xlsx")).unwrap(),
        b"mine"
    );
    // A file, and a link, in the way.
    std::fs::write(dir.path().join("file"), b"mine").unwrap();
    fixtures_command(&dir.path().join("file")).code(2);
    std::os::unix::fs::symlink(&home, dir.path().join("link")).unwrap();
    fixtures_command(&dir.path().join("link")).code(2);
    assert_eq!(std::fs::read(dir.path().join("file")).unwrap(), b"mine");
    // Its own folder is made again; with a file added to it, it is not.
    let cycle = dir.path().join("cycle");
    fixtures_command(&cycle).success();
    fixtures_command(&cycle).success();
    std::fs::write(
        cycle.join("returns/finance/late-return.xlsx"),
        b"a force's file",
    )
    .unwrap();
    let assert = fixtures_command(&cycle).code(2);
    assert!(
        stderr(&assert).contains("late-return.xlsx"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(
        std::fs::read(cycle.join("returns/finance/late-return.xlsx")).unwrap(),
        b"a force's file"
    );
}

fn template(out: &Path, overwrite: bool) -> assert_cmd::assert::Assert {
    let mut command = npg();
    command
        .args([
            "template",
            "finance",
            "--force",
            "kent",
            "--quarter",
            "Q2",
            "--cycle",
        ])
        .arg(fixture_cycle())
        .arg("-o")
        .arg(out);
    if overwrite {
        command.arg("--overwrite");
    }
    command.assert()
}

#[test]
fn overwrite_of_a_single_file_replaces_only_a_regular_file_npg_wrote() {
    let dir = tempfile::tempdir().unwrap();
    // A pipe: refused at once (never opened, so nothing blocks), and still a pipe.
    let fifo = dir.path().join("pipe.xlsx");
    mkfifo(&fifo);
    let started = Instant::now();
    let assert = template(&fifo, true).code(2);
    assert!(
        stderr(&assert).contains("a named pipe (FIFO)"),
        "{}",
        stderr(&assert)
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo()
    );
    // A link to a template npg wrote: the link is not replaced, nor what it leads to.
    let real = dir.path().join("kent.xlsx");
    template(&real, false).success();
    let bytes = std::fs::read(&real).unwrap();
    let link = dir.path().join("link.xlsx");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let assert = template(&link, true).code(2);
    assert!(
        stderr(&assert).contains("a symbolic link"),
        "{}",
        stderr(&assert)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&real).unwrap(), bytes);
    // A dangling link is not followed to make a file either.
    let dangling = dir.path().join("dangling.xlsx");
    std::os::unix::fs::symlink(dir.path().join("nowhere.xlsx"), &dangling).unwrap();
    template(&dangling, false).code(2);
    assert!(!dir.path().join("nowhere.xlsx").exists());
    // A return a force filled in and saved again: it is their work.
    let filled = dir.path().join("filled.xlsx");
    std::fs::copy(
        fixture_cycle().join("returns/finance/kent-2025-26-Q2-v1.xlsx"),
        &filled,
    )
    .unwrap();
    let saved = super::support::edit_part(
        &std::fs::read(&filled).unwrap(),
        "docProps/core.xml",
        |xml| {
            xml.replace(
                "<cp:lastModifiedBy></cp:lastModifiedBy>",
                "<cp:lastModifiedBy>Kent finance</cp:lastModifiedBy>",
            )
        },
    );
    std::fs::write(&filled, &saved).unwrap();
    let assert = template(&filled, true).code(2);
    assert!(
        stderr(&assert).contains("since saved by another program"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(std::fs::read(&filled).unwrap(), saved);
    // A reconciliation in the place of the allocations workbook.
    let allocations = dir.path().join("allocations.xlsx");
    std::fs::copy(fixture_cycle().join("allocations.xlsx"), &allocations).unwrap();
    let assert = template(&allocations, true).code(2);
    assert!(
        stderr(&assert).contains("but not a blank template"),
        "{}",
        stderr(&assert)
    );
    // npg's own template, unsaved since: replaced.
    template(&real, true).success();
}

#[test]
fn a_template_is_never_written_into_the_cycle_folder() {
    let ws = Workspace::new();
    let target = ws.returns("finance").join("kent-2025-26-Q2-v1.xlsx");
    let before = std::fs::read(&target).unwrap();
    let assert = npg()
        .args([
            "template",
            "finance",
            "--force",
            "kent",
            "--quarter",
            "Q2",
            "--overwrite",
            "--cycle",
        ])
        .arg(ws.cycle())
        .arg("-o")
        .arg(&target)
        .assert()
        .code(2);
    assert!(
        stderr(&assert).contains("is inside the cycle folder"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(std::fs::read(&target).unwrap(), before);
}

/// The mode a command gives a new file, run with `umask`.
fn mode_with_umask(umask: u32, out: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(npg_path());
    command
        .args(["template", "plan", "--force", "kent", "--cycle"])
        .arg(fixture_cycle())
        .arg("-o")
        .arg(out)
        .stdout(Stdio::null());
    // SAFETY: umask is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(move || {
            libc::umask(umask as libc::mode_t);
            Ok(())
        });
    }
    assert!(command.status().unwrap().success());
    std::fs::metadata(out).unwrap().permissions().mode() & 0o777
}

#[test]
fn single_file_outputs_get_the_usual_mode() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(mode_with_umask(0o022, &dir.path().join("a.xlsx")), 0o644);
    assert_eq!(mode_with_umask(0o002, &dir.path().join("b.xlsx")), 0o664);
    assert_eq!(mode_with_umask(0o077, &dir.path().join("c.xlsx")), 0o600);
}

/// Starts a payment run of the whole year into `runs` and waits until it holds the folder.
fn spawn_holding(cycle: &Path, runs: &Path) -> std::process::Child {
    let child = Command::new(npg_path())
        .args(["pay", "--overwrite", "--quarter", "Q1-Q4", "--cycle"])
        .arg(cycle)
        .arg("--out")
        .arg(runs)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Held once the lock file holds the run's id: the file is made a moment before it is
    // locked, and a second run opening it in that moment could take the lock first.
    let lock = runs.join(".npg-lock");
    let id = child.id().to_string();
    let started = Instant::now();
    while std::fs::read_to_string(&lock).map_or(true, |held| held.trim() != id)
        && started.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(2));
    }
    child
}

/// A second payment run of the whole year into `runs`, to its end.
fn pay_output(cycle: &Path, runs: &Path) -> std::process::Output {
    npg()
        .args(["pay", "--overwrite", "--quarter", "Q1-Q4", "--cycle"])
        .arg(cycle)
        .arg("--out")
        .arg(runs)
        .output()
        .unwrap()
}

#[test]
fn a_second_run_into_the_same_folder_refuses_at_once_naming_the_first() {
    let ws = Workspace::new();
    let runs = ws.runs();
    pay_over(ws.cycle(), &runs, "Q1-Q4").success();
    let lock = runs.join(".npg-lock");
    assert!(
        !lock.exists(),
        "a run lets go of the folder and removes its lock file"
    );
    let first = spawn_holding(ws.cycle(), &runs);
    // Both a second payment run and a reconciliation into the same folder.
    let second = pay_output(ws.cycle(), &runs);
    let reconcile = npg()
        .args(["reconcile", "--month", "2025-08", "--cycle"])
        .arg(ws.cycle())
        .arg("--out")
        .arg(&runs)
        .output()
        .unwrap();
    let mut first = first;
    let first_ok = first.wait().unwrap().success();
    assert!(first_ok, "the first run finishes");
    for (what, output) in [("pay", second), ("reconcile", reconcile)] {
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains(&format!(
                "is in use by another npg run (process {})",
                first.id()
            )),
            "{what}: {err}"
        );
    }
    assert!(!lock.exists());
    assert!(!runs.join("reconciliation-2025-08.xlsx").exists());
}

#[test]
fn a_lock_left_by_a_killed_run_is_taken_and_one_that_is_a_link_is_refused() {
    let ws = Workspace::new();
    let runs = ws.runs();
    std::fs::create_dir_all(&runs).unwrap();
    // A killed run leaves its file (its lock went with its process).
    std::fs::write(runs.join(".npg-lock"), b"4294967295\n").unwrap();
    pay_over(ws.cycle(), &runs, "Q1").success();
    assert!(!runs.join(".npg-lock").exists());
    // A link in its place is never followed.
    let precious = ws.out.path().join("precious.txt");
    std::fs::write(&precious, b"keep me").unwrap();
    std::os::unix::fs::symlink(&precious, runs.join(".npg-lock")).unwrap();
    let assert = pay_over(ws.cycle(), &runs, "Q1").code(2);
    assert!(
        stderr(&assert).contains("a symbolic link"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(std::fs::read(&precious).unwrap(), b"keep me");
}

#[test]
fn a_lock_file_with_another_name_or_other_content_is_never_written_into() {
    // Found by review: a hard link to someone's file in the lock file's place was cut down
    // to a process id.
    let ws = Workspace::new();
    let runs = ws.runs();
    std::fs::create_dir_all(&runs).unwrap();
    let notes = ws.out.path().join("notes.txt");
    std::fs::write(&notes, b"precious notes").unwrap();
    std::fs::hard_link(&notes, runs.join(".npg-lock")).unwrap();
    let assert = pay_over(ws.cycle(), &runs, "Q1").code(2);
    assert!(
        stderr(&assert).contains("a hard link"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(std::fs::read(&notes).unwrap(), b"precious notes");
    std::fs::remove_file(runs.join(".npg-lock")).unwrap();
    // A file of that name holding something other than a process id.
    std::fs::write(runs.join(".npg-lock"), b"my own list of things").unwrap();
    let assert = npg()
        .args(["reconcile", "--month", "2025-08", "--cycle"])
        .arg(ws.cycle())
        .arg("--out")
        .arg(&runs)
        .assert()
        .code(2);
    assert!(
        stderr(&assert).contains("more than a process id"),
        "{}",
        stderr(&assert)
    );
    assert_eq!(
        std::fs::read(runs.join(".npg-lock")).unwrap(),
        b"my own list of things"
    );
}

#[test]
fn a_run_into_a_new_folder_holds_it_from_the_start_and_leaves_none_when_it_fails() {
    // Found by review: into an --out not yet made, two runs did not lock each other out.
    let ws = Workspace::new();
    let runs = ws.out.path().join("new/runs");
    let mut first = spawn_holding(ws.cycle(), &runs);
    let second = pay_output(ws.cycle(), &runs);
    assert!(first.wait().unwrap().success());
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("(process {})", first.id())), "{err}");
    // A run that cannot start leaves no folder it made.
    let broken = Workspace::new();
    std::fs::write(broken.cycle().join("cycle.toml"), b"year = 7").unwrap();
    let out = broken.out.path().join("made/for/nothing");
    npg()
        .args(["pay", "--quarter", "Q1", "--cycle"])
        .arg(broken.cycle())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    assert!(!broken.out.path().join("made").exists());
}
