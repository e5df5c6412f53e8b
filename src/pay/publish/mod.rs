//! `npg publish`'s figures: the year's payment runs read and checked, and the measures and
//! identifiers of `publish.toml`, gathered for the site to show. Nothing here is written.

pub mod revisions;
pub mod runs;

use std::path::Path;

use thiserror::Error;

use crate::cycle::config::{CONFIG_FILE, ConfigError, CycleConfig};
use crate::cycle::publish::{PUBLISH_FILE, PublishConfig, Tier};
use crate::domain::Quarter;
use crate::pay::inputs::ReadProgress;

use revisions::{Revision, revisions};
use runs::{PublishedRun, RunsError, read_runs};

/// Who the site is for: the public sees the framework's headline measures only; the sector
/// (forces and the Home Office) sees the contextual ones too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Public,
    Sector,
}

impl Audience {
    /// Whether a measure of `tier` is on this audience's site.
    pub fn sees(self, tier: Tier) -> bool {
        self == Audience::Sector || tier == Tier::Headline
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Sector => "sector",
        }
    }
}

/// Everything the site shows, read and checked.
#[derive(Debug)]
pub struct SiteFacts {
    pub audience: Audience,
    /// The cycle as the runs read it (its rules, forces and allocations).
    pub inputs: crate::pay::inputs::CycleInputs,
    pub publish: PublishConfig,
    /// Q1 to the quarter published, in order; never empty.
    pub runs: Vec<PublishedRun>,
    pub revisions: Vec<Revision>,
}

impl SiteFacts {
    /// The run published: the last.
    pub fn latest(&self) -> &PublishedRun {
        // `gather` never returns without a run.
        &self.runs[self.runs.len() - 1]
    }
}

/// Why a site cannot be published. Nothing is written.
#[derive(Debug, Error)]
pub enum GatherError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(
        "{} has no {PUBLISH_FILE}: it says which of the framework's measures are headline and which contextual, and the 360Giving identifiers; add one (the fixture year's is fixtures/2025-26/{PUBLISH_FILE})",
        .0.display()
    )]
    NoPublishFile(std::path::PathBuf),
    #[error(transparent)]
    Runs(#[from] RunsError),
}

impl GatherError {
    /// A file that is wrong (exit 1), as against one that is not there (exit 2).
    pub fn is_input_error(&self) -> bool {
        match self {
            GatherError::Config(ConfigError::Io { .. }) => false,
            GatherError::Config(_) => true,
            GatherError::NoPublishFile(_) => false,
            GatherError::Runs(e) => e.is_input_error(),
        }
    }
}

/// Reads the cycle's rules and `publish.toml`, and the year's runs in `runs_dir` from Q1
/// to `through` (the latest there when `None`), each checked and re-run.
pub fn gather(
    cycle: &Path,
    runs_dir: &Path,
    through: Option<Quarter>,
    audience: Audience,
    progress: &dyn ReadProgress,
) -> Result<SiteFacts, GatherError> {
    let config_path = cycle.join(CONFIG_FILE);
    // The year first, to find its run folders; the runs then read the cycle in full.
    let config = match CycleConfig::load(&config_path, &config_path.display().to_string()) {
        Ok(config) => config,
        // A cycle.toml that no longer reads may be one changed since the runs read it: said
        // so, rather than as a mistake in a file the runs never read.
        Err(e) => match runs::cycle_config_changed(cycle, runs_dir) {
            Some(folder) => {
                return Err(RunsError::InputsChanged {
                    folder,
                    problems: vec![format!("{CONFIG_FILE} has changed")],
                }
                .into());
            }
            None => return Err(e.into()),
        },
    };
    let read = read_runs(
        cycle,
        runs_dir,
        through,
        config.year,
        &config.rules_version,
        progress,
    )?;
    let publish_path = cycle.join(PUBLISH_FILE);
    if !publish_path.is_file() {
        return Err(GatherError::NoPublishFile(cycle.to_owned()));
    }
    let publish = PublishConfig::load(
        &publish_path,
        &publish_path.display().to_string(),
        &read.inputs.forces,
    )?;
    let revisions = revisions(&read.runs);
    Ok(SiteFacts {
        audience,
        inputs: read.inputs,
        publish,
        runs: read.runs,
        revisions,
    })
}
