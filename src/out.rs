//! Everything the program prints: text with its control characters escaped, so that no file
//! name or cell can forge a line or hide one on a terminal; and a standard output closed by
//! its reader (`npg … | head`) ending the printing quietly rather than in a panic.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use npg::text::{fit_line, json_safe, printable};

/// Set once standard output is closed: nothing more is printed there.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
/// Set when standard output failed for another reason (a full disk): the output is lost,
/// so the command cannot be said to have run.
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

fn to_stdout(text: &str) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            STDOUT_FAILED.store(true, Ordering::Relaxed);
            tell(&format!("npg: cannot write to standard output: {e}"));
        }
    }
}

/// One line of text output, its control characters escaped, at most
/// [`npg::text::LINE_LIMIT`] characters.
pub fn say(text: &str) {
    to_stdout(&printable(&fit_line(text)));
}

/// JSON output: escaped by serde, and what serde leaves raw that a terminal would act on
/// escaped too (see [`npg::text::json_safe`]).
pub fn say_raw(text: &str) {
    to_stdout(&json_safe(text));
}

/// One line to standard error, its control characters escaped; if standard error is closed
/// too, there is no one left to tell.
pub fn tell(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(printable(&fit_line(text)).as_bytes())
        .and_then(|()| err.write_all(b"\n"));
}

/// True when standard output failed for a reason other than its reader closing it.
pub fn stdout_failed() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// Where the log (`-v`) goes: standard error, each line escaped as every printed line is,
/// and nothing lost or panicking when standard error is closed.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut err = std::io::stderr().lock();
        for (i, line) in text.split('\n').enumerate() {
            let _ = if i == 0 {
                err.write_all(printable(line).as_bytes())
            } else {
                err.write_all(b"\n")
                    .and_then(|()| err.write_all(printable(line).as_bytes()))
            };
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}
