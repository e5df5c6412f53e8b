//! The cycle folder: its configuration (`cycle.toml`) and force list.

pub mod config;
