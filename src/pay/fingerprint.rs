//! The input fingerprint of a run: one SHA-256 over every input the manifest lists, the rules
//! version and the prior ledger's hash, which the approval records and an auditor can
//! recompute with `sha256sum` (the recipe is in the README).

use crate::cycle::load::sha256_hex;

/// The first line of the text hashed: names the recipe, so that a later one can differ.
pub const FINGERPRINT_HEADER: &str = "npg input fingerprint v1";

/// One input: its path inside the cycle folder, as bytes, and its SHA-256.
#[derive(Clone, Copy, Debug)]
pub struct FingerprintFile<'a> {
    pub path: &'a [u8],
    pub sha256: &'a str,
}

/// The text the fingerprint hashes: the header, `rules_version <v>`, `prior_ledger <sha256>`
/// (or `none` for Q1), then one line per input as `sha256sum` prints it (`<hash>  <path>`),
/// sorted by path in byte order (`LC_ALL=C sort`). It holds nothing the run writes, so it does
/// not depend on the manifest that hashes the workbook it is printed in.
pub fn fingerprint_text(
    rules_version: &str,
    prior_ledger: Option<&str>,
    files: &[FingerprintFile],
) -> Vec<u8> {
    let mut sorted: Vec<&FingerprintFile> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(b.path));
    let mut text = format!(
        "{FINGERPRINT_HEADER}\nrules_version {rules_version}\nprior_ledger {}\n",
        prior_ledger.unwrap_or("none")
    )
    .into_bytes();
    for file in sorted {
        text.extend_from_slice(file.sha256.as_bytes());
        text.extend_from_slice(b"  ");
        text.extend_from_slice(file.path);
        text.push(b'\n');
    }
    text
}

/// The fingerprint: the SHA-256 of [`fingerprint_text`], in hex.
pub fn input_fingerprint(
    rules_version: &str,
    prior_ledger: Option<&str>,
    files: &[FingerprintFile],
) -> String {
    sha256_hex(&fingerprint_text(rules_version, prior_ledger, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<FingerprintFile<'static>> {
        vec![
            FingerprintFile {
                path: b"returns/a.xlsx",
                sha256: "bb",
            },
            FingerprintFile {
                path: b"cycle.toml",
                sha256: "aa",
            },
        ]
    }

    #[test]
    fn the_text_is_sorted_by_path_as_sha256sum_prints_it() {
        let text = fingerprint_text("r1", None, &files());
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "npg input fingerprint v1\nrules_version r1\nprior_ledger none\naa  cycle.toml\nbb  returns/a.xlsx\n"
        );
    }

    #[test]
    fn any_change_to_an_input_the_rules_or_the_prior_ledger_changes_it() {
        let base = input_fingerprint("r1", Some("cc"), &files());
        assert_eq!(
            base,
            sha256_hex(&fingerprint_text("r1", Some("cc"), &files()))
        );
        assert_ne!(base, input_fingerprint("r2", Some("cc"), &files()));
        assert_ne!(base, input_fingerprint("r1", Some("cd"), &files()));
        assert_ne!(base, input_fingerprint("r1", None, &files()));
        let mut changed = files();
        changed[0].sha256 = "bc";
        assert_ne!(base, input_fingerprint("r1", Some("cc"), &changed));
        let mut renamed = files();
        renamed[0].path = b"returns/b.xlsx";
        assert_ne!(base, input_fingerprint("r1", Some("cc"), &renamed));
        assert_ne!(base, input_fingerprint("r1", Some("cc"), &files()[..1]));
    }
}
