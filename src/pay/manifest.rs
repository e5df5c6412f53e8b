//! `manifest.json`: what a run read and wrote, with every file's SHA-256, so that an auditor
//! can tell whether a run folder still holds what the run wrote and what it was made from.
//!
//! Keys come in the fixed order of workbooks.md; paths are relative with forward slashes
//! (inputs to the cycle folder, outputs and the prior run to the run folder); no clock time,
//! host name or absolute path appears.

use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::cycle::load::sha256_hex;

/// The program that wrote a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    /// This program.
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

/// A file named with its fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileHash {
    pub path: String,
    pub sha256: String,
}

/// One input file of the run and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputRecord {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
    pub used: bool,
    /// Why it was not used; absent for a used input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One output file of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputRecord {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

impl OutputRecord {
    pub fn of(path: &str, bytes: &[u8]) -> OutputRecord {
        OutputRecord {
            path: path.to_owned(),
            sha256: sha256_hex(bytes),
            bytes: bytes.len() as u64,
        }
    }
}

/// The whole manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub tool: Tool,
    pub rules_version: String,
    /// `Q1`..`Q4`.
    pub quarter: String,
    pub cycle_config: FileHash,
    pub inputs: Vec<InputRecord>,
    /// The previous quarter's ledger this run started from; `null` for Q1.
    pub prior_run: Option<FileHash>,
    /// Every other file of the run folder (not the manifest itself).
    pub outputs: Vec<OutputRecord>,
}

/// A SHA-256 as the manifest writes it: 64 lower-case hex digits.
fn is_sha256(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// A manifest that cannot be read.
#[derive(Debug, Error)]
#[error("{file}: {problem}")]
pub struct ManifestError {
    pub file: String,
    pub problem: String,
}

/// How one output of a run folder differs from its manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputMismatch {
    Missing { path: String },
    Changed { path: String },
}

impl std::fmt::Display for OutputMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputMismatch::Missing { path } => write!(f, "{path} is missing"),
            OutputMismatch::Changed { path } => {
                write!(f, "{path} has changed since the run wrote it")
            }
        }
    }
}

impl Manifest {
    /// The JSON text: two-space indentation, keys in the fixed order, a final newline.
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings, numbers and booleans cannot fail.
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads a manifest. `shown_as` names the file in errors.
    pub fn parse(text: &str, shown_as: &str) -> Result<Manifest, ManifestError> {
        let fail = |problem: String| ManifestError {
            file: shown_as.to_owned(),
            problem,
        };
        let manifest: Manifest = serde_json::from_str(text)
            .map_err(|e| fail(format!("is not a manifest npg can read: {e}")))?;
        // Every hash is 64 lower-case hex digits, as the run wrote it; anything else was
        // put there by hand.
        let hashes = std::iter::once((&manifest.cycle_config.path, &manifest.cycle_config.sha256))
            .chain(manifest.inputs.iter().map(|i| (&i.path, &i.sha256)))
            .chain(manifest.prior_run.iter().map(|p| (&p.path, &p.sha256)))
            .chain(manifest.outputs.iter().map(|o| (&o.path, &o.sha256)));
        for (path, sha256) in hashes {
            if !is_sha256(sha256) {
                return Err(fail(format!(
                    "the sha256 of {path} is {sha256:?}, not 64 hex digits: the manifest was edited"
                )));
            }
        }
        Ok(manifest)
    }

    /// The outputs of `run_dir` that are missing or differ from their recorded hash.
    pub fn check_outputs(&self, run_dir: &Path) -> Vec<OutputMismatch> {
        let mut problems = Vec::new();
        for output in &self.outputs {
            match std::fs::read(run_dir.join(&output.path)) {
                Ok(bytes) => {
                    if sha256_hex(&bytes) != output.sha256 || bytes.len() as u64 != output.bytes {
                        problems.push(OutputMismatch::Changed {
                            path: output.path.clone(),
                        });
                    }
                }
                Err(_) => problems.push(OutputMismatch::Missing {
                    path: output.path.clone(),
                }),
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            tool: Tool {
                name: "npg".into(),
                version: "0.1.0".into(),
            },
            rules_version: "npg-2025-26.1".into(),
            quarter: "Q2".into(),
            cycle_config: FileHash {
                path: "cycle.toml".into(),
                sha256: "ab".repeat(32),
            },
            inputs: vec![
                InputRecord {
                    path: "returns/a.xlsx".into(),
                    sha256: "cd".repeat(32),
                    bytes: 10,
                    used: true,
                    reason: None,
                },
                InputRecord {
                    path: "returns/b.xlsx".into(),
                    sha256: "ef".repeat(32),
                    bytes: 11,
                    used: false,
                    reason: Some("received after the cut-off".into()),
                },
            ],
            prior_run: None,
            outputs: vec![OutputRecord::of("ledger.csv", b"x\n")],
        }
    }

    #[test]
    fn keys_come_in_the_order_of_workbooks_md_and_read_back() {
        let text = manifest().to_json();
        let keys = [
            "\"tool\"",
            "\"rules_version\"",
            "\"quarter\"",
            "\"cycle_config\"",
            "\"inputs\"",
            "\"prior_run\"",
            "\"outputs\"",
        ];
        let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(text.contains("\"prior_run\": null"));
        assert!(text.ends_with("}\n"));
        // A used input has no reason key at all.
        assert_eq!(text.matches("\"reason\"").count(), 1);
        assert_eq!(Manifest::parse(&text, "m.json").unwrap(), manifest());
    }

    #[test]
    fn a_changed_or_missing_output_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = manifest();
        m.outputs
            .push(OutputRecord::of("payment-schedule.xlsx", b"y"));
        std::fs::write(dir.path().join("ledger.csv"), b"x\n").unwrap();
        assert_eq!(
            m.check_outputs(dir.path()),
            [OutputMismatch::Missing {
                path: "payment-schedule.xlsx".into()
            }]
        );
        std::fs::write(dir.path().join("payment-schedule.xlsx"), b"z").unwrap();
        std::fs::write(dir.path().join("ledger.csv"), b"x,\n").unwrap();
        let problems: Vec<String> = m
            .check_outputs(dir.path())
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "ledger.csv has changed since the run wrote it",
                "payment-schedule.xlsx has changed since the run wrote it"
            ]
        );
    }

    #[test]
    fn a_hash_that_is_not_64_hex_digits_is_refused() {
        let text = manifest()
            .to_json()
            .replace(&"cd".repeat(32), &format!("a{}", "é".repeat(40)));
        let err = Manifest::parse(&text, "m.json").unwrap_err();
        assert!(
            err.to_string()
                .contains("the sha256 of returns/a.xlsx is \"aéé"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let text = manifest().to_json().replace("\"quarter\"", "\"quarters\"");
        let err = Manifest::parse(&text, "runs/m.json").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("runs/m.json: is not a manifest"),
            "{err}"
        );
    }
}
