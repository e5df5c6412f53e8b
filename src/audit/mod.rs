//! For auditors: proving a past run from its archived inputs, and showing what differs.

pub mod diff;
pub mod verify;
