//! Faults: a run killed part way, a read-only output folder, a full filesystem. Each leaves
//! either the complete previous state or the complete new run, gives a clear error, and never
//! touches the cycle folder. Tests that need to mount a filesystem are skipped, saying so,
//! where the test may not mount one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::common::{copy_dir, fixture_copy, npg, npg_path, tree_bytes};

fn pay_command(cycle: &Path, out: &Path, quarter: &str) -> Command {
    let mut command = Command::new(npg_path());
    command
        .args(["pay", "--overwrite", "--quarter", quarter, "--cycle"])
        .arg(cycle)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// The entries of a folder that a person sees (hidden ones apart), sorted.
fn visible(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// A small deterministic sequence in [0, 1): the kill points, the same on every run.
fn kill_points(count: usize) -> Vec<f64> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

#[test]
fn a_run_killed_at_any_point_leaves_the_old_run_or_the_new_one_never_a_partial_one() {
    // The old run comes from a cycle with kent's Q1 return taken out, so old and new differ.
    let cycle = fixture_copy();
    let older = fixture_copy();
    std::fs::remove_file(older.path().join("returns/finance/kent-2025-26-Q1-v1.xlsx")).unwrap();
    let work = tempfile::tempdir().unwrap();
    let (old_out, new_out) = (work.path().join("old"), work.path().join("new"));
    let status = pay_command(older.path(), &old_out, "Q1-Q2")
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let status = pay_command(cycle.path(), &new_out, "Q1-Q2")
        .status()
        .unwrap();
    assert!(status.success());
    let whole_run = started.elapsed();
    let folders = ["2025-26-Q1", "2025-26-Q2"];
    let old: Vec<_> = folders
        .iter()
        .map(|f| tree_bytes(&old_out.join(f)))
        .collect();
    let new: Vec<_> = folders
        .iter()
        .map(|f| tree_bytes(&new_out.join(f)))
        .collect();
    assert!(old != new);

    let mut outcomes = (0, 0);
    for (attempt, point) in kill_points(16).into_iter().enumerate() {
        let out = work.path().join(format!("try-{attempt}"));
        copy_dir(&old_out, &out);
        // Kill points spread over the whole run and a little beyond it.
        let delay = whole_run.mul_f64(point * 1.1);
        let mut child = pay_command(cycle.path(), &out, "Q1-Q2").spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        assert_eq!(visible(&out), folders, "attempt {attempt} after {delay:?}");
        for (index, folder) in folders.iter().enumerate() {
            let now = tree_bytes(&out.join(folder));
            if now == old[index] {
                outcomes.0 += 1;
            } else if now == new[index] {
                outcomes.1 += 1;
            } else {
                panic!(
                    "attempt {attempt} after {delay:?}: {folder} is neither the old run nor the new one"
                );
            }
        }
        // The next run finishes the job and leaves nothing hidden behind.
        let status = pay_command(cycle.path(), &out, "Q1-Q2").status().unwrap();
        assert!(status.success());
        let leftovers: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "attempt {attempt}: {leftovers:?}");
        for (index, folder) in folders.iter().enumerate() {
            assert!(tree_bytes(&out.join(folder)) == new[index]);
        }
    }
    eprintln!(
        "killed runs: {} folders left as the old run, {} as the new one",
        outcomes.0, outcomes.1
    );
}

/// A filesystem mounted for one test, unmounted when dropped.
struct Mount {
    at: PathBuf,
}

impl Mount {
    /// Mounts a tmpfs of `size` at `at` with extra `options`, or says why it cannot.
    fn tmpfs(at: &Path, size: &str, options: &str) -> Result<Mount, String> {
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let output = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size}{options}"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .map_err(|e| format!("mount cannot run: {e}"))?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).trim().to_owned());
        }
        Ok(Mount { at: at.to_owned() })
    }

    /// Mounts `from` again at `at`, read-only.
    fn read_only_bind(from: &Path, at: &Path) -> Result<Mount, String> {
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let run = |args: &[&str]| -> Result<(), String> {
            let output = Command::new("mount")
                .args(args)
                .output()
                .map_err(|e| format!("mount cannot run: {e}"))?;
            if output.status.success() {
                Ok(())
            } else {
                Err(String::from_utf8_lossy(&output.stderr).trim().to_owned())
            }
        };
        let (from_text, at_text) = (from.display().to_string(), at.display().to_string());
        run(&["--bind", &from_text, &at_text])?;
        let mount = Mount { at: at.to_owned() };
        run(&["-o", "remount,ro,bind", &at_text])?;
        Ok(mount)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.at).status();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn skip(test: &str, why: &str) {
    eprintln!(
        "SKIPPED {test}: cannot mount a filesystem here ({why}); run as root with mount rights to run it"
    );
}

#[test]
fn a_read_only_output_folder_gives_a_clear_error_and_no_partial_output() {
    let test = "a_read_only_output_folder_gives_a_clear_error_and_no_partial_output";
    let cycle = fixture_copy();
    let before = tree_bytes(cycle.path());
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    // A read-only filesystem where the test may mount one; otherwise, for a user other
    // than root (whom permissions do not stop), a folder without write permission.
    let (mount, expected) = match Mount::tmpfs(&out, "4m", ",ro") {
        Ok(mount) => (Some(mount), "Read-only file system"),
        Err(why) if is_root() => return skip(test, &why),
        Err(_) => {
            use std::os::unix::fs::PermissionsExt;
            std::fs::create_dir_all(&out).unwrap();
            std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
            (None, "Permission denied")
        }
    };
    npg()
        .args(["pay", "--quarter", "Q1", "--cycle"])
        .arg(cycle.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(expected))
        .stderr(predicates::str::contains(out.display().to_string()));
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        0,
        "nothing written"
    );
    drop(mount);
    assert!(tree_bytes(cycle.path()) == before, "inputs untouched");
}

#[test]
fn a_full_filesystem_gives_a_clear_error_and_no_partial_output() {
    let test = "a_full_filesystem_gives_a_clear_error_and_no_partial_output";
    let cycle = fixture_copy();
    let before = tree_bytes(cycle.path());
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    // Room for a little, not for a run's four files.
    let mount = match Mount::tmpfs(&out, "96k", "") {
        Ok(mount) => mount,
        Err(why) => return skip(test, &why),
    };
    npg()
        .args(["pay", "--quarter", "Q1-Q4", "--cycle"])
        .arg(cycle.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("No space left on device"));
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        left.is_empty(),
        "no partial output, hidden or not: {left:?}"
    );
    drop(mount);
    assert!(tree_bytes(cycle.path()) == before, "inputs untouched");
}

#[test]
fn a_run_reads_a_read_only_cycle_folder_and_writes_nothing_there() {
    let test = "a_run_reads_a_read_only_cycle_folder_and_writes_nothing_there";
    let cycle = fixture_copy();
    let before = tree_bytes(cycle.path());
    let work = tempfile::tempdir().unwrap();
    let read_only = work.path().join("cycle");
    let mount = match Mount::read_only_bind(cycle.path(), &read_only) {
        Ok(mount) => mount,
        Err(why) => return skip(test, &why),
    };
    let out = work.path().join("out");
    npg()
        .args(["pay", "--quarter", "Q1-Q2", "--cycle"])
        .arg(&read_only)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    npg()
        .args(["audit", "verify"])
        .arg(&out)
        .arg("--cycle")
        .arg(&read_only)
        .assert()
        .success();
    drop(mount);
    assert!(tree_bytes(cycle.path()) == before);
}
