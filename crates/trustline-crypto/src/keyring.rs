//! Envelope encryption for personal data.
//!
//! The master key (outside the database) wraps one key per tenant and key
//! version; a tenant key wraps one data key per data subject; a subject key
//! encrypts that subject's fields. Every wrapped key and every field is
//! AES-256-GCM with associated data naming exactly where it belongs, so a
//! ciphertext moved to another tenant, subject, record or field fails to open.
//!
//! Rotating a tenant key re-wraps subject keys without touching payloads;
//! rotating the master key re-wraps tenant keys and the installation secret
//! only. Destroying a subject's wrapped key makes every field of that subject
//! unreadable (crypto-shredding).
//!
//! The service keys (audit chain seals, checkpoint signing, TOTP sealing,
//! CSRF) derive from a random installation secret kept wrapped in the
//! database, not from the master key itself, so the master key can be
//! replaced without breaking the audit chain or sealed secrets.

use crate::{MasterKey, SealError, Sealer, ValueMac, random_bytes};
use zeroize::Zeroizing;

fn key_bytes(material: &[u8]) -> Result<Zeroizing<[u8; 32]>, SealError> {
    <[u8; 32]>::try_from(material).map(Zeroizing::new).map_err(|_| SealError::Open)
}

fn sealer_from(material: &[u8]) -> Result<Sealer, SealError> {
    Sealer::new(key_bytes(material)?)
}

/// Creates a fresh key and returns it with its wrapped form.
fn fresh(wrapper: &Sealer, place: &str) -> Result<(Sealer, Vec<u8>), SealError> {
    let material = random_bytes::<32>();
    let wrapped = wrapper.seal(material.as_ref(), place)?;
    Ok((Sealer::new(material)?, wrapped))
}

fn tenant_place(tenant_id: i64, version: u32) -> String {
    format!("tenant-key:{tenant_id}:{version}")
}

fn backup_place(backup_id: &str) -> String {
    format!("backup-key:{backup_id}")
}

fn index_place(tenant_id: i64) -> String {
    format!("index-key:{tenant_id}")
}

const INSTALLATION_PLACE: &str = "installation-secret";

/// The root of the service keys, stored wrapped by the master key.
pub struct InstallationSecret(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for InstallationSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InstallationSecret(..)")
    }
}

impl InstallationSecret {
    /// A purpose-bound 32-byte key: HMAC-SHA256(secret, label). Distinct labels
    /// give independent keys, so one compromised purpose does not expose another.
    pub fn derive(&self, label: &str) -> Zeroizing<[u8; 32]> {
        crate::master_key::derive(&self.0, label)
    }
}

/// The top of the hierarchy: wraps tenant keys with a key derived from the master key.
pub struct Keyring {
    wrap: Sealer,
    fingerprint: [u8; 16],
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring(..)")
    }
}

impl Keyring {
    pub fn new(master: &MasterKey) -> Result<Self, SealError> {
        Ok(Self { wrap: Sealer::new(master.derive("tenant-key-wrap"))?, fingerprint: master.fingerprint() })
    }

    /// Identifies the master key behind this keyring without revealing it; the
    /// database records it so that a node still holding a replaced master key
    /// cannot wrap new keys that nobody could open later.
    pub fn fingerprint(&self) -> [u8; 16] {
        self.fingerprint
    }

    /// A new installation secret, and the wrapped form to store.
    pub fn create_installation_secret(&self) -> Result<(InstallationSecret, Vec<u8>), SealError> {
        let material = random_bytes::<32>();
        let wrapped = self.wrap.seal(material.as_ref(), INSTALLATION_PLACE)?;
        Ok((InstallationSecret(material), wrapped))
    }

    pub fn open_installation_secret(&self, wrapped: &[u8]) -> Result<InstallationSecret, SealError> {
        Ok(InstallationSecret(key_bytes(&self.wrap.open(wrapped, INSTALLATION_PLACE)?)?))
    }

    /// Master-key rotation of the installation secret.
    pub fn rewrap_installation_secret(&self, previous: &Keyring, wrapped: &[u8]) -> Result<Vec<u8>, SealError> {
        self.rewrap(previous, wrapped, INSTALLATION_PLACE)
    }

    /// Opens with `previous`'s wrapping key and seals with this one, in the same place.
    fn rewrap(&self, previous: &Keyring, wrapped: &[u8], place: &str) -> Result<Vec<u8>, SealError> {
        let material = previous.wrap.open(wrapped, place)?;
        self.wrap.seal(&material, place)
    }

    /// A fresh key for one backup file, and its wrapped form for the file's
    /// header. `backup_id` is unique per file, so a wrapped key cannot be
    /// moved to another file's header.
    pub fn create_backup_key(&self, backup_id: &str) -> Result<(Sealer, Vec<u8>), SealError> {
        fresh(&self.wrap, &backup_place(backup_id))
    }

    pub fn open_backup_key(&self, backup_id: &str, wrapped: &[u8]) -> Result<Sealer, SealError> {
        sealer_from(&self.wrap.open(wrapped, &backup_place(backup_id))?)
    }

    /// A new key for `tenant_id` at `version`, and the wrapped form to store.
    pub fn create_tenant_key(&self, tenant_id: i64, version: u32) -> Result<(TenantKey, Vec<u8>), SealError> {
        let (sealer, wrapped) = fresh(&self.wrap, &tenant_place(tenant_id, version))?;
        Ok((TenantKey { tenant_id, version, sealer }, wrapped))
    }

    pub fn open_tenant_key(&self, tenant_id: i64, version: u32, wrapped: &[u8]) -> Result<TenantKey, SealError> {
        let material = self.wrap.open(wrapped, &tenant_place(tenant_id, version))?;
        Ok(TenantKey { tenant_id, version, sealer: sealer_from(&material)? })
    }

    /// A new blind-index key for `tenant_id`, and the wrapped form to store.
    /// It is separate from the tenant key so that rotating the tenant key
    /// does not force every index to be recomputed.
    pub fn create_index_key(&self, tenant_id: i64) -> Result<(BlindIndexKey, Vec<u8>), SealError> {
        let material = random_bytes::<32>();
        let wrapped = self.wrap.seal(material.as_ref(), &index_place(tenant_id))?;
        Ok((BlindIndexKey { mac: ValueMac::new(material) }, wrapped))
    }

    pub fn open_index_key(&self, tenant_id: i64, wrapped: &[u8]) -> Result<BlindIndexKey, SealError> {
        Ok(BlindIndexKey { mac: ValueMac::new(key_bytes(&self.wrap.open(wrapped, &index_place(tenant_id))?)?) })
    }

    /// Master-key rotation of an index key: unwrap with `previous`, wrap with this keyring.
    pub fn rewrap_index_key(&self, previous: &Keyring, tenant_id: i64, wrapped: &[u8]) -> Result<Vec<u8>, SealError> {
        self.rewrap(previous, wrapped, &index_place(tenant_id))
    }

    /// Master-key rotation: a tenant key wrapped by `previous` re-wrapped by this keyring.
    pub fn rewrap_tenant_key(&self, previous: &Keyring, tenant_id: i64, version: u32, wrapped: &[u8]) -> Result<Vec<u8>, SealError> {
        self.rewrap(previous, wrapped, &tenant_place(tenant_id, version))
    }
}

/// One version of a tenant's key: wraps the data keys of its subjects.
pub struct TenantKey {
    tenant_id: i64,
    version: u32,
    sealer: Sealer,
}

impl std::fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TenantKey(tenant {}, version {})", self.tenant_id, self.version)
    }
}

impl TenantKey {
    pub fn version(&self) -> u32 {
        self.version
    }

    fn subject_place(&self, subject: &str) -> String {
        format!("subject-key:{}:{subject}", self.tenant_id)
    }

    /// A new data key for `subject`, and the wrapped form to store.
    pub fn create_subject_key(&self, subject: &str) -> Result<(SubjectKey, Vec<u8>), SealError> {
        let (sealer, wrapped) = fresh(&self.sealer, &self.subject_place(subject))?;
        Ok((SubjectKey { sealer }, wrapped))
    }

    pub fn open_subject_key(&self, subject: &str, wrapped: &[u8]) -> Result<SubjectKey, SealError> {
        let material = self.sealer.open(wrapped, &self.subject_place(subject))?;
        Ok(SubjectKey { sealer: sealer_from(&material)? })
    }

    /// Tenant-key rotation: a subject key wrapped by `previous` (same tenant)
    /// re-wrapped by this version. The subject's fields are untouched.
    pub fn rewrap_subject_key(&self, previous: &TenantKey, subject: &str, wrapped: &[u8]) -> Result<Vec<u8>, SealError> {
        if previous.tenant_id != self.tenant_id {
            return Err(SealError::Open);
        }
        let place = self.subject_place(subject);
        let material = previous.sealer.open(wrapped, &place)?;
        self.sealer.seal(&material, &place)
    }
}

/// Keyed lookups over encrypted fields: equal normalised values give equal
/// indexes within one tenant and field, and nothing else can be learned
/// from them without the key.
pub struct BlindIndexKey {
    mac: ValueMac,
}

impl std::fmt::Debug for BlindIndexKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BlindIndexKey(..)")
    }
}

impl BlindIndexKey {
    /// The index of an already normalised `value` (e.g. an E.164 number) in `field`.
    pub fn index(&self, field: &str, value: &str) -> [u8; 32] {
        let mut input = Vec::with_capacity(field.len() + 1 + value.len());
        input.extend_from_slice(field.as_bytes());
        input.push(0);
        input.extend_from_slice(value.as_bytes());
        self.mac.mac(&input)
    }
}

/// One data subject's key: encrypts and decrypts that subject's fields.
pub struct SubjectKey {
    sealer: Sealer,
}

impl std::fmt::Debug for SubjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SubjectKey(..)")
    }
}

fn field_place(record: &str, field: &str) -> String {
    format!("field:{record}:{field}")
}

impl SubjectKey {
    /// `record` is the row's stable id (e.g. `contact:42`), `field` the column.
    pub fn encrypt(&self, record: &str, field: &str, plaintext: &[u8]) -> Result<Vec<u8>, SealError> {
        self.sealer.seal(plaintext, &field_place(record, field))
    }

    pub fn decrypt(&self, record: &str, field: &str, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        self.sealer.open(ciphertext, &field_place(record, field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keyring() -> (MasterKey, Keyring) {
        let master = MasterKey::generate();
        let ring = Keyring::new(&master).unwrap();
        (master, ring)
    }

    #[test]
    fn fields_round_trip_through_the_hierarchy() {
        let (_, ring) = keyring();
        let (tenant, wrapped_tenant) = ring.create_tenant_key(7, 1).unwrap();
        let (subject, wrapped_subject) = tenant.create_subject_key("contact:42").unwrap();
        let name = subject.encrypt("contact:42", "name", b"Ada Lovelace").unwrap();

        let tenant = ring.open_tenant_key(7, 1, &wrapped_tenant).unwrap();
        let subject = tenant.open_subject_key("contact:42", &wrapped_subject).unwrap();
        assert_eq!(subject.decrypt("contact:42", "name", &name).unwrap().as_slice(), b"Ada Lovelace");
        assert!(!name.windows(3).any(|w| w == b"Ada"), "no plaintext in the ciphertext");
    }

    #[test]
    fn ciphertexts_only_open_where_they_belong() {
        let (_, ring) = keyring();
        let (tenant, wrapped_tenant) = ring.create_tenant_key(7, 1).unwrap();
        let (subject, wrapped_subject) = tenant.create_subject_key("contact:42").unwrap();
        let phone = subject.encrypt("contact:42", "phone", b"+442071838750").unwrap();

        assert!(subject.decrypt("contact:43", "phone", &phone).is_err(), "moved to another row");
        assert!(subject.decrypt("contact:42", "email", &phone).is_err(), "moved to another field");
        assert!(tenant.open_subject_key("contact:43", &wrapped_subject).is_err(), "key moved to another subject");
        assert!(ring.open_tenant_key(8, 1, &wrapped_tenant).is_err(), "key moved to another tenant");
        assert!(ring.open_tenant_key(7, 2, &wrapped_tenant).is_err(), "key relabelled as another version");
        let (other_subject, _) = tenant.create_subject_key("contact:42").unwrap();
        assert!(other_subject.decrypt("contact:42", "phone", &phone).is_err(), "a replaced (shredded) key reads nothing");
        let (_, other_ring) = keyring();
        assert!(other_ring.open_tenant_key(7, 1, &wrapped_tenant).is_err(), "another master key reads nothing");
    }

    #[test]
    fn blind_indexes_match_equal_values_only_within_their_field_and_tenant() {
        let (_, ring) = keyring();
        let (index, wrapped) = ring.create_index_key(7).unwrap();
        let same = ring.open_index_key(7, &wrapped).unwrap();
        assert_eq!(index.index("phone", "+442071838750"), same.index("phone", "+442071838750"));
        assert_ne!(index.index("phone", "+442071838750"), index.index("phone", "+442071838751"));
        assert_ne!(index.index("phone", "+442071838750"), index.index("email", "+442071838750"));
        assert_ne!(index.index("ph", "one+44"), index.index("pho", "ne+44"), "field and value cannot be shifted");
        assert!(ring.open_index_key(8, &wrapped).is_err());
        let (other, _) = ring.create_index_key(7).unwrap();
        assert_ne!(other.index("phone", "+442071838750"), index.index("phone", "+442071838750"));
        let (_, new_ring) = keyring();
        let moved = new_ring.rewrap_index_key(&ring, 7, &wrapped).unwrap();
        assert_eq!(new_ring.open_index_key(7, &moved).unwrap().index("phone", "x"), index.index("phone", "x"));
    }

    #[test]
    fn rotation_rewraps_keys_and_leaves_payloads_alone() {
        let (_, ring) = keyring();
        let (v1, _) = ring.create_tenant_key(7, 1).unwrap();
        let (subject, wrapped_subject) = v1.create_subject_key("contact:42").unwrap();
        let email = subject.encrypt("contact:42", "email", b"ada@example.org").unwrap();

        // Tenant key rotation.
        let (v2, wrapped_v2) = ring.create_tenant_key(7, 2).unwrap();
        let rewrapped = v2.rewrap_subject_key(&v1, "contact:42", &wrapped_subject).unwrap();
        assert!(v2.open_subject_key("contact:42", &wrapped_subject).is_err());
        let subject = v2.open_subject_key("contact:42", &rewrapped).unwrap();
        assert_eq!(subject.decrypt("contact:42", "email", &email).unwrap().as_slice(), b"ada@example.org");
        let (other_tenant, _) = ring.create_tenant_key(8, 1).unwrap();
        assert!(other_tenant.rewrap_subject_key(&v1, "contact:42", &wrapped_subject).is_err());

        // Master key rotation.
        let (_, new_ring) = keyring();
        let moved = new_ring.rewrap_tenant_key(&ring, 7, 2, &wrapped_v2).unwrap();
        let v2 = new_ring.open_tenant_key(7, 2, &moved).unwrap();
        let subject = v2.open_subject_key("contact:42", &rewrapped).unwrap();
        assert_eq!(subject.decrypt("contact:42", "email", &email).unwrap().as_slice(), b"ada@example.org");
        assert!(ring.open_tenant_key(7, 2, &moved).is_err());
        assert_eq!(format!("{v2:?}"), "TenantKey(tenant 7, version 2)");
    }

    #[test]
    fn the_installation_secret_survives_master_rotation_and_nothing_else_opens_it() {
        let (master, ring) = keyring();
        let (secret, wrapped) = ring.create_installation_secret().unwrap();
        let (_, new_ring) = keyring();
        assert!(new_ring.open_installation_secret(&wrapped).is_err());
        assert!(ring.open_tenant_key(1, 1, &wrapped).is_err(), "an installation secret is not a tenant key");
        let moved = new_ring.rewrap_installation_secret(&ring, &wrapped).unwrap();
        let reopened = new_ring.open_installation_secret(&moved).unwrap();
        assert_eq!(reopened.derive("audit-chain").as_ref(), secret.derive("audit-chain").as_ref());
        assert_ne!(secret.derive("audit-chain").as_ref(), master.derive("audit-chain").as_ref());
        assert_ne!(ring.fingerprint(), new_ring.fingerprint());
        assert_eq!(ring.fingerprint(), Keyring::new(&master).unwrap().fingerprint());
    }
}
