//! The `npg` binary: parses the command line, runs the command, maps the outcome to an exit code.

// Everything printed goes through `out`, which escapes control characters and survives a
// closed pipe; printing any other way is refused at compile time.
#![deny(clippy::print_stdout, clippy::print_stderr)]

/// Prints a line of text output (see `out::say`).
macro_rules! say {
    ($($arg:tt)*) => { $crate::out::say(&format!($($arg)*)) };
}

/// Prints output that its format has already escaped, such as JSON (see `out::say_raw`).
macro_rules! say_raw {
    ($($arg:tt)*) => { $crate::out::say_raw(&format!($($arg)*)) };
}

/// Prints a line to standard error (see `out::tell`).
macro_rules! tell {
    ($($arg:tt)*) => { $crate::out::tell(&format!($($arg)*)) };
}

mod cli;
mod cmd;
mod out;

use std::process::ExitCode;

use clap::Parser;
use npg::exit::Exit;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr; a
            // closed pipe there is no failure.
            let _ = err.print();
            return if err.use_stderr() {
                Exit::CannotRun
            } else {
                Exit::Clean
            }
            .code()
            .into();
        }
    };
    init_logging(cli.verbose);
    let outcome = cmd::run(cli.command);
    log_peak_memory();
    match outcome {
        // Output that could not be written (a full disk) means the command did not run.
        Ok(_) if out::stdout_failed() => Exit::CannotRun.code().into(),
        Ok(exit) => exit.code().into(),
        Err(err) => {
            for line in error_lines(&err) {
                tell!("{line}");
            }
            Exit::CannotRun.code().into()
        }
    }
}

/// An error as printed, cargo-style: the error, then each cause under `Caused by:`. Each
/// error in the library either quotes its cause in its message or gives it as its source,
/// never both, so nothing is printed twice and nothing needs to be left out.
fn error_lines(err: &anyhow::Error) -> Vec<String> {
    let mut lines = vec![format!("npg: error: {err}")];
    let causes: Vec<String> = err.chain().skip(1).map(ToString::to_string).collect();
    if !causes.is_empty() {
        lines.push("Caused by:".to_owned());
        lines.extend(causes.iter().map(|cause| format!("  {cause}")));
    }
    lines
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => tracing::Level::WARN,
        1 => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        // Escaped and quiet on a closed stderr, as everything printed is; so no colours,
        // whose escapes would be escaped too.
        .with_writer(|| out::LogWriter)
        .with_ansi(false)
        .without_time()
        .init();
}

/// Logs the process's peak resident memory (with -v), where the system reports it: what a
/// run of this size needs, for operators and the benchmark.
fn log_peak_memory() {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return;
    };
    let peak_kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        });
    if let Some(kib) = peak_kib {
        tracing::info!(peak_memory_kib = kib, "peak memory {} MiB", kib / 1024);
    }
}

// mimalloc: reading tens of thousands of workbooks on every core allocates and frees many
// buffers of a few hundred kilobytes; the system allocator maps and unmaps each one, and
// the threads then queue on the kernel's memory lock.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_printed_under_caused_by_each_once() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let err = anyhow::Error::new(io)
            .context("cannot create the output folder runs")
            .context("the run could not start");
        assert_eq!(
            error_lines(&err),
            [
                "npg: error: the run could not start",
                "Caused by:",
                "  cannot create the output folder runs",
                "  permission denied",
            ]
        );
        // An error that quotes its cause and has no source is one line.
        let err = anyhow::anyhow!("cannot write x.xlsx: the folder out does not exist");
        assert_eq!(
            error_lines(&err),
            ["npg: error: cannot write x.xlsx: the folder out does not exist"]
        );
    }
}
