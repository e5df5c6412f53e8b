//! Issue 11: no input, file or folder can delete data, change a payment unseen, hang a run
//! or exhaust memory. One module per group of the items. Each test that drives the
//! binary fails on 0.2.0 (run them against it with `NPG_BIN=/path/to/npg-0.2.0`); the few
//! that read through the library check npg's reading against LibreOffice's.

mod audit;
mod files;
mod folders;
mod printing;
mod reader;
mod support;
