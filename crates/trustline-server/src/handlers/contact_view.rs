//! What the API shows of a contact: everything, or a masked form that lets an
//! agent recognise a record without being able to use it.

use serde::Serialize;
use std::collections::BTreeMap;
use trustline_domain::contact::{PostalAddress, mask_address, mask_email, mask_name, mask_text};
use trustline_domain::{ContactId, UnixTime};
use trustline_store::ConsentState;
use trustline_vault::OpenedContact;

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct ContactView {
    pub id: ContactId,
    /// True when personal fields are masked.
    pub masked: bool,
    pub name: Option<String>,
    pub phones: Vec<String>,
    pub email: Option<String>,
    pub address: Option<AddressView>,
    pub language: Option<String>,
    pub custom: BTreeMap<String, String>,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    pub consent: ConsentState,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    pub last_worked_at: Option<UnixTime>,
}

/// A postal address: its parts when shown, one masked line when masked.
#[derive(Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub(crate) enum AddressView {
    Shown(PostalAddress),
    Masked(String),
}

impl ContactView {
    pub fn full(c: &OpenedContact) -> Self {
        let d = &c.details;
        Self {
            masked: false,
            name: d.name.clone(),
            phones: d.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            email: d.email.as_ref().map(|e| e.as_str().to_owned()),
            address: d.address.clone().map(AddressView::Shown),
            language: d.language.as_ref().map(|l| l.as_str().to_owned()),
            custom: d.custom.clone(),
            ..Self::common(c)
        }
    }

    pub fn masked(c: &OpenedContact) -> Self {
        let d = &c.details;
        Self {
            masked: true,
            name: d.name.as_deref().map(mask_name),
            phones: d.phones.iter().map(trustline_phone::mask).collect(),
            email: d.email.as_ref().map(|e| mask_email(e.as_str())),
            address: d.address.as_ref().map(|a| AddressView::Masked(mask_address(a))),
            // Agents need the language to greet the person; it identifies nobody.
            language: d.language.as_ref().map(|l| l.as_str().to_owned()),
            custom: d.custom.iter().map(|(k, v)| (k.clone(), mask_text(v))).collect(),
            ..Self::common(c)
        }
    }

    fn common(c: &OpenedContact) -> Self {
        Self {
            id: c.id,
            masked: true,
            name: None,
            phones: Vec::new(),
            email: None,
            address: None,
            language: None,
            custom: BTreeMap::new(),
            region: c.region.clone(),
            time_zone: c.time_zone.clone(),
            consent: c.consent.clone(),
            created_at: c.created_at,
            updated_at: c.updated_at,
            last_worked_at: c.last_worked_at,
        }
    }
}
