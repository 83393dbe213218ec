//! A webhook subscription as an administrator writes it: an HTTPS URL and
//! the events to receive.

use crate::contact::FieldError;
use crate::destination::{DestinationPolicy, address_refusal, public_host};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// What a CRM can be told. Payloads carry ids, never personal data: the CRM
/// reads the contact through the API, where the read is authorised and
/// audited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
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
}

#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    #[schemars(with = "WebhookUrl")]
    pub url: String,
    /// Each event once.
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub events: Vec<WebhookEvent>,
    #[schemars(length(max = MAX_DESCRIPTION))]
    pub description: Option<String>,
}

/// How the API document describes a delivery URL under the strict
/// destination policy; an installation that allows private destinations
/// serves the document without [`PUBLIC_HTTPS_URL`].
pub struct WebhookUrl;

impl schemars::JsonSchema for WebhookUrl {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "WebhookUrl".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "maxLength": MAX_URL,
            "pattern": PUBLIC_HTTPS_URL,
            "description": "An https:// URL naming its host by a public DNS name (not an address, not localhost), \
                with an optional port, path and query; no user name, password or #fragment.",
        })
    }
}

/// Every delivery URL the strict policy accepts, and nothing else: the rule
/// itself, so the API document and the check cannot drift apart.
pub const PUBLIC_HTTPS_URL: &str = concat!(
    "^https://",
    public_host!(),
    "(?::(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?",
    "(?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*)?",
    "(?:\\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?$"
);

static PUBLIC_HTTPS_URL_RULE: crate::pattern_rule::PatternRule = crate::pattern_rule::PatternRule::new(PUBLIC_HTTPS_URL);

/// A checked subscription target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTarget {
    pub url: String,
    pub events: Vec<WebhookEvent>,
    pub description: String,
}

const MAX_URL: usize = 2_000;
const MAX_DESCRIPTION: usize = 200;

/// A delivery URL, normalised, if `policy` allows it; otherwise why not.
pub fn destination_url(text: &str, policy: DestinationPolicy) -> Result<String, String> {
    if text.len() > MAX_URL {
        return Err(format!("must be at most {MAX_URL} characters"));
    }
    if !policy.allow_private && !PUBLIC_HTTPS_URL_RULE.accepts(text) {
        return Err("must be an https:// URL naming a public host by name (not an address, not localhost), with an optional \
            port, path and query, and no user name, password or #fragment"
            .into());
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
        let url = destination_url(&self.url, policy).map_err(|reason| errors.push(FieldError::new("url", reason))).ok();
        let mut events = Vec::new();
        for (i, event) in self.events.iter().enumerate() {
            if events.contains(event) {
                errors.push(FieldError::new(format!("events[{i}]"), "is named twice"));
            } else {
                events.push(*event);
            }
        }
        if self.events.is_empty() {
            errors.push(FieldError::new("events", "name at least one event"));
        }
        let description = self.description.unwrap_or_default();
        if description.chars().count() > MAX_DESCRIPTION {
            errors.push(FieldError::new("description", format!("must be at most {MAX_DESCRIPTION} characters")));
        }
        let description = description.trim().to_owned();
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
        WebhookInput { url: url.into(), events: vec![WebhookEvent::DispositionSet], description: None }
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
            "https://crm.example.com:0/hook",
            "https://crm.example.com:65536/hook",
            "https://crm.example.com/a%zz",
            " https://crm.example.com/hook",
            "HTTPS://crm.example.com/hook",
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
            events: vec![WebhookEvent::DispositionSet, WebhookEvent::ContactCreated, WebhookEvent::ContactCreated],
            description: None,
        };
        let fields: Vec<String> = bad.validate(STRICT).unwrap_err().into_iter().map(|f| f.field).collect();
        assert_eq!(fields, ["events[2]"]);
        let unknown = serde_json::from_str::<WebhookInput>(r#"{"url":"https://crm.example.com/","events":["call.everything"]}"#);
        assert!(unknown.is_err(), "an event the product does not send is refused when read");
        let none = WebhookInput { events: Vec::new(), ..input("https://crm.example.com/") };
        assert_eq!(none.validate(STRICT).unwrap_err().len(), 1);
    }

    #[test]
    fn the_pattern_refuses_localhost_and_nothing_else_of_its_length() {
        let url = |tld: &str| format!("https://crm.{tld}/hook");
        assert!(url_error(&url("localhost"), STRICT).is_some());
        for tld in ["com", "solutions", "localhosu", "locallost", "lxcalhost", "localhostt", "localhos"] {
            assert_eq!(url_error(&url(tld), STRICT), None, "{tld}");
        }
        assert_eq!(url_error("https://crm.example.com:8443/h/o%20k?a=1&b=two", STRICT), None);
    }

    proptest::proptest! {
        /// Whatever the strict pattern accepts, the URL parser reads back as
        /// the same https URL with that host: the pattern never lets through
        /// what the checks after it would refuse.
        #[test]
        fn what_the_pattern_accepts_parses(host in "(?:[a-z0-9]{1,5}\\.){1,3}[a-z]{2,10}", port in proptest::option::of(1u32..70_000), path in "(?:/[a-z%0-9A-F.~-]{0,6}){0,3}") {
            let text = format!("https://{host}{}{path}", port.map(|p| format!(":{p}")).unwrap_or_default());
            let accepted = url_error(&text, STRICT).is_none();
            let matches = PUBLIC_HTTPS_URL_RULE.accepts(&text);
            proptest::prop_assert_eq!(accepted, matches, "{}", text);
        }
    }
}
