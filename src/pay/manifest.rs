//! `manifest.json`: what a run read and wrote, with every file's SHA-256, so that an auditor
//! can tell whether a run folder still holds what the run wrote and what it was made from.
//!
//! Keys come in the fixed order of workbooks.md; paths are relative with forward slashes
//! (inputs to the cycle folder, outputs and the prior run to the run folder); no clock time,
//! host name or absolute path appears.

use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::cycle::config::CONFIG_FILE;
use crate::cycle::load::sha256_hex;
use crate::cycle::{ALLOCATIONS_FILE, FORCES_FILE, RETURNS_DIR};
use crate::domain::{FinancialYear, ForceId, Quarter};
use crate::text::cut;

use crate::read::file::{
    FileReadError, MAX_MANIFEST_BYTES, MAX_OUTPUT_BYTES, hash_limited, read_limited,
};

use super::fingerprint::{FingerprintFile, input_fingerprint};
use super::folder::{LEDGER_FILE, MANIFEST_FILE, OUTPUT_FILES, parse_statement_path};

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
    /// The exact bytes of the path, `%`-escaped, when `path` does not spell them (a name
    /// that is not UTF-8, shown in `path` with `\x96` for each such byte); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
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
    /// The input fingerprint the approval records (`pay::fingerprint`); absent in the
    /// manifests of runs made before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_fingerprint: Option<String>,
    /// Every other file of the run folder (not the manifest itself).
    pub outputs: Vec<OutputRecord>,
}

impl InputRecord {
    /// The exact bytes of the input's path inside the cycle folder: what finds the file
    /// again, whatever its name's encoding.
    pub fn key(&self) -> Vec<u8> {
        self.path_bytes
            .as_deref()
            .and_then(unescape_path_bytes)
            .unwrap_or_else(|| self.path.as_bytes().to_vec())
    }
}

/// A path's exact bytes with `%` and every byte that is not printable ASCII as `%XX`.
pub fn escape_path_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &byte in bytes {
        if byte.is_ascii_graphic() && byte != b'%' || byte == b' ' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The bytes [`escape_path_bytes`] wrote; `None` for text it cannot have written.
pub fn unescape_path_bytes(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(byte) = bytes.next() {
        if byte == b'%' {
            let high = char::from(bytes.next()?).to_digit(16)?;
            let low = char::from(bytes.next()?).to_digit(16)?;
            out.push(u8::try_from(high * 16 + low).ok()?);
        } else if byte.is_ascii_graphic() || byte == b' ' {
            out.push(byte);
        } else {
            return None;
        }
    }
    Some(out)
}

/// A path inside a folder, as the manifest writes one: relative, `/` between plain names,
/// none of them empty, `.` or `..`, and no NUL (a `\` is part of a name on Unix, and stands
/// in shown names for a byte that is not UTF-8).
fn is_plain_relative(path: &[u8]) -> bool {
    !path.is_empty()
        && !path.contains(&0)
        && path
            .split(|&b| b == b'/')
            .all(|part| !part.is_empty() && part != b"." && part != b"..")
}

/// The previous run's ledger as a run names it: `../<year>-Qn/ledger.csv`.
fn is_prior_ledger_path(path: &str) -> bool {
    let Some(folder) = path
        .strip_prefix("../")
        .and_then(|rest| rest.strip_suffix(&format!("/{LEDGER_FILE}")))
    else {
        return false;
    };
    folder.rsplit_once('-').is_some_and(|(year, quarter)| {
        year.parse::<FinancialYear>().is_ok() && quarter.parse::<Quarter>().is_ok()
    })
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

/// The outputs a run of `year`'s `quarter` writes, in the order its manifest lists them:
/// the four files, then a statement per force of `forces`, by path.
fn expected_outputs<'a>(
    year: FinancialYear,
    quarter: Quarter,
    forces: impl IntoIterator<Item = &'a ForceId>,
) -> Vec<String> {
    let mut statements: Vec<String> = forces
        .into_iter()
        .map(|force| super::folder::statement_path(force, year, quarter))
        .collect();
    statements.sort_unstable();
    OUTPUT_FILES
        .iter()
        .map(|f| (*f).to_owned())
        .chain(statements)
        .collect()
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
                    "the sha256 of {} is {}, not 64 hex digits: the manifest was edited",
                    cut(path),
                    cut(sha256)
                )));
            }
        }
        // Every path stays inside the cycle folder or the output folder, so that no path
        // put in by hand (`/dev/zero`, `/etc/passwd`, `../../x`) is ever opened.
        let outside = |what: &str, path: &str, inside: &str| {
            fail(format!(
                "it names the {what} {}, which is not {inside}: the manifest was edited, and nothing it names was opened",
                cut(path)
            ))
        };
        if manifest.cycle_config.path != CONFIG_FILE {
            return Err(outside(
                "cycle configuration",
                &manifest.cycle_config.path,
                "cycle.toml in the cycle folder",
            ));
        }
        for input in &manifest.inputs {
            let key = input.key();
            let in_cycle = is_plain_relative(&key)
                && (key == FORCES_FILE.as_bytes()
                    || key == ALLOCATIONS_FILE.as_bytes()
                    || key.starts_with(format!("{RETURNS_DIR}/").as_bytes()));
            let bytes_ok = input
                .path_bytes
                .as_deref()
                .is_none_or(|b| unescape_path_bytes(b).is_some());
            if !in_cycle || !bytes_ok || !is_plain_relative(input.path.as_bytes()) {
                return Err(outside(
                    "input",
                    &input.path,
                    "a file inside the cycle folder",
                ));
            }
        }
        if let Some(prior) = &manifest.prior_run
            && !is_prior_ledger_path(&prior.path)
        {
            return Err(outside(
                "prior ledger",
                &prior.path,
                "the ledger of a run folder beside this one (../<year>-Qn/ledger.csv)",
            ));
        }
        for output in &manifest.outputs {
            let path = output.path.as_str();
            // A statement is of the manifest's own quarter: `statements/kent-2025-26-Q2.xlsx`.
            let statement = parse_statement_path(path)
                .is_some_and(|(_, _, quarter)| quarter.to_string() == manifest.quarter);
            if !statement && !OUTPUT_FILES.contains(&path) {
                return Err(outside(
                    "output",
                    path,
                    "one of the files a run writes into its folder",
                ));
            }
        }
        let mut paths: Vec<&str> = manifest.outputs.iter().map(|o| o.path.as_str()).collect();
        paths.sort_unstable();
        if let Some(twice) = paths.windows(2).find(|w| w[0] == w[1]) {
            return Err(fail(format!(
                "it names the output {} twice: the manifest was edited",
                cut(twice[0])
            )));
        }
        Ok(manifest)
    }

    /// The outputs of `run_dir` that are missing or differ from their recorded hash. An
    /// output is hashed in pieces, only when it is a regular file no larger than its recorded
    /// size (and than [`MAX_OUTPUT_BYTES`], whatever the manifest says), so no more is ever
    /// read than the run wrote.
    pub fn check_outputs(&self, run_dir: &Path) -> Vec<OutputMismatch> {
        let mut problems = Vec::new();
        for output in &self.outputs {
            let path = output.path.clone();
            let limit = output.bytes.min(MAX_OUTPUT_BYTES);
            match hash_limited(&run_dir.join(&output.path), limit) {
                Ok((sha256, size)) => {
                    if sha256 != output.sha256 || size != output.bytes {
                        problems.push(OutputMismatch::Changed { path });
                    }
                }
                Err(FileReadError::Missing) => problems.push(OutputMismatch::Missing { path }),
                // Larger than the run wrote it, or no longer a file: changed, and not read.
                Err(_) => problems.push(OutputMismatch::Changed { path }),
            }
        }
        problems
    }

    /// Whether the outputs listed are exactly the files a run of `year`'s `quarter` writes:
    /// the four at the top of its folder and a statement of that quarter for each of
    /// `forces` (its ledger's), so that none of them can be changed, or left out, unseen.
    pub fn lists_every_output<'a>(
        &self,
        year: FinancialYear,
        quarter: Quarter,
        forces: impl IntoIterator<Item = &'a ForceId>,
    ) -> bool {
        let mut listed: Vec<&str> = self.outputs.iter().map(|o| o.path.as_str()).collect();
        listed.sort_unstable();
        let mut expected = expected_outputs(year, quarter, forces);
        expected.sort_unstable();
        listed.iter().eq(expected.iter())
    }

    /// Whether the outputs are listed in the order a run writes them: the four files as
    /// [`OUTPUT_FILES`] gives them, then the statements by path.
    pub fn outputs_in_order<'a>(
        &self,
        year: FinancialYear,
        quarter: Quarter,
        forces: impl IntoIterator<Item = &'a ForceId>,
    ) -> bool {
        self.outputs
            .iter()
            .map(|o| o.path.as_str())
            .eq(expected_outputs(year, quarter, forces)
                .iter()
                .map(String::as_str))
    }

    /// Every input the manifest records, `cycle.toml` first: the exact bytes of its path in
    /// the cycle folder, its name as shown, and its SHA-256.
    pub fn recorded_inputs(&self) -> Vec<(Vec<u8>, &str, &str)> {
        std::iter::once((
            self.cycle_config.path.as_bytes().to_vec(),
            self.cycle_config.path.as_str(),
            self.cycle_config.sha256.as_str(),
        ))
        .chain(
            self.inputs
                .iter()
                .map(|i| (i.key(), i.path.as_str(), i.sha256.as_str())),
        )
        .collect()
    }

    /// The input fingerprint of the inputs, rules version and prior ledger this manifest
    /// records, as the run computed it (`pay::fingerprint`): what its `input_fingerprint`
    /// must say.
    pub fn recomputed_fingerprint(&self) -> String {
        let recorded = self.recorded_inputs();
        let files: Vec<FingerprintFile> = recorded
            .iter()
            .map(|(key, _, sha256)| FingerprintFile { path: key, sha256 })
            .collect();
        input_fingerprint(
            &self.rules_version,
            self.prior_run.as_ref().map(|p| p.sha256.as_str()),
            &files,
        )
    }

    /// Reads the manifest of a run folder: `Ok(None)` when there is none.
    pub fn read_from(run_dir: &Path) -> Result<Option<Manifest>, ManifestError> {
        let path = run_dir.join(MANIFEST_FILE);
        let shown = path.display().to_string();
        let fail = |problem: String| ManifestError {
            file: shown.clone(),
            problem,
        };
        let bytes = match read_limited(&path, MAX_MANIFEST_BYTES) {
            Ok(bytes) => bytes,
            Err(FileReadError::Missing) => return Ok(None),
            Err(e) => return Err(fail(format!("cannot be read: {e}"))),
        };
        let text = String::from_utf8(bytes)
            .map_err(|_| fail("is not UTF-8 text, so not a manifest npg wrote".to_owned()))?;
        Manifest::parse(&text, &shown).map(Some)
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
                    path_bytes: None,
                    sha256: "cd".repeat(32),
                    bytes: 10,
                    used: true,
                    reason: None,
                },
                InputRecord {
                    path: "returns/b.xlsx".into(),
                    path_bytes: None,
                    sha256: "ef".repeat(32),
                    bytes: 11,
                    used: false,
                    reason: Some("received after the cut-off".into()),
                },
            ],
            prior_run: None,
            input_fingerprint: None,
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
                .contains("the sha256 of \"returns/a.xlsx\" is \"aéé"),
            "{err}"
        );
    }

    #[test]
    fn a_statement_of_the_manifests_quarter_is_an_output_and_nothing_else_is() {
        let with_output = |path: &str| {
            let mut m = manifest();
            m.outputs.push(OutputRecord::of(path, b"s"));
            Manifest::parse(&m.to_json(), "m.json")
        };
        with_output("statements/kent-2025-26-Q2.xlsx").unwrap();
        for path in [
            "statements/kent-2025-26-Q3.xlsx",
            "statements/notes.txt",
            "statements/../kent-2025-26-Q2.xlsx",
            "statements/old/kent-2025-26-Q2.xlsx",
            "/statements/kent-2025-26-Q2.xlsx",
            "../2025-26-Q1/statements/kent-2025-26-Q1.xlsx",
            "statements",
            "/etc/passwd",
        ] {
            let err = with_output(path).unwrap_err();
            assert!(
                err.to_string()
                    .contains("which is not one of the files a run writes"),
                "{path}: {err}"
            );
        }
        let err = with_output("ledger.csv").unwrap_err();
        assert!(
            err.to_string()
                .contains("it names the output \"ledger.csv\" twice"),
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
