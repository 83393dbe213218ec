//! The per-period evidence bundle an auditor takes away and verifies offline.
//!
//! One zip holds the controls report (JSON, HTML, OSCAL, questionnaire), each
//! control's check output, and the audit log of the period between two
//! signed checkpoints, with the checkpoints. A manifest lists every file
//! with its SHA-256 and is signed with the installation's audit signing key
//! (Ed25519), so the bundle needs nothing but that public key to verify:
//! every file is as signed, every event links to the one before it, and the
//! signed checkpoints pin the chain at both ends. Event seals need the
//! master key and are checked on the installation, not here.

mod archive;
mod bundle;
mod manifest;
mod verify;

pub use bundle::{BundleContents, Period, write_bundle};
pub use manifest::{FORMAT, Manifest, ManifestFile};
pub use verify::{BundleError, VerifiedBundle, verify_bundle};
