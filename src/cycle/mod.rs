//! The cycle folder: its configuration (`cycle.toml`) and force list (`forces.csv`).

pub mod config;
pub mod defaults;
pub mod load;
pub mod publish;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::domain::ForceList;
use crate::domain::force::ForceListError;
use crate::read::file::{MAX_TEXT_FILE_BYTES, read_limited_text};
use config::{ConfigError, CycleConfig};

/// A `forces.csv` that cannot be read, or whose list is wrong.
#[derive(Debug, Error)]
pub enum ForcesFileError {
    #[error("{file}: cannot read it: {cause}")]
    Io {
        file: String,
        /// In the message, so not also given as its source (printed once).
        cause: std::io::Error,
    },
    #[error(transparent)]
    List(#[from] ForceListError),
}

/// Reads `forces.csv` (`id,name`). `shown_as` is the name used in messages.
pub fn load_forces(path: &Path, shown_as: &str) -> Result<ForceList, ForcesFileError> {
    let text =
        read_limited_text(path, MAX_TEXT_FILE_BYTES).map_err(|cause| ForcesFileError::Io {
            file: shown_as.to_owned(),
            cause,
        })?;
    Ok(ForceList::parse(&text, shown_as)?)
}

/// The force list's file name inside a cycle folder.
pub const FORCES_FILE: &str = "forces.csv";
/// The allocations workbook's file name inside a cycle folder.
pub const ALLOCATIONS_FILE: &str = "allocations.xlsx";
/// The folder of returns inside a cycle folder.
pub const RETURNS_DIR: &str = "returns";

/// The cycle-level inputs every command starts from.
#[derive(Debug)]
pub struct Cycle {
    /// The folder as the user named it (used only for reading, never printed into outputs).
    pub dir: PathBuf,
    pub config: CycleConfig,
    pub forces: ForceList,
}

/// A cycle folder that cannot be used.
#[derive(Debug, Error)]
pub enum CycleError {
    #[error("the cycle folder {0} does not exist")]
    NoFolder(PathBuf),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Forces(#[from] ForcesFileError),
}

impl Cycle {
    /// Reads and checks `cycle.toml` and `forces.csv`; nothing else is read.
    pub fn open(dir: &Path) -> Result<Cycle, CycleError> {
        if !dir.is_dir() {
            return Err(CycleError::NoFolder(dir.to_owned()));
        }
        let config_path = dir.join(config::CONFIG_FILE);
        let config = CycleConfig::load(&config_path, &config_path.display().to_string())?;
        let forces_path = dir.join(FORCES_FILE);
        let forces = load_forces(&forces_path, &forces_path.display().to_string())?;
        Ok(Cycle {
            dir: dir.to_owned(),
            config,
            forces,
        })
    }

    pub fn allocations_path(&self) -> PathBuf {
        self.dir.join(ALLOCATIONS_FILE)
    }

    pub fn returns_dir(&self) -> PathBuf {
        self.dir.join(RETURNS_DIR)
    }

    /// The force list's path as it appears in messages.
    pub fn forces_path_shown(&self) -> String {
        self.dir.join(FORCES_FILE).display().to_string()
    }
}
