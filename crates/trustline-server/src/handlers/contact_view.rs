//! What the API shows of a contact: everything, or a masked form that lets an
//! agent recognise a record without being able to use it.

use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use trustline_domain::contact::{mask_address, mask_email, mask_name, mask_text};
use trustline_domain::{ContactId, UnixTime};
use trustline_store::{ConsentEvent, ConsentState};
use trustline_vault::OpenedContact;

#[derive(Serialize)]
pub(crate) struct ContactView {
    pub id: ContactId,
    /// True when personal fields are masked.
    pub masked: bool,
    pub name: Option<String>,
    pub phones: Vec<String>,
    pub email: Option<String>,
    /// An object when shown, a string when masked.
    pub address: Option<Value>,
    pub language: Option<String>,
    pub custom: BTreeMap<String, String>,
    pub region: Option<String>,
    pub time_zone: Option<String>,
    pub consent: ConsentView,
    pub created_at: UnixTime,
    pub updated_at: UnixTime,
    pub last_worked_at: Option<UnixTime>,
}

#[derive(Serialize)]
pub(crate) struct ConsentView {
    pub consent: &'static str,
    pub consent_source: Option<String>,
    pub consent_at: Option<UnixTime>,
    pub do_not_contact: bool,
    pub dnc_source: Option<String>,
    pub dnc_at: Option<UnixTime>,
    pub restricted: bool,
}

impl From<&ConsentState> for ConsentView {
    fn from(s: &ConsentState) -> Self {
        Self {
            consent: s.consent.as_str(),
            consent_source: s.consent_source.clone(),
            consent_at: s.consent_at,
            do_not_contact: s.do_not_contact,
            dnc_source: s.dnc_source.clone(),
            dnc_at: s.dnc_at,
            restricted: s.restricted,
        }
    }
}

impl ContactView {
    pub fn full(c: &OpenedContact) -> Self {
        let d = &c.details;
        Self {
            masked: false,
            name: d.name.clone(),
            phones: d.phones.iter().map(|p| p.as_str().to_owned()).collect(),
            email: d.email.as_ref().map(|e| e.as_str().to_owned()),
            address: d.address.as_ref().map(|a| json!(a)),
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
            address: d.address.as_ref().map(|a| Value::String(mask_address(a))),
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
            consent: ConsentView::from(&c.consent),
            created_at: c.created_at,
            updated_at: c.updated_at,
            last_worked_at: c.last_worked_at,
        }
    }
}

#[derive(Serialize)]
pub(crate) struct ConsentEventView {
    pub at: UnixTime,
    pub kind: &'static str,
    pub value: String,
    pub source: String,
    pub actor: String,
}

impl From<&ConsentEvent> for ConsentEventView {
    fn from(e: &ConsentEvent) -> Self {
        Self { at: e.at, kind: e.kind.as_str(), value: e.value.clone(), source: e.source.clone(), actor: e.actor.clone() }
    }
}
