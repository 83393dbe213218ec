//! The assessment as NIST OSCAL assessment results (JSON, OSCAL 1.1.2):
//! one result with every control reviewed, an observation per control (its
//! evidence; method TEST for automated checks, EXAMINE for manual ones) and
//! a finding per automated control (satisfied or not). UUIDs are derived
//! from the tenant, the time and the control, so the same assessment always
//! exports the same document.

use crate::assessment::{Assessment, Status};
use crate::catalogue::CATALOGUE;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const OSCAL_VERSION: &str = "1.1.2";

/// A version-5-shaped UUID from a name.
fn uuid(assessment: &Assessment, name: &str) -> String {
    let digest = Sha256::digest(format!("trustline:{}:{}:{name}", assessment.tenant, assessment.checked_at).as_bytes());
    let mut b = [0u8; 16];
    b.iter_mut().zip(digest.iter()).for_each(|(o, d)| *o = *d);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn time(at: i64) -> String {
    jiff::Timestamp::from_second(at).map_or_else(|_| "1970-01-01T00:00:00Z".to_owned(), |t| t.to_string())
}

fn control_id(id: &str) -> String {
    id.to_ascii_lowercase()
}

/// The OSCAL assessment-results document.
pub fn oscal(assessment: &Assessment) -> Value {
    let at = time(assessment.checked_at);
    let mut observations = Vec::new();
    let mut findings = Vec::new();
    for c in &assessment.controls {
        let automated = CATALOGUE.iter().any(|k| k.id == c.id && k.check.is_automated());
        let observation = uuid(assessment, &format!("observation:{}", c.id));
        observations.push(json!({
            "uuid": observation,
            "title": format!("{} {}", c.id, c.title),
            "description": format!("{} ({})", c.evidence, c.how),
            "methods": [if automated { "TEST" } else { "EXAMINE" }],
            "collected": at,
            "remarks": format!("SOC 2: {}; ISO/IEC 27001:2022 Annex A: {}", c.soc2.join(", "), c.iso27001.join(", ")),
        }));
        if automated {
            let state = if c.status == Status::Pass { "satisfied" } else { "not-satisfied" };
            findings.push(json!({
                "uuid": uuid(assessment, &format!("finding:{}", c.id)),
                "title": format!("{} {}", c.id, c.title),
                "description": c.protects,
                "target": {
                    "type": "objective-id",
                    "target-id": format!("{}_obj", control_id(c.id)),
                    "status": { "state": state },
                },
                "related-observations": [{ "observation-uuid": observation }],
            }));
        }
    }
    let controls: Vec<Value> = assessment.controls.iter().map(|c| json!({ "control-id": control_id(c.id) })).collect();
    json!({
        "assessment-results": {
            "uuid": uuid(assessment, "document"),
            "metadata": {
                "title": format!("Trustline security controls: {}", assessment.tenant),
                "last-modified": at,
                "version": env!("CARGO_PKG_VERSION"),
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": { "href": "#trustline-controls-catalogue" },
            "results": [{
                "uuid": uuid(assessment, "result"),
                "title": "Trustline controls assessed from the running system",
                "description": format!(
                    "{} PASS, {} FAIL, {} MANUAL; automated checks computed from facts of the running system, manual controls from attached evidence.",
                    assessment.passed, assessment.failed, assessment.manual
                ),
                "start": at,
                "reviewed-controls": { "control-selections": [{ "include-controls": controls }] },
                "observations": observations,
                "findings": findings,
            }],
        }
    })
}
