//! The year's grants in the 360Giving Data Standard (1.4.3): one grant per force, one
//! disbursement per quarterly payment, as JSON and as the standard's flat CSV.

use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::domain::{FinancialYear, ForceId, Money, Quarter};

/// The standard's currency code for pounds sterling (ISO 4217).
const CURRENCY: &str = "GBP";

/// The 360Giving geoCodeType for an ONS Police Force Area code (E23…): "PFA, Police Force
/// Areas, an ONS Crime and Justice codelist" in the standard's codelists/geoCodeType.csv. The
/// schema itself names the codelist but does not enumerate it.
const POLICE_FORCE_AREA: &str = "PFA";

/// The planned duration of a year's grant, in months (the schema's `duration`).
const MONTHS_IN_YEAR: u32 = 12;

/// The flat file's columns: the chain of the schema's `title`s joined with ":", as the
/// standard's spreadsheet template and GrantNav's exports head them. Arrays the schema "rolls
/// up" (plannedDates, recipientOrganization, …) hold one item here, so they need no index.
pub const CSV_HEADER: [&str; 18] = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Amount Disbursed",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Planned Dates:Duration (months)",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Beneficiary Location:Name",
    "Beneficiary Location:Geographic Code",
    "Beneficiary Location:Geographic Code Type",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Title",
];

/// An organisation as 360Giving names it: an org id (e.g. `GB-GOR-…`) and a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Org {
    pub id: String,
    pub name: String,
}

/// A Police Force Area, when configured: e.g. name "Kent", geo_code "E23000032".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Area {
    pub name: String,
    /// The ONS code (`E23…`, `W15…`), when configured; without it the location is named only.
    pub geo_code: Option<String>,
}

/// What configuration says about the publisher and the programme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GivingSettings {
    /// The publisher's registered identifier prefix, e.g. "360G-homeoffice" (must start
    /// "360G-": see [`crate::cycle::publish::is_360g_prefix`]).
    pub prefix: String,
    /// The funder, with the org id configuration gives.
    pub funder: Org,
    /// The programme's title, e.g. "Neighbourhood Policing Grant".
    pub programme: String,
}

/// One quarterly payment to a force; a recovery is a negative amount.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disbursement {
    pub quarter: Quarter,
    pub date: NaiveDate,
    pub amount: Money,
}

/// One force's grant for the year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForceGrant {
    pub force: ForceId,
    pub recipient: Org,
    pub allocation: Money,
    /// The force's Police Force Area, when configured.
    pub area: Option<Area>,
    /// The payments made so far, in the order they are to be listed (Q1 first).
    pub disbursements: Vec<Disbursement>,
}

/// Everything the 360Giving file says, gathered by the caller.
#[derive(Clone, Copy, Debug)]
pub struct GivingFacts<'a> {
    pub settings: &'a GivingSettings,
    pub year: FinancialYear,
    pub award_date: NaiveDate,
    /// The grants, in the order they are written (one per force).
    pub grants: &'a [ForceGrant],
}

/// The grant's identifier: `<prefix>-npg-<year>-<force id>`, e.g.
/// `360G-homeoffice-npg-2025-26-kent`, stable from one run to the next so that a later file
/// updates the same grants rather than adding new ones.
pub fn grant_id(prefix: &str, year: FinancialYear, force: &ForceId) -> String {
    format!("{prefix}-npg-{year}-{force}")
}

/// The 360Giving package: `{"grants": [...]}`, grants in the order given, keys in a fixed
/// order, two-space indentation and a final newline. Amounts are JSON numbers with their
/// exact digits (`1374722.88`, `-0.01`, `0.00`). The package schema needs at least one grant.
pub fn giving_json(facts: &GivingFacts) -> String {
    let package = Package {
        grants: facts.grants.iter().map(|g| Grant::of(facts, g)).collect(),
    };
    // Plain structs of strings and numbers written to memory; the only fallible part, an
    // amount's digits, is always a valid JSON number (Money's plain form), so a failure is a bug.
    let mut text = serde_json::to_string_pretty(&package)
        .expect("a 360Giving package is plain text and exact numbers");
    text.push('\n');
    text
}

/// The same grants flat, one row per grant under [`CSV_HEADER`]. A grant's quarterly
/// payments have no column of their own: the schema gives `disbursementTransaction` no title,
/// so the standard's flat form has no heading for them, and its rolled-up main sheet carries
/// only their total, "Amount Disbursed". Each payment is in the JSON file.
pub fn giving_csv(facts: &GivingFacts) -> String {
    // Written to memory, every field text: neither can fail, so a failure is a bug.
    let bytes = write_csv(facts).expect("a 360Giving CSV is written to memory");
    String::from_utf8(bytes).expect("every field of a 360Giving CSV is text")
}

fn write_csv(facts: &GivingFacts) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    writer.write_record(CSV_HEADER)?;
    for force in facts.grants {
        let grant = Grant::of(facts, force);
        let dates = &grant.planned_dates[0];
        let (area, area_code, area_code_type) = match grant.beneficiary_location.first() {
            Some(l) => (
                l.name,
                l.geo_code.unwrap_or(""),
                l.geo_code_type.unwrap_or(""),
            ),
            None => ("", "", ""),
        };
        writer.write_record([
            grant.id.as_str(),
            &grant.title,
            &grant.description,
            grant.currency,
            &grant.amount_awarded.0.to_string(),
            &grant.amount_disbursed.0.to_string(),
            &grant.award_date.to_string(),
            &dates.start_date.to_string(),
            &dates.end_date.to_string(),
            &dates.duration.to_string(),
            grant.recipient_organization[0].id,
            grant.recipient_organization[0].name,
            area,
            area_code,
            area_code_type,
            grant.funding_organization[0].id,
            grant.funding_organization[0].name,
            grant.grant_programme[0].title,
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// An amount written as a JSON number with exactly the digits of `Money`'s plain form,
/// never through `f64` (which would turn `0.10` into `0.1` and lose pennies past 2^53).
#[derive(Clone, Copy, Debug)]
struct Amount(Money);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let digits =
            RawValue::from_string(self.0.to_string()).map_err(serde::ser::Error::custom)?;
        digits.serialize(serializer)
    }
}

/// Dates as the schema's YYYY-MM-DD pattern (chrono's `Display` of a `NaiveDate`).
fn ymd<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

#[derive(Serialize)]
struct Package<'a> {
    grants: Vec<Grant<'a>>,
}

/// One grant, its fields in the schema's order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Grant<'a> {
    id: String,
    title: String,
    description: String,
    currency: &'static str,
    amount_awarded: Amount,
    amount_disbursed: Amount,
    #[serde(serialize_with = "ymd")]
    award_date: NaiveDate,
    planned_dates: [Event; 1],
    recipient_organization: [OrgRef<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    beneficiary_location: Vec<Location<'a>>,
    funding_organization: [OrgRef<'a>; 1],
    grant_programme: [Programme<'a>; 1],
    disbursement_transaction: Vec<Transaction>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    #[serde(serialize_with = "ymd")]
    start_date: NaiveDate,
    #[serde(serialize_with = "ymd")]
    end_date: NaiveDate,
    duration: u32,
}

#[derive(Serialize)]
struct OrgRef<'a> {
    id: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    geo_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    geo_code_type: Option<&'static str>,
}

#[derive(Serialize)]
struct Programme<'a> {
    title: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Transaction {
    id: String,
    #[serde(serialize_with = "ymd")]
    transaction_date: NaiveDate,
    value: Amount,
    description: String,
}

impl<'a> Grant<'a> {
    fn of(facts: &GivingFacts<'a>, grant: &'a ForceGrant) -> Grant<'a> {
        let settings = facts.settings;
        let year = facts.year;
        let id = grant_id(&settings.prefix, year, &grant.force);
        let recipient = &grant.recipient.name;
        let disbursed: Money = grant.disbursements.iter().map(|d| d.amount).sum();
        let transactions = grant
            .disbursements
            .iter()
            .map(|d| Transaction {
                id: format!("{id}-{}", d.quarter),
                transaction_date: d.date,
                value: Amount(d.amount),
                description: format!(
                    "{} {year} {}",
                    d.quarter,
                    if d.amount.is_negative() {
                        "recovery"
                    } else {
                        "payment"
                    }
                ),
            })
            .collect();
        Grant {
            title: format!("{} {year}: {recipient}", settings.programme),
            description: format!(
                "{recipient}'s allocation of the {} for {year}, paid by quarter; \
                 a recovery is shown as a negative payment.",
                settings.programme
            ),
            id,
            currency: CURRENCY,
            amount_awarded: Amount(grant.allocation),
            amount_disbursed: Amount(disbursed),
            award_date: facts.award_date,
            planned_dates: [Event {
                start_date: year.first_day(),
                end_date: year.last_month().last_day(),
                duration: MONTHS_IN_YEAR,
            }],
            recipient_organization: [OrgRef {
                id: &grant.recipient.id,
                name: recipient,
            }],
            beneficiary_location: grant
                .area
                .iter()
                .map(|a| Location {
                    name: &a.name,
                    geo_code: a.geo_code.as_deref(),
                    // The type says what the code is; a location named only has neither.
                    geo_code_type: a.geo_code.as_ref().map(|_| POLICE_FORCE_AREA),
                })
                .collect(),
            funding_organization: [OrgRef {
                id: &settings.funder.id,
                name: &settings.funder.name,
            }],
            grant_programme: [Programme {
                title: &settings.programme,
            }],
            disbursement_transaction: transactions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn money(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn settings() -> GivingSettings {
        GivingSettings {
            prefix: "360G-homeoffice".to_owned(),
            funder: Org {
                id: "GB-GOV-HO".to_owned(),
                name: "Home Office".to_owned(),
            },
            programme: "Neighbourhood Policing Grant".to_owned(),
        }
    }

    fn paid(quarter: Quarter, on: NaiveDate, amount: &str) -> Disbursement {
        Disbursement {
            quarter,
            date: on,
            amount: money(amount),
        }
    }

    /// Kent with its area and three payments (one a recovery); Dyfed-Powys with neither.
    fn grants() -> Vec<ForceGrant> {
        vec![
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
                    paid(Quarter::Q1, date(2025, 7, 15), "1374722.88"),
                    paid(Quarter::Q2, date(2025, 10, 15), "-0.01"),
                    paid(Quarter::Q3, date(2026, 1, 15), "0.10"),
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
        ]
    }

    fn facts<'a>(settings: &'a GivingSettings, grants: &'a [ForceGrant]) -> GivingFacts<'a> {
        GivingFacts {
            settings,
            year: FinancialYear::starting(2025),
            award_date: date(2025, 4, 10),
            grants,
        }
    }

    #[test]
    fn amounts_keep_their_exact_digits_as_json_numbers() {
        let (s, g) = (settings(), grants());
        let text = giving_json(&facts(&s, &g));
        assert!(text.contains(r#""amountAwarded": 12345678.91,"#), "{text}");
        assert!(text.contains(r#""value": -0.01,"#), "{text}");
        // Through f64 this would be 0.1; a zero keeps its two places.
        assert!(text.contains(r#""value": 0.10,"#), "{text}");
        assert!(text.contains(r#""amountAwarded": 0.00,"#), "{text}");
        // Numbers, not strings, when read back.
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(value["grants"][0]["amountAwarded"].is_number());
        assert!(value["grants"][0]["disbursementTransaction"][1]["value"].is_number());
    }

    #[test]
    fn amount_disbursed_is_the_exact_sum_of_the_transactions() {
        let (s, g) = (settings(), grants());
        let text = giving_json(&facts(&s, &g));
        // 1374722.88 - 0.01 + 0.10 = 1374722.97, and 0.00 for a grant with no payments.
        assert!(text.contains(r#""amountDisbursed": 1374722.97,"#), "{text}");
        assert!(text.contains(r#""amountDisbursed": 0.00,"#), "{text}");
        // The sum checked again from the text by this test itself, each amount read as its
        // raw digits (a `serde_json::Value` would pass them through f64).
        #[derive(serde::Deserialize)]
        struct Raw {
            grants: Vec<RawGrant>,
        }
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct RawGrant {
            amount_disbursed: Box<RawValue>,
            disbursement_transaction: Vec<RawTransaction>,
        }
        #[derive(serde::Deserialize)]
        struct RawTransaction {
            value: Box<RawValue>,
        }
        let read: Raw = serde_json::from_str(&text).unwrap();
        for grant in &read.grants {
            let sum: Money = grant
                .disbursement_transaction
                .iter()
                .map(|t| money(t.value.get()))
                .sum();
            assert_eq!(money(grant.amount_disbursed.get()), sum);
        }
        assert_eq!(read.grants[0].disbursement_transaction.len(), 3);
    }

    #[test]
    fn ids_dates_and_the_rest_of_a_grant_are_as_specified() {
        let (s, g) = (settings(), grants());
        let text = giving_json(&facts(&s, &g));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let kent = &value["grants"][0];
        assert_eq!(kent["id"], "360G-homeoffice-npg-2025-26-kent");
        assert_eq!(
            kent["title"],
            "Neighbourhood Policing Grant 2025-26: Kent Police"
        );
        assert_eq!(kent["currency"], "GBP");
        assert_eq!(kent["awardDate"], "2025-04-10");
        assert_eq!(
            kent["plannedDates"],
            serde_json::json!([{"startDate": "2025-04-01", "endDate": "2026-03-31", "duration": 12}])
        );
        assert_eq!(
            kent["recipientOrganization"],
            serde_json::json!([{"id": "GB-PF-kent", "name": "Kent Police"}])
        );
        assert_eq!(
            kent["fundingOrganization"],
            serde_json::json!([{"id": "GB-GOV-HO", "name": "Home Office"}])
        );
        assert_eq!(
            kent["grantProgramme"],
            serde_json::json!([{"title": "Neighbourhood Policing Grant"}])
        );
        assert_eq!(
            kent["beneficiaryLocation"],
            serde_json::json!([{"name": "Kent", "geoCode": "E23000032", "geoCodeType": "PFA"}])
        );
        let transactions = kent["disbursementTransaction"].as_array().unwrap();
        let ids: Vec<&str> = transactions
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            [
                "360G-homeoffice-npg-2025-26-kent-Q1",
                "360G-homeoffice-npg-2025-26-kent-Q2",
                "360G-homeoffice-npg-2025-26-kent-Q3"
            ]
        );
        assert_eq!(transactions[0]["transactionDate"], "2025-07-15");
        assert_eq!(transactions[0]["description"], "Q1 2025-26 payment");
        assert_eq!(transactions[1]["description"], "Q2 2025-26 recovery");
        // The second grant: no area, so no beneficiaryLocation at all; no payments yet.
        let dyfed = &value["grants"][1];
        assert_eq!(dyfed["id"], "360G-homeoffice-npg-2025-26-dyfed-powys");
        assert!(dyfed.get("beneficiaryLocation").is_none());
        assert_eq!(dyfed["disbursementTransaction"], serde_json::json!([]));
    }

    #[test]
    fn the_json_is_pretty_with_keys_in_a_fixed_order_and_a_final_newline() {
        let (s, g) = (settings(), grants());
        let text = giving_json(&facts(&s, &g));
        assert!(
            text.starts_with("{\n  \"grants\": [\n    {\n      \"id\": "),
            "{text}"
        );
        assert!(text.ends_with("}\n") && !text.ends_with("\n\n"));
        let keys = [
            "\"id\"",
            "\"title\"",
            "\"description\"",
            "\"currency\"",
            "\"amountAwarded\"",
            "\"amountDisbursed\"",
            "\"awardDate\"",
            "\"plannedDates\"",
            "\"recipientOrganization\"",
            "\"beneficiaryLocation\"",
            "\"fundingOrganization\"",
            "\"grantProgramme\"",
            "\"disbursementTransaction\"",
        ];
        let at: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
        assert_eq!(text, giving_json(&facts(&s, &g)));
    }

    #[test]
    fn the_csv_has_the_standards_titles_and_one_row_per_grant() {
        let (s, g) = (settings(), grants());
        let text = giving_csv(&facts(&s, &g));
        let lines: Vec<&str> = text.split_terminator('\n').collect();
        assert_eq!(
            lines[0],
            "Identifier,Title,Description,Currency,Amount Awarded,Amount Disbursed,Award Date,\
             Planned Dates:Start Date,Planned Dates:End Date,Planned Dates:Duration (months),\
             Recipient Org:Identifier,Recipient Org:Name,Beneficiary Location:Name,\
             Beneficiary Location:Geographic Code,Beneficiary Location:Geographic Code Type,\
             Funding Org:Identifier,Funding Org:Name,Grant Programme:Title"
        );
        assert_eq!(
            lines[1],
            "360G-homeoffice-npg-2025-26-kent,Neighbourhood Policing Grant 2025-26: Kent Police,\
             \"Kent Police's allocation of the Neighbourhood Policing Grant for 2025-26, paid by \
             quarter; a recovery is shown as a negative payment.\",GBP,12345678.91,1374722.97,\
             2025-04-10,2025-04-01,2026-03-31,12,GB-PF-kent,Kent Police,Kent,E23000032,PFA,\
             GB-GOV-HO,Home Office,Neighbourhood Policing Grant"
        );
        assert!(lines[2].starts_with("360G-homeoffice-npg-2025-26-dyfed-powys,"));
        assert!(lines[2].contains(",GBP,0.00,0.00,2025-04-10,"));
        assert!(lines[2].contains(",Dyfed-Powys Police,,,,GB-GOV-HO,"));
        assert_eq!(lines.len(), 3);
        assert!(text.ends_with('\n') && !text.contains('\r'));
    }
}
