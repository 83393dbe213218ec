//! A webhook subscription as an administrator writes it: an HTTPS URL and
//! the events to receive.

use super::destination::{DestinationPolicy, address_refusal};
use crate::contact::FieldError;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// What a CRM can be told. Payloads carry ids, never personal data: the CRM
/// reads the contact through the API, where the read is authorised and
/// audited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    /// A call ended (answered or not).
    #[serde(rename = "interaction.finished")]
    InteractionFinished,
    /// An agent set a call's disposition.
    #[serde(rename = "disposition.set")]
    DispositionSet,
    /// A contact was created (through the API or for a new caller).
    #[serde(rename = "contact.created")]
    ContactCreated,
    /// The detection rules raised a security incident (for a SIEM).
    #[serde(rename = "incident.raised")]
    IncidentRaised,
    /// A personal-data breach's 72-hour notification clock reached a reminder mark.
    #[serde(rename = "incident.reminder")]
    IncidentReminder,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 5] =
        [Self::InteractionFinished, Self::DispositionSet, Self::ContactCreated, Self::IncidentRaised, Self::IncidentReminder];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::InteractionFinished => "interaction.finished",
            Self::DispositionSet => "disposition.set",
            Self::ContactCreated => "contact.created",
            Self::IncidentRaised => "incident.raised",
            Self::IncidentReminder => "incident.reminder",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == text)
    }
}

#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
}

/// A checked subscription target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTarget {
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub description: String,
}

const MAX_URL: usize = 2_000;

/// A delivery URL, normalised, if `policy` allows it; otherwise why not.
pub fn destination_url(text: &str, policy: DestinationPolicy) -> Result<String, String> {
    if text.len() > MAX_URL {
        return Err(format!("must be at most {MAX_URL} characters"));
    }
    let url = url::Url::parse(text).map_err(|e| format!("is not a URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_private => {}
        _ => return Err("must be an https:// URL".into()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password; the signature authenticates deliveries".into());
    }
    if url.fragment().is_some() {
        return Err("must not have a #fragment".into());
    }
    let refused = |block: &str| Err(format!("must not point at a private, local or reserved address ({block})"));
    let literal = match url.host() {
        None => return Err("must name a host".into()),
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) if !policy.allow_private && (name == "localhost" || name.ends_with(".localhost")) => {
            return refused("localhost");
        }
        Some(url::Host::Domain(_)) => None,
    };
    if let Some(block) = literal.and_then(|ip| address_refusal(ip, policy)) {
        return refused(block);
    }
    Ok(url.to_string())
}

impl WebhookInput {
    /// Every problem at once, each with its field.
    pub fn validate(self, policy: DestinationPolicy) -> Result<WebhookTarget, Vec<FieldError>> {
        let mut errors = Vec::new();
        let url = destination_url(self.url.trim(), policy).map_err(|reason| errors.push(FieldError::new("url", reason))).ok();
        let mut events = Vec::new();
        for (i, name) in self.events.iter().enumerate() {
            match WebhookEvent::parse(name.trim()) {
                Some(event) if !events.contains(&event) => events.push(event),
                Some(_) => errors.push(FieldError::new(format!("events[{i}]"), "is named twice")),
                None => {
                    errors.push(FieldError::new(format!("events[{i}]"), "must be interaction.finished, disposition.set or contact.created"))
                }
            }
        }
        if self.events.is_empty() {
            errors.push(FieldError::new("events", "name at least one event"));
        }
        let description = self.description.unwrap_or_default().trim().to_owned();
        if description.chars().count() > 200 {
            errors.push(FieldError::new("description", "must be at most 200 characters"));
        }
        match url {
            Some(url) if errors.is_empty() => Ok(WebhookTarget { url, events, description }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: DestinationPolicy = DestinationPolicy { allow_private: false };

    fn input(url: &str) -> WebhookInput {
        WebhookInput { url: url.into(), events: vec!["disposition.set".into()], description: None }
    }

    fn url_error(url: &str, policy: DestinationPolicy) -> Option<String> {
        input(url).validate(policy).err().and_then(|e| e.into_iter().find(|f| f.field == "url")).map(|f| f.reason)
    }

    #[test]
    fn only_public_https_urls_without_credentials() {
        assert_eq!(
            input("https://crm.example.com/hooks/trustline").validate(STRICT).unwrap().url,
            "https://crm.example.com/hooks/trustline"
        );
        for refused in [
            "http://crm.example.com/hook",
            "ftp://crm.example.com/hook",
            "https://user:secret@crm.example.com/hook",
            "https://crm.example.com/hook#part",
            "https://127.0.0.1/hook",
            "https://10.0.0.5/hook",
            "https://[::1]/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://localhost/hook",
            "https://api.localhost/hook",
            "https://0x7f000001/hook",
            "not a url",
        ] {
            assert!(url_error(refused, STRICT).is_some(), "{refused}");
        }
        let open = DestinationPolicy { allow_private: true };
        assert_eq!(url_error("http://127.0.0.1:9000/hook", open), None, "allowed when the operator says so");
    }

    #[test]
    fn events_are_named_and_once() {
        let bad = WebhookInput {
            url: "https://crm.example.com/".into(),
            events: vec!["call.everything".into(), "contact.created".into(), "contact.created".into()],
            description: None,
        };
        let fields: Vec<String> = bad.validate(STRICT).unwrap_err().into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["events[0]", "events[2]"]);
        let none = WebhookInput { events: Vec::new(), ..input("https://crm.example.com/") };
        assert_eq!(none.validate(STRICT).unwrap_err().len(), 1);
    }
}
