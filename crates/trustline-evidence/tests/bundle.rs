//! A bundle verifies as written and every kind of tampering is found: an
//! altered, added or removed file, an altered manifest, another key, and
//! an audit log edited, cut or unanchored even when the bundle is re-signed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use std::io::{Cursor, Read, Write};
use trustline_audit::{ChainKeys, Checkpoint, EventBody, StoredEvent, checkpoint_message, genesis_hash};
use trustline_crypto::{CheckpointSigner, ValueMac};
use trustline_evidence::{BundleContents, BundleError, Period, verify_bundle, write_bundle};
use trustline_trust::{Assessment, ControlResult, Status};
use zeroize::Zeroizing;

const TENANT: i64 = 7;

fn signer() -> CheckpointSigner {
    CheckpointSigner::from_seed(Zeroizing::new([5u8; 32]))
}

fn assessment() -> Assessment {
    let control = |id: &'static str, status: Status| ControlResult {
        id,
        title: "A control",
        protects: "something",
        soc2: &["CC6.1"],
        iso27001: &["8.5"],
        status,
        evidence: format!("{id} evidence"),
        how: "checked",
        checked_at: 2_000,
    };
    Assessment {
        tenant: "acme".into(),
        checked_at: 2_000,
        passed: 2,
        failed: 1,
        manual: 1,
        controls: vec![
            control("AC-01", Status::Pass),
            control("AC-02", Status::Pass),
            control("AU-01", Status::Fail),
            control("PP-01", Status::Manual),
        ],
    }
}

/// A chain of `n` events with checkpoints signed at `signed` positions.
fn chain(n: i64, signed: &[i64]) -> (Vec<StoredEvent>, Vec<Checkpoint>) {
    let keys = ChainKeys::new(ValueMac::new(Zeroizing::new([3u8; 32])));
    let mut prev = genesis_hash(TENANT);
    let events: Vec<StoredEvent> = (1..=n)
        .map(|seq| {
            let body = EventBody {
                tenant_id: TENANT,
                seq,
                at: 1_000 + seq,
                actor: "user:1".into(),
                action: "contact.reveal".into(),
                target: format!("contact:{seq}"),
                outcome: "success".into(),
                source: "10.0.0.1".into(),
                details: "{}".into(),
            };
            let event = keys.link(prev, body);
            prev = event.hash;
            event
        })
        .collect();
    let checkpoints = signed.iter().map(|seq| checkpoint(&events, *seq)).collect();
    (events, checkpoints)
}

fn checkpoint(events: &[StoredEvent], seq: i64) -> Checkpoint {
    let hash = events.iter().find(|e| e.body.seq == seq).unwrap().hash;
    let signature = signer().sign(&checkpoint_message(TENANT, seq, &hash, 5_000)).to_vec();
    Checkpoint { tenant_id: TENANT, seq, hash, at: 5_000, signature }
}

fn bundle(events: &[StoredEvent], checkpoints: &[Checkpoint]) -> Vec<u8> {
    let assessment = assessment();
    let contents = BundleContents {
        tenant_id: TENANT,
        period: Period { from: 1_000, to: 2_000 },
        generated_at: 2_000,
        assessment: &assessment,
        events,
        checkpoints,
    };
    write_bundle(&contents, &signer()).unwrap()
}

fn files(bundle: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bundle)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut file = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).unwrap();
            (file.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

fn zipped(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in files {
        zip.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// The bundle with `change` applied to its files, re-zipped.
fn altered(bundle: &[u8], change: impl FnOnce(&mut Vec<(String, Vec<u8>)>)) -> Vec<u8> {
    let mut contents = files(bundle);
    change(&mut contents);
    zipped(&contents)
}

fn file_mut<'a>(files: &'a mut [(String, Vec<u8>)], name: &str) -> &'a mut Vec<u8> {
    &mut files.iter_mut().find(|(n, _)| n == name).unwrap().1
}

#[test]
fn a_bundle_verifies_as_written_with_what_it_covers() {
    let (events, checkpoints) = chain(12, &[4, 9, 12]);
    // The period's log: after the checkpoint at 4, up to the one at 12.
    let bytes = bundle(&events[4..], &checkpoints);
    let verified = verify_bundle(&bytes, Some(&signer().public_key())).unwrap();
    assert_eq!((verified.events, verified.checkpoints, verified.files), (8, 3, 11));
    assert_eq!((verified.passed, verified.failed, verified.manual), (2, 1, 1));
    assert_eq!((verified.manifest.tenant.as_str(), verified.manifest.first_seq, verified.manifest.last_seq), ("acme", 5, 12));
    let names: Vec<String> = files(&bytes).into_iter().map(|(n, _)| n).collect();
    for expected in ["report/controls.html", "report/oscal.json", "report/questionnaire.json", "checks/AU-01.json", "README.txt"] {
        assert!(names.iter().any(|n| n == expected), "{expected} in {names:?}");
    }
    // From the start of the chain, anchored by the genesis.
    assert_eq!(verify_bundle(&bundle(&events, &checkpoints), None).unwrap().events, 12);
    // A tenant with no events yet.
    assert_eq!(verify_bundle(&bundle(&[], &[]), None).unwrap().events, 0);
    assert_eq!(bundle(&events[4..], &checkpoints), bytes, "reproducible");
}

#[test]
fn files_altered_added_or_removed_are_found() {
    let (events, checkpoints) = chain(6, &[6]);
    let bytes = bundle(&events, &checkpoints);
    let edited = altered(&bytes, |f| file_mut(f, "checks/AU-01.json").extend_from_slice(b" "));
    assert!(matches!(verify_bundle(&edited, None), Err(BundleError::Digest(path)) if path == "checks/AU-01.json"));
    let added = altered(&bytes, |f| f.push(("notes.txt".into(), b"all fine".to_vec())));
    assert!(matches!(verify_bundle(&added, None), Err(BundleError::Unlisted(path)) if path == "notes.txt"));
    let removed = altered(&bytes, |f| f.retain(|(n, _)| n != "report/oscal.json"));
    assert!(matches!(verify_bundle(&removed, None), Err(BundleError::Missing(path)) if path == "report/oscal.json"));
    let unsigned = altered(&bytes, |f| f.retain(|(n, _)| n != "manifest.sig"));
    assert!(matches!(verify_bundle(&unsigned, None), Err(BundleError::Missing(_))));
    // The manifest re-pointed at a forged report: its signature fails.
    let forged = altered(&bytes, |f| {
        let report = file_mut(f, "report/controls.json");
        *report = String::from_utf8(report.clone()).unwrap().replace("FAIL", "PASS").into_bytes();
        let digest = trustline_crypto::hex(&trustline_crypto::sha256(report));
        let size = report.len();
        let manifest = file_mut(f, "manifest.json");
        let mut value: serde_json::Value = serde_json::from_slice(manifest).unwrap();
        for file in value["files"].as_array_mut().unwrap() {
            if file["path"] == "report/controls.json" {
                file["sha256"] = digest.clone().into();
                file["bytes"] = size.into();
            }
        }
        *manifest = serde_json::to_vec_pretty(&value).unwrap();
    });
    assert!(matches!(verify_bundle(&forged, None), Err(BundleError::Signature)));
    // Another installation's key.
    let other = CheckpointSigner::from_seed(Zeroizing::new([6u8; 32])).public_key();
    assert!(matches!(verify_bundle(&bytes, Some(&other)), Err(BundleError::KeyMismatch { .. })));
    // Not a zip at all, or empty.
    assert!(matches!(verify_bundle(b"hello", None), Err(BundleError::Archive(_))));
    assert!(matches!(verify_bundle(&zipped(&[]), None), Err(BundleError::Missing(_))));
}

#[test]
fn an_audit_log_tampered_before_signing_is_found() {
    let (events, checkpoints) = chain(10, &[3, 10]);
    // An event's contents edited after the fact.
    let mut edited = events.clone();
    edited[5].body.target = "contact:99".into();
    let error = verify_bundle(&bundle(&edited, &checkpoints), None).unwrap_err();
    assert!(matches!(&error, BundleError::Chain { seq: 6, why } if why.contains("edited")), "{error}");
    // Edited and re-hashed from there on: the signed checkpoint no longer matches.
    let keys = ChainKeys::new(ValueMac::new(Zeroizing::new([9u8; 32])));
    let mut rewritten: Vec<StoredEvent> = events[..5].to_vec();
    for event in &events[5..] {
        let mut body = event.body.clone();
        if body.seq == 6 {
            body.actor = "user:2".into();
        }
        rewritten.push(keys.link(rewritten.last().unwrap().hash, body));
    }
    let error = verify_bundle(&bundle(&rewritten, &checkpoints), None).unwrap_err();
    assert!(matches!(&error, BundleError::Chain { seq: 10, why } if why.contains("signed checkpoint")), "{error}");
    // An event removed from the middle.
    let mut gap = events.clone();
    gap.remove(6);
    let error = verify_bundle(&bundle(&gap, &checkpoints), None).unwrap_err();
    assert!(matches!(&error, BundleError::Chain { seq: 7, .. }), "{error}");
    // The log cut short of its last checkpoint, with that checkpoint dropped.
    let error = verify_bundle(&bundle(&events[..8], &checkpoints[..1]), None).unwrap_err();
    assert!(matches!(&error, BundleError::Unanchored(why) if why.contains("last event (8)")), "{error}");
    // Starting after a position no checkpoint pins.
    let error = verify_bundle(&bundle(&events[5..], &checkpoints), None).unwrap_err();
    assert!(matches!(&error, BundleError::Unanchored(why) if why.contains("event 5")), "{error}");
    // A checkpoint whose signature was forged.
    let mut forged = checkpoints.clone();
    forged[1].signature[0] ^= 1;
    assert!(matches!(verify_bundle(&bundle(&events, &forged), None), Err(BundleError::CheckpointSignature(10))));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Any change to any byte of any file of a bundle is found.
    #[test]
    fn any_changed_byte_is_found(pick in 0usize..64, offset in 0usize..1_000_000, flip in 1u8..=255) {
        let (events, checkpoints) = chain(4, &[4]);
        let bytes = bundle(&events, &checkpoints);
        let changed = altered(&bytes, |f| {
            let index = pick % f.len();
            let contents = &mut f[index].1;
            if !contents.is_empty() {
                let at = offset % contents.len();
                contents[at] ^= flip;
            }
        });
        prop_assert!(verify_bundle(&changed, None).is_err());
    }
}
