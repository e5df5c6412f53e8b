//! The integration suite: drives the real `npg` binary on fixtures, one module per command.

mod common;
mod template;
