//! Key rotation and master-key replacement against real databases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use trustline_audit::AuditDraft;
use trustline_crypto::{Keyring, MasterKey};
use trustline_domain::contact::ContactInput;
use trustline_domain::{AuditAction, ContactId, TenantId};
use trustline_phone::PhoneRules;
use trustline_store::{ConsentState, ErasureEntry, StoreError};
use trustline_testdb::{Engine, TestDb, on_both_engines};
use trustline_vault::{Vault, VaultError, rotate_master};

on_both_engines!(
    tenant_key_rotation_rewraps_data_keys_and_leaves_payloads_alone,
    master_rotation_keeps_everything_readable_and_locks_out_the_old_key,
    a_node_with_a_replaced_master_key_cannot_add_keys,
    placing_a_call_opens_the_number_and_nothing_else
);

async fn tenant_with_contacts(db: &TestDb, vault: &Vault, count: usize) -> (TenantId, Vec<ContactId>) {
    let tenant =
        db.store.create_tenant("acme", "Acme", AuditDraft::new(1000, 0, "test", AuditAction::TenantCreate, "tenant")).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..count {
        let input =
            ContactInput { name: Some(format!("Person {i}")), phones: vec![format!("+4420718387{i:02}")], ..ContactInput::default() };
        let contact = input.validate(&[], &PhoneRules::default()).unwrap();
        let audit = AuditDraft::new(1000, tenant.id.0, "test", AuditAction::ContactCreate, "contact");
        ids.push(vault.create_contact(tenant.id, &contact, ConsentState::unknown(), audit).await.unwrap());
    }
    (tenant.id, ids)
}

async fn names(vault: &Vault, tenant: TenantId, ids: &[ContactId]) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for id in ids {
        out.push(vault.load_contact(tenant, *id).await.unwrap().map(|(_, c)| c.details.name.unwrap()));
    }
    out
}

async fn tenant_key_rotation_rewraps_data_keys_and_leaves_payloads_alone(engine: Engine) {
    let db = TestDb::new(engine).await;
    let vault = Vault::new(db.store.clone(), db.keys.keyring.clone());
    let (tenant, ids) = tenant_with_contacts(&db, &vault, 7).await;
    let erased = ids[6];
    db.store
        .erase_contact(
            ErasureEntry { tenant_id: tenant, contact_id: erased, erased_at: 1100, reason: "request".into() },
            AuditDraft::new(1100, tenant.0, "test", AuditAction::ContactErase, "x"),
        )
        .await
        .unwrap();
    let before: Vec<Vec<u8>> = payloads(&db, tenant).await;

    let report = vault.rotate_tenant_key(tenant, 1200, "test").await.unwrap();
    assert_eq!((report.from_version, report.to_version, report.rewrapped, report.retired), (1, 2, 6, 1));
    let versions: Vec<u32> = db.store.tenant_keys(tenant).await.unwrap().iter().map(|k| k.version).collect();
    assert_eq!(versions, [2]);
    assert_eq!(payloads(&db, tenant).await, before, "field ciphertexts are untouched");
    // A fresh vault (as another server would have) opens everything with version 2 only.
    let fresh = Vault::new(db.store.clone(), db.keys.keyring.clone());
    let expected: Vec<Option<String>> = (0..6).map(|i| Some(format!("Person {i}"))).collect();
    assert_eq!(names(&fresh, tenant, &ids[..6]).await, expected);
    assert!(matches!(fresh.load_contact(tenant, erased).await, Err(VaultError::Erased { .. })));
    // Rotating again works, and new contacts use the newest version.
    assert_eq!(vault.rotate_tenant_key(tenant, 1300, "test").await.unwrap().to_version, 3);
    let versions = db.raw.scalar(&format!("SELECT COUNT(*) FROM contacts WHERE tenant_id = {tenant} AND key_version = 3")).await;
    assert_eq!(versions, 6);
}

async fn payloads(db: &TestDb, tenant: TenantId) -> Vec<Vec<u8>> {
    let rows = db.store.contacts(tenant, ContactId(0), 100).await.unwrap();
    rows.into_iter().filter_map(|c| c.fields.name).collect()
}

async fn master_rotation_keeps_everything_readable_and_locks_out_the_old_key(engine: Engine) {
    let db = TestDb::new(engine).await;
    let vault = Vault::new(db.store.clone(), db.keys.keyring.clone());
    let (tenant, ids) = tenant_with_contacts(&db, &vault, 3).await;
    let old_master = db.master_key();
    let new_master = MasterKey::generate();
    let (old, new) = (Keyring::new(&old_master).unwrap(), Keyring::new(&new_master).unwrap());
    let report = rotate_master(db.store.as_ref(), &old, &new, 1500, "test").await.unwrap();
    assert_eq!((report.tenant_keys, report.index_keys), (1, 1));
    assert!(matches!(rotate_master(db.store.as_ref(), &old, &new, 1500, "test").await, Err(VaultError::WrongMasterKey)));

    let refused = trustline_app::unlock(db.reopen().await, &old_master).await;
    assert!(matches!(refused, Err(trustline_app::UnlockError::WrongMasterKey)));
    let (store, keys) = trustline_app::unlock(db.reopen().await, &new_master).await.unwrap();
    // The service keys did not change: the audit chain still verifies and
    // the same checkpoint key signs.
    assert_eq!(keys.checkpoint_signer.public_key(), db.keys.checkpoint_signer.public_key());
    let verification = trustline_app::verify_tenant(&store, &keys.chain, &keys.checkpoint_signer.public_key(), tenant).await.unwrap();
    assert!(verification.is_ok(), "{verification:?}");
    let reopened = Vault::new(store, keys.keyring.clone());
    assert_eq!(names(&reopened, tenant, &ids).await.len(), 3);
    assert!(names(&reopened, tenant, &ids).await.iter().all(Option::is_some));
}

async fn a_node_with_a_replaced_master_key_cannot_add_keys(engine: Engine) {
    let db = TestDb::new(engine).await;
    let tenant =
        db.store.create_tenant("acme", "Acme", AuditDraft::new(1000, 0, "test", AuditAction::TenantCreate, "tenant")).await.unwrap();
    let stale = std::sync::Arc::new(Keyring::new(&MasterKey::generate()).unwrap());
    let vault = Vault::new(db.store.clone(), stale);
    let refused = vault.current_tenant_key(tenant.id, 1000, "test").await;
    assert!(matches!(refused, Err(VaultError::Store(StoreError::StaleMasterKey))), "{refused:?}");
    assert!(db.store.tenant_keys(tenant.id).await.unwrap().is_empty());
}

/// The dialler asks for the number to dial and gets it without the other
/// fields being opened: with the name's ciphertext swapped for another
/// field's (so it cannot open), the whole contact fails but the number does not.
async fn placing_a_call_opens_the_number_and_nothing_else(engine: Engine) {
    let db = TestDb::new(engine).await;
    let vault = Vault::new(db.store.clone(), db.keys.keyring.clone());
    let (tenant, ids) = tenant_with_contacts(&db, &vault, 3).await;
    assert_eq!(vault.number_to_dial(tenant, ids[0]).await.unwrap().unwrap().as_str(), "+442071838700");
    db.raw.execute(&format!("UPDATE contacts SET name = phones WHERE tenant_id = {tenant} AND id = {}", ids[1])).await;
    assert!(matches!(vault.load_contact(tenant, ids[1]).await, Err(VaultError::Subject { .. })), "the name no longer opens");
    assert_eq!(vault.number_to_dial(tenant, ids[1]).await.unwrap().unwrap().as_str(), "+442071838701");
    let erasure = ErasureEntry { tenant_id: tenant, contact_id: ids[2], erased_at: 1100, reason: "request".into() };
    db.store.erase_contact(erasure, AuditDraft::new(1100, tenant.0, "test", AuditAction::ContactErase, "x")).await.unwrap();
    assert_eq!(vault.number_to_dial(tenant, ids[2]).await.unwrap(), None, "an erased contact has no number");
    assert_eq!(vault.number_to_dial(tenant, ContactId(999)).await.unwrap(), None);
}
