//! The 360Giving file against the standard's own 1.4.3 JSON schemas, validated offline from
//! `tests/schemas/360giving/` (read its README: three traps), with format checks on.

use std::path::Path;

use chrono::NaiveDate;
use jsonschema::{Draft, Registry, Validator};
use npg::domain::{FinancialYear, Money, Quarter};
use npg::write::site::giving::{
    Area, Disbursement, ForceGrant, GivingFacts, GivingSettings, Org, giving_json,
};
use serde_json::{Value, json};

/// The grant schema's own `$id`.
const GRANT_SCHEMA_1_4_3: &str = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json";
/// The address the 1.4.3 package schema's `$ref` gives for the same grant schema.
const GRANT_SCHEMA_1_4_2: &str = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json";

fn schema(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schemas/360giving")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The package schema's validator, built without a network: draft 2020-12 chosen here (the
/// schemas name it by an http address that is not the draft's own), the local grant schema
/// under each address it is known by, and nothing fetched.
fn validator(grant_addresses: &[&str], formats: bool) -> Result<Validator, String> {
    let grant = schema("360-giving-schema.json");
    let registry = grant_addresses
        .iter()
        .try_fold(Registry::new().draft(Draft::Draft202012), |builder, uri| {
            builder.add(uri, Draft::Draft202012.create_resource(grant.clone()))
        })
        .and_then(|builder| builder.prepare())
        .map_err(|e| e.to_string())?;
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(formats)
        .offline()
        .with_registry(&registry)
        .build(&schema("360-giving-package-schema.json"))
        .map_err(|e| e.to_string())
}

fn violations_with(validator: &Validator, json: &str) -> Vec<String> {
    let instance: Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(e) => return vec![format!("not JSON: {e}")],
    };
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Every way a 360Giving package JSON text breaks the 1.4.3 schemas (none: valid), each as
/// "<JSON pointer>: <what is wrong>". Offline, draft 2020-12, format checks on.
pub fn schema_violations(json: &str) -> Vec<String> {
    let validator = validator(&[GRANT_SCHEMA_1_4_3, GRANT_SCHEMA_1_4_2], true)
        .unwrap_or_else(|e| panic!("the 360Giving schemas do not build a validator: {e}"));
    violations_with(&validator, json)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn money(text: &str) -> Money {
    text.parse().unwrap()
}

/// A package as `npg publish` writes it: two forces, one with its Police Force Area and
/// payments that include a recovery, one with neither.
fn package() -> String {
    let settings = GivingSettings {
        prefix: "360G-homeoffice".to_owned(),
        funder: Org {
            id: "GB-GOV-HO".to_owned(),
            name: "Home Office".to_owned(),
        },
        programme: "Neighbourhood Policing Grant".to_owned(),
    };
    let grants = [
        ForceGrant {
            force: "kent".parse().unwrap(),
            recipient: Org {
                id: "GB-PF-kent".to_owned(),
                name: "Kent Police".to_owned(),
            },
            allocation: money("12345678.91"),
            area: Some(Area {
                name: "Kent".to_owned(),
                geo_code: Some("E23000032".to_owned()),
            }),
            disbursements: vec![
                Disbursement {
                    quarter: Quarter::Q1,
                    date: date(2025, 7, 15),
                    amount: money("1374722.88"),
                },
                Disbursement {
                    quarter: Quarter::Q2,
                    date: date(2025, 10, 15),
                    amount: money("-723863.59"),
                },
            ],
        },
        ForceGrant {
            force: "dyfed-powys".parse().unwrap(),
            recipient: Org {
                id: "GB-PF-dyfed-powys".to_owned(),
                name: "Dyfed-Powys Police".to_owned(),
            },
            allocation: money("0.00"),
            area: None,
            disbursements: vec![],
        },
    ];
    giving_json(&GivingFacts {
        settings: &settings,
        year: FinancialYear::starting(2025),
        award_date: date(2025, 4, 10),
        grants: &grants,
    })
}

/// The first grant of a parsed package.
fn grant(package: &mut Value) -> &mut Value {
    &mut package["grants"][0]
}

/// The package with one change made to its parsed form.
fn mutated(change: impl FnOnce(&mut Value)) -> String {
    let mut value: Value = serde_json::from_str(&package()).unwrap();
    change(&mut value);
    value.to_string()
}

#[test]
fn the_file_npg_writes_is_valid_360giving() {
    let violations = schema_violations(&package());
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn each_kind_of_mistake_is_caught_and_placed() {
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "an amount as a string",
            mutated(|v| grant(v)["amountAwarded"] = json!("12345678.91")),
            "/grants/0/amountAwarded",
        ),
        (
            "a disbursement as a string",
            mutated(|v| {
                grant(v)["disbursementTransaction"][1]["value"] = json!("-723863.59");
            }),
            "/grants/0/disbursementTransaction/1/value",
        ),
        (
            "a thirteenth month",
            mutated(|v| grant(v)["awardDate"] = json!("2025-13-01")),
            "/grants/0/awardDate",
        ),
        (
            "a date written the British way",
            mutated(|v| grant(v)["plannedDates"][0]["endDate"] = json!("31/03/2026")),
            "/grants/0/plannedDates/0/endDate",
        ),
        (
            "a date-time that is not one",
            mutated(|v| {
                grant(v)["disbursementTransaction"][0]["transactionDate"] =
                    json!("2025-07-15T25:00:00Z");
            }),
            "/grants/0/disbursementTransaction/0/transactionDate",
        ),
        (
            "a missing id",
            mutated(|v| {
                grant(v).as_object_mut().unwrap().remove("id");
            }),
            "/grants/0",
        ),
        (
            "an unknown currency",
            mutated(|v| grant(v)["currency"] = json!("GBX")),
            "/grants/0/currency",
        ),
        (
            "a recipient without a name",
            mutated(|v| {
                grant(v)["recipientOrganization"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("name");
            }),
            "/grants/0/recipientOrganization/0",
        ),
        (
            "no funder",
            mutated(|v| grant(v)["fundingOrganization"] = json!([])),
            "/grants/0/fundingOrganization",
        ),
        (
            "a negative duration",
            mutated(|v| grant(v)["plannedDates"][0]["duration"] = json!(-12)),
            "/grants/0/plannedDates/0/duration",
        ),
        (
            "a geographic code as a number",
            mutated(|v| grant(v)["beneficiaryLocation"][0]["geoCode"] = json!(23000032)),
            "/grants/0/beneficiaryLocation/0/geoCode",
        ),
        ("no grants", mutated(|v| v["grants"] = json!([])), "/grants"),
        (
            "the same grant twice",
            mutated(|v| {
                let first = v["grants"][0].clone();
                v["grants"][1] = first;
            }),
            "/grants",
        ),
    ];
    let validator = validator(&[GRANT_SCHEMA_1_4_3, GRANT_SCHEMA_1_4_2], true).unwrap();
    for (what, json, at) in cases {
        let violations = violations_with(&validator, &json);
        assert!(
            violations.iter().any(|v| v.starts_with(&format!("{at}: "))),
            "{what}: expected a violation at {at}, got {violations:#?}"
        );
    }
}

#[test]
fn text_that_is_not_json_is_one_violation() {
    let violations = schema_violations("{\"grants\": [");
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(violations[0].starts_with("not JSON: "), "{violations:#?}");
}

#[test]
fn the_grant_schema_must_be_known_by_its_1_4_2_address_too() {
    // Trap 2: the package schema's `$ref` names the 1.4.2 address; with the grant schema only
    // under its own 1.4.3 `$id`, the reference cannot be resolved offline.
    match validator(&[GRANT_SCHEMA_1_4_3], true) {
        Ok(_) => panic!("built without the 1.4.2 address"),
        Err(e) => assert!(e.contains(GRANT_SCHEMA_1_4_2), "{e}"),
    }
}

#[test]
fn without_format_checks_a_plain_date_would_fail() {
    // Trap 3: without formats, "format": "date-time" matches any string, so a YYYY-MM-DD date
    // matches both branches of each date's `oneOf`, which then fails.
    let no_formats = validator(&[GRANT_SCHEMA_1_4_3, GRANT_SCHEMA_1_4_2], false).unwrap();
    let violations = violations_with(&no_formats, &package());
    assert!(
        violations
            .iter()
            .any(|v| v.starts_with("/grants/0/awardDate: ")),
        "{violations:#?}"
    );
}
