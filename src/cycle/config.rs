//! The rules in force for a cycle, read from `cycle.toml` and validated.
