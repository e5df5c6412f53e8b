//! The guard around everything that reads a file's bytes: a panic becomes an error value.

use std::any::Any;
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// True while this thread runs guarded work, whose panics are caught and reported as
    /// findings, so printing them as well would only be noise.
    pub(super) static QUIET: Cell<bool> = const { Cell::new(false) };
    /// Where the last panic caught on this thread happened (file and line).
    static PANICKED_AT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// Panics caught on this thread that happened in npg's own code, not in a library it
    /// calls: each is a defect to fix, however it was reported. Tests assert it stays 0.
    static OWN_PANICS: Cell<usize> = const { Cell::new(0) };
}

static QUIET_HOOK: Once = Once::new();

/// How many panics caught by [`guarded`] on this thread came from npg's own code.
pub fn own_panics_caught() -> usize {
    OWN_PANICS.with(Cell::get)
}

/// True for a panic's file when it is one of npg's own (cargo names the crate's own files by
/// their path under its folder, and a dependency's by its full path in the registry).
fn is_own_code(file: &str) -> bool {
    file.starts_with("src/") || file.starts_with(concat!(env!("CARGO_MANIFEST_DIR"), "/src/"))
}

/// Runs `work`, turning a panic into `Err` with the panic's message. The panic hook is
/// wrapped once so that it stays silent on a thread inside `guarded` and behaves as before
/// everywhere else. A panic in npg's own code is counted ([`own_panics_caught`]) and logged
/// as the defect it is. Under `cfg(fuzzing)` nothing is caught, so that a fuzzer sees every
/// panic.
pub(crate) fn guarded<T>(work: impl FnOnce() -> T) -> Result<T, String> {
    if cfg!(fuzzing) {
        return Ok(work());
    }
    QUIET_HOOK.call_once(|| {
        let earlier = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                PANICKED_AT.with(|cell| *cell.borrow_mut() = at);
            } else {
                earlier(info);
            }
        }));
    });
    let was_quiet = QUIET.with(|quiet| quiet.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(work));
    QUIET.with(|quiet| quiet.set(was_quiet));
    outcome.map_err(|payload| {
        let message = panic_text(payload.as_ref());
        let at = PANICKED_AT.with(|cell| cell.borrow_mut().take());
        if let Some(at) = at.as_deref().filter(|at| is_own_code(at)) {
            OWN_PANICS.with(|count| count.set(count.get() + 1));
            tracing::error!("a defect in npg: a panic in its own code at {at}: {message}");
        }
        message
    })
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}
