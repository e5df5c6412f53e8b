//! Adapters that turn domain results into files: workbooks (rust_xlsxwriter), the published
//! site (askama templates) and atomic writes.

pub mod allocations;
pub mod approval;
pub mod exceptions;
pub mod formats;
pub mod lock;
pub mod output;
pub mod print;
pub mod reconciliation;
pub mod run_folder;
pub mod schedule;
pub mod site;
pub mod statement;
pub mod table;
pub mod template;
pub mod whatif;
