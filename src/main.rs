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

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr; a
            // closed pipe there is no failure.
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.verbose);
    let outcome = cmd::run(cli.command);
    log_peak_memory();
    match outcome {
        // Output that could not be written (a full disk) means the command did not run.
        Ok(_) if out::stdout_failed() => ExitCode::from(2),
        Ok(code) => code,
        Err(err) => {
            let top = err.to_string();
            tell!("npg: error: {top}");
            // Many errors already quote their cause; print only what adds something.
            let mut said = top;
            for cause in err.chain().skip(1) {
                let cause = cause.to_string();
                if !said.contains(&cause) {
                    tell!("  caused by: {cause}");
                    said.push_str(&cause);
                }
            }
            ExitCode::from(2)
        }
    }
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
