//! The built-in 2025-26 configuration and force list, used when a force validates a return
//! on its own machine without a cycle folder.

use super::config::{ConfigError, CycleConfig};
use crate::domain::ForceList;
use crate::domain::force::ForceListError;

/// The scheme's shipped `cycle.toml` (the fixture year's, which holds the defaults of rules.md).
pub const DEFAULT_CYCLE_TOML: &str = include_str!("../../fixtures/2025-26/cycle.toml");
/// The 43 territorial forces of England and Wales.
pub const DEFAULT_FORCES_CSV: &str = include_str!("../../fixtures/2025-26/forces.csv");

/// The built-in configuration.
pub fn default_config() -> Result<CycleConfig, ConfigError> {
    CycleConfig::parse(DEFAULT_CYCLE_TOML, "built-in cycle.toml")
}

/// The built-in force list.
pub fn default_forces() -> Result<ForceList, ForceListError> {
    ForceList::parse(DEFAULT_FORCES_CSV, "built-in forces.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_defaults_load() {
        let config = default_config().unwrap();
        assert_eq!(config.year.to_string(), "2025-26");
        assert_eq!(config.categories.len(), 6);
        assert_eq!(default_forces().unwrap().len(), 43);
    }
}
