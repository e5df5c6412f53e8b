//! Every command's `--help` names its exit codes, so a script's author need not read the
//! README to tell "inputs in error" from "could not run".

use crate::common::npg;

fn help_of(args: &[&str]) -> String {
    let assert = npg().args(args).arg("--help").assert().success();
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

/// The help's "Exit codes:" paragraph, one line however clap wraps it.
fn exit_codes(args: &[&str]) -> String {
    let help = help_of(args);
    let Some(at) = help.find("Exit codes") else {
        panic!("npg {} --help names no exit codes:\n{help}", args.join(" "));
    };
    let paragraph = help[at..].split("\n\n").next().unwrap_or_default();
    paragraph.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_command_s_help_names_its_exit_codes() {
    let with_findings: &[(&[&str], &str)] = &[
        (&[], "1 the inputs have errors"),
        (&["validate"], "1 at least one error was found"),
        (&["allocate"], "1 the weights have errors"),
        (
            &["pay"],
            "1 the cycle's own files or the prior ledger are in error",
        ),
        (&["reconcile"], "1 the cycle's own files are in error"),
        (&["audit"], "1 something differs"),
        (&["audit", "verify"], "1 something differs"),
    ];
    for (args, one) in with_findings {
        let codes = exit_codes(args);
        assert!(codes.starts_with("Exit codes"), "{codes}");
        assert!(codes.contains(": 0 "), "npg {args:?}: {codes}");
        assert!(codes.contains(one), "npg {args:?}: {codes}");
        assert!(codes.contains("; 2 "), "npg {args:?}: {codes}");
    }
    // A template has nothing to find: it is written, or it is not.
    let codes = exit_codes(&["template"]);
    assert!(codes.contains(": 0 written; 2 "), "{codes}");
}

#[test]
fn verify_s_help_says_its_json_is_one_object() {
    let help = help_of(&["audit", "verify"]);
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("json: one JSON object, the report"), "{flat}");
    assert!(!flat.contains("json: A JSON array of findings"), "{flat}");
    let validate = help_of(&["validate"]);
    let flat = validate.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("a JSON array of findings"), "{flat}");
}
