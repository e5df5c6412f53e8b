//! `npg-fixtures`: regenerates the bundled fixture year (`cargo run --bin npg-fixtures --
//! fixtures/2025-26`), or a synthetic cycle of N grantees with the same shape for
//! benchmarks (`--grantees 4300`).

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: npg-fixtures [--grantees N] OUT_DIR
  OUT_DIR          where the cycle folder is written (replaced whole), e.g. fixtures/2025-26
  --grantees N     a synthetic cycle of N grantees (a multiple of 43): the fixture year's
                   forces repeated N/43 times, every scenario included; default 43";

/// The fixture year's number of forces; a synthetic cycle repeats them.
const FORCES: usize = 43;

fn main() -> ExitCode {
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
                    eprintln!(
                        "npg-fixtures: --grantees takes a multiple of {FORCES} (43, 430, 4300)\n{USAGE}"
                    );
                    return ExitCode::from(2);
                }
            }
        } else if out.is_none() && !arg.to_string_lossy().starts_with("--") {
            out = Some(PathBuf::from(arg));
        } else {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    let Some(out) = out else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match npg::fixture_year::generate_scaled(&out, grantees / FORCES) {
        Ok(files) => {
            let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
            println!(
                "wrote {} files ({} KiB) for {grantees} grantees to {}",
                files.len(),
                bytes / 1024,
                out.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("npg-fixtures: error: {err}");
            ExitCode::from(2)
        }
    }
}
