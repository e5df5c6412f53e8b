//! Issue 11: no input, file or folder can delete data, change a payment unseen, hang a run
//! or exhaust memory. One module per group of the items; each test fails on 0.2.0
//! (run them against it with `NPG_BIN=/path/to/npg-0.2.0`).

mod audit;
mod files;
mod folders;
mod printing;
mod reader;
mod support;
