//! The software bill of materials of this very build: every package of the
//! lock file it was built from, with its exact version and source.

include!(concat!(env!("OUT_DIR"), "/sbom.rs"));
