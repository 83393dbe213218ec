//! The file format on its own: what goes in comes out, and any change to the
//! file is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use trustline_backup::{ArchiveKind, BackupError, BackupHeader, open_archive, seal_files};
use trustline_crypto::{Keyring, MasterKey};
use trustline_store::{SnapshotFile, SnapshotManifest};

fn archive_of(dir: &Path, keyring: &Keyring, files: &[Vec<u8>]) -> (PathBuf, BackupHeader) {
    let source = dir.join("source");
    std::fs::create_dir_all(&source).unwrap();
    let mut manifest = SnapshotManifest { engine: "sqlite".into(), schema_version: 2, files: Vec::new() };
    for (i, bytes) in files.iter().enumerate() {
        let name = format!("part{i}.bin");
        std::fs::write(source.join(&name), bytes).unwrap();
        manifest.files.push(SnapshotFile { name, bytes: bytes.len() as u64 });
    }
    let out = dir.join("archive.tlbackup");
    let (header, _) = seal_files(keyring, ArchiveKind::Database, manifest, b"wrapped-secret", 1_700_000_000, &source, &out).unwrap();
    (out, header)
}

fn staging_leftovers(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".trustline")).count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, .. ProptestConfig::default() })]

    /// Sizes straddle the 1 MiB chunk size, and empty files are kept.
    #[test]
    fn what_goes_in_comes_out(files in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..1_200_000), 0..4)) {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Keyring::new(&MasterKey::generate()).unwrap();
        let (out, header) = archive_of(dir.path(), &keyring, &files);
        let opened = open_archive(&out, &keyring, dir.path()).unwrap();
        prop_assert_eq!(&opened.header, &header);
        for (i, bytes) in files.iter().enumerate() {
            prop_assert_eq!(&std::fs::read(opened.staging().join(format!("part{i}.bin"))).unwrap(), bytes);
        }
    }

    #[test]
    fn any_changed_bit_is_refused(
        files in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..40_000), 1..3),
        at in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let keyring = Keyring::new(&MasterKey::generate()).unwrap();
        let (out, _) = archive_of(dir.path(), &keyring, &files);
        let mut bytes = std::fs::read(&out).unwrap();
        let index = at.index(bytes.len());
        bytes[index] ^= 1 << bit;
        std::fs::write(&out, &bytes).unwrap();
        prop_assert!(open_archive(&out, &keyring, dir.path()).is_err(), "bit {} of byte {} changed and still accepted", bit, index);
        prop_assert_eq!(staging_leftovers(dir.path()), 0);
    }
}

#[test]
fn a_file_cut_short_at_any_chunk_boundary_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Keyring::new(&MasterKey::generate()).unwrap();
    let (out, _) = archive_of(dir.path(), &keyring, &[vec![7u8; 3 << 20]]);
    let whole = std::fs::read(&out).unwrap();
    // Three full chunks, the third marked last: cut after none, one or two.
    let chunk = 5 + 28 + (1 << 20);
    let header = whole.len() - 3 * chunk;
    for chunks in 0..3 {
        std::fs::write(&out, &whole[..header + chunks * chunk]).unwrap();
        let error = open_archive(&out, &keyring, dir.path()).err().expect("a cut file is refused");
        assert!(matches!(error, BackupError::Tampered { .. }), "{error}");
    }
}

#[test]
fn another_master_key_is_named_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Keyring::new(&MasterKey::generate()).unwrap();
    let (out, _) = archive_of(dir.path(), &keyring, &[b"data".to_vec()]);
    let other = Keyring::new(&MasterKey::generate()).unwrap();
    assert!(matches!(open_archive(&out, &other, dir.path()), Err(BackupError::OtherMasterKey { .. })));
}
