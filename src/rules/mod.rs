//! The grant's rules as pure functions over domain values: no files, no workbooks, no clock.

pub mod allocate;
pub mod payment;
pub mod reason;
pub mod reconcile;
pub mod select;
pub mod taper;
pub mod validate;
