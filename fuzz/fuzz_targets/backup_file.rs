#![no_main]
// Backup and ledger files handed to `restore`: any bytes are refused cleanly
// (no panic, nothing left behind) unless they were sealed with the key.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.tlbackup");
    std::fs::write(&path, data).unwrap();
    let keyring = trustline_crypto::Keyring::new(&trustline_crypto::MasterKey::from_base64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=").unwrap()).unwrap();
    assert!(trustline_backup::open_archive(&path, &keyring, dir.path()).is_err(), "accepted a forged backup");
});
