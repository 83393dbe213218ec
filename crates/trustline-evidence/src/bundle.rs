//! Writing a bundle from a report and the audit log of a period.

use crate::archive;
use crate::manifest::{CHECKPOINTS, CONTROLS, EVENTS, FORMAT, MANIFEST, Manifest, ManifestFile, SIGNATURE, signed_message};
use crate::verify::BundleError;
use trustline_audit::{Checkpoint, StoredEvent};
use trustline_crypto::{CheckpointSigner, hex, sha256};
use trustline_trust::Assessment;

/// Unix seconds, `from` inclusive, `to` exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: i64,
    pub to: i64,
}

/// What goes into a bundle. The events run from just after a signed
/// checkpoint (or the start of the chain) to a signed checkpoint, covering
/// the period; `checkpoints` are the signed ones at those positions and in
/// between.
pub struct BundleContents<'a> {
    pub tenant_id: i64,
    pub period: Period,
    pub generated_at: i64,
    pub assessment: &'a Assessment,
    pub events: &'a [StoredEvent],
    pub checkpoints: &'a [Checkpoint],
}

const README: &str = "Trustline evidence bundle\n\
\n\
manifest.json      what the bundle holds, with each file's SHA-256; signed in manifest.sig\n\
report/            the controls report: controls.json, controls.html, oscal.json (NIST OSCAL\n\
                   assessment results), questionnaire.json (CAIQ-style answers)\n\
checks/ID.json     each control's check: status, evidence and when it was checked\n\
audit/events.jsonl the audit log of the period, one event per line, hash-chained\n\
audit/checkpoints.json  the signed checkpoints that pin the chain at both ends\n\
\n\
Verify offline, with no access to the installation:\n\
\n\
    trustline audit verify --bundle BUNDLE.zip --public-key KEY\n\
\n\
KEY is the installation's audit signing key, which `trustline audit verify` and\n\
GET /api/audit/verify print on the installation. Without --public-key the bundle\n\
is checked against the key it names, which only shows it was not altered since\n\
someone holding that key signed it.\n";

/// The bundle's bytes: a zip whose manifest is signed with `signer`.
pub fn write_bundle(contents: &BundleContents<'_>, signer: &CheckpointSigner) -> Result<Vec<u8>, BundleError> {
    let assessment = contents.assessment;
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("README.txt".into(), README.as_bytes().to_vec()),
        (CONTROLS.into(), pretty(CONTROLS, assessment)?),
        ("report/controls.html".into(), trustline_trust::html(assessment).into_bytes()),
        ("report/oscal.json".into(), pretty("report/oscal.json", &trustline_trust::oscal(assessment))?),
        ("report/questionnaire.json".into(), pretty("report/questionnaire.json", &trustline_trust::questionnaire(assessment))?),
    ];
    for control in &assessment.controls {
        let path = format!("checks/{}.json", control.id);
        let bytes = pretty(&path, control)?;
        files.push((path, bytes));
    }
    let mut events = Vec::new();
    for event in contents.events {
        let line = serde_json::to_vec(event).map_err(|e| BundleError::Malformed { file: EVENTS.into(), why: e.to_string() })?;
        events.extend_from_slice(&line);
        events.push(b'\n');
    }
    files.push((EVENTS.into(), events));
    files.push((CHECKPOINTS.into(), pretty(CHECKPOINTS, contents.checkpoints)?));

    let manifest = Manifest {
        format: FORMAT.into(),
        tenant: assessment.tenant.clone(),
        tenant_id: contents.tenant_id,
        period_from: contents.period.from,
        period_to: contents.period.to,
        generated_at: contents.generated_at,
        signing_key: hex(&signer.public_key()),
        first_seq: contents.events.first().map_or(0, |e| e.body.seq),
        last_seq: contents.events.last().map_or(0, |e| e.body.seq),
        checkpoints: contents.checkpoints.len(),
        files: files
            .iter()
            .map(|(path, bytes)| ManifestFile { path: path.clone(), bytes: bytes.len() as u64, sha256: hex(&sha256(bytes)) })
            .collect(),
    };
    let manifest = pretty(MANIFEST, &manifest)?;
    let signature = hex(&signer.sign(&signed_message(&manifest)));
    files.insert(0, (SIGNATURE.into(), signature.into_bytes()));
    files.insert(0, (MANIFEST.into(), manifest));
    Ok(archive::write(&files)?)
}

/// Pretty JSON, ending with a newline.
fn pretty<T: serde::Serialize + ?Sized>(file: &str, value: &T) -> Result<Vec<u8>, BundleError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|e| BundleError::Malformed { file: file.into(), why: e.to_string() })?;
    bytes.push(b'\n');
    Ok(bytes)
}
