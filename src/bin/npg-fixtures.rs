//! `npg-fixtures`: regenerates the bundled fixture year (`cargo run --bin npg-fixtures --
//! fixtures/2025-26`), or a synthetic cycle of N grantees with the same shape for
//! benchmarks (`--grantees 4300`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use npg::exit::Exit;

/// A line to standard output; a closed pipe ends the printing quietly.
fn say(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{}", npg::text::printable(text));
}

/// The usage text, as it is written.
fn usage() {
    let _ = writeln!(std::io::stderr().lock(), "{USAGE}");
}

/// A line to standard error.
fn tell(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", npg::text::printable(text));
}

const USAGE: &str = "usage: npg-fixtures [--grantees N] OUT_DIR
  OUT_DIR          where the cycle folder is written (replaced whole), e.g. fixtures/2025-26
  --grantees N     a synthetic cycle of N grantees (a multiple of 43): the fixture year's
                   forces repeated N/43 times, every scenario included; default 43";

/// The fixture year's number of forces; a synthetic cycle repeats them.
const FORCES: usize = 43;

fn main() -> ExitCode {
    ExitCode::from(run().code())
}

fn run() -> Exit {
    let mut grantees = FORCES;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--grantees" {
            let parsed = args
                .next()
                .and_then(|n| n.to_str().and_then(|n| n.parse::<usize>().ok()));
            match parsed {
                Some(n) if n >= FORCES && n % FORCES == 0 => grantees = n,
                _ => {
                    tell(&format!(
                        "npg-fixtures: --grantees takes a multiple of {FORCES} (43, 430, 4300)"
                    ));
                    usage();
                    return Exit::CannotRun;
                }
            }
        } else if out.is_none() && !arg.to_string_lossy().starts_with("--") {
            out = Some(PathBuf::from(arg));
        } else {
            usage();
            return Exit::CannotRun;
        }
    }
    let Some(out) = out else {
        usage();
        return Exit::CannotRun;
    };
    match npg::fixture_year::generate_scaled(&out, grantees / FORCES) {
        Ok(files) => {
            let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
            say(&format!(
                "wrote {} files ({} KiB) for {grantees} grantees to {}",
                files.len(),
                bytes / 1024,
                out.display()
            ));
            Exit::Clean
        }
        Err(err) => {
            tell(&format!("npg-fixtures: error: {err}"));
            Exit::CannotRun
        }
    }
}
