//! Unit tests of the return reader's file-name checks (F05).

use super::about::{contains_token, force_ids_in, months_in};

#[test]
fn tokens_in_file_names_stand_apart() {
    assert!(contains_token("kent-2025-26-q2-v1", "kent"));
    assert!(contains_token("kent-2025-26-q2-v1", "q2"));
    assert!(!contains_token("sussex-plan", "essex"));
    assert!(!contains_token("kent-q12", "q1"));
    assert!(contains_token("north-wales-2025-09", "north-wales"));
    assert!(!contains_token("north-wales-2025-09", "wales-2"));
}

#[test]
fn force_ids_in_a_name_are_those_that_stand_as_tokens() {
    let forces = crate::cycle::defaults::default_forces().unwrap();
    for name in [
        "north-wales-2025-09",
        "sussex-plan-v1",
        "kent-and-essex-q1",
        "city-of-london-2025-26-q2-v1",
        "west-yorkshire",
        "Ü-kent-x",
        "",
    ] {
        let naive: Vec<&str> = forces
            .iter()
            .map(|f| f.id.as_str())
            .filter(|id| contains_token(name, id))
            .collect();
        assert_eq!(force_ids_in(name, &forces), naive, "{name}");
    }
    assert_eq!(
        force_ids_in("kent-and-essex-q1", &forces),
        ["essex", "kent"]
    );
}

#[test]
fn months_in_file_names() {
    let months: Vec<String> = months_in("kent-2025-09")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(months, ["2025-09"]);
    // `2025-26` is a financial year, not a month.
    assert!(months_in("kent-2025-26-q2-v1").is_empty());
    assert!(months_in("kent-12025-09").is_empty());
}
