//! For auditors: proving a past run from its archived inputs, and showing what differs.

pub mod cells;
pub mod diff;
pub mod formats;
pub mod tables;
pub mod verify;
