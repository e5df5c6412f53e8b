//! How a command ended, as its exit code tells a script: the one set of codes every npg
//! program uses.

/// The outcome of a command, as its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done; nothing was found that stops the inputs being used.
    Clean,
    /// 1: the inputs have errors (the findings were reported), or, for `audit verify`,
    /// something differs from the run as it was written.
    Findings,
    /// 2: the command could not run: a usage mistake, a path that is not there, a file that
    /// cannot be written, an internal error.
    CannotRun,
}

impl Exit {
    /// The process exit code: 0, 1 or 2 (the binaries hand it to `std::process::ExitCode`).
    pub fn code(self) -> u8 {
        match self {
            Exit::Clean => 0,
            Exit::Findings => 1,
            Exit::CannotRun => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_codes_are_the_documented_ones() {
        assert_eq!(Exit::Clean.code(), 0);
        assert_eq!(Exit::Findings.code(), 1);
        assert_eq!(Exit::CannotRun.code(), 2);
    }
}
