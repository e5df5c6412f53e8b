//! `npg-fixtures`: regenerates the bundled fixture year (`cargo run --bin npg-fixtures -- fixtures/2025-26`).

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(out), None) = (args.next(), args.next()) else {
        eprintln!("usage: npg-fixtures OUT_DIR   (for example fixtures/2025-26)");
        return ExitCode::from(2);
    };
    let out = PathBuf::from(out);
    match npg::fixture_year::generate(&out) {
        Ok(files) => {
            let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
            println!(
                "wrote {} files ({} KiB) to {}",
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
