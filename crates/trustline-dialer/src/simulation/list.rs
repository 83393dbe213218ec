//! The simulated call list: how many contacts, their zones and country,
//! which are on the do-not-contact list, the campaign's retry rule, and
//! when the run starts.

use serde::Serialize;
use trustline_domain::UnixTime;
use trustline_domain::dialing::RetryRule;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListConfig {
    pub contacts: u32,
    /// Time zones, given to contacts in turn.
    pub zones: Vec<String>,
    /// The country whose calling hours apply.
    pub region: Option<String>,
    /// Every n-th contact (the n-th, 2n-th, ...) is on the do-not-contact list.
    pub do_not_contact_every: Option<u32>,
    pub retry: RetryRule,
    /// Wall-clock time at which the run starts.
    pub start: UnixTime,
}

impl Default for ListConfig {
    /// Contacts in London, starting on Monday 15 June 2026 at 09:00 local time.
    fn default() -> Self {
        Self {
            contacts: 200_000,
            zones: vec!["Europe/London".into()],
            region: Some("GB".into()),
            do_not_contact_every: None,
            retry: RetryRule::default(),
            start: 1_781_510_400,
        }
    }
}

impl ListConfig {
    /// The zone of the contact at `position` (from 0) in the list.
    pub fn zone_of(&self, position: usize) -> &str {
        self.zones.get(position % self.zones.len().max(1)).map_or("", String::as_str)
    }

    pub fn on_do_not_contact_list(&self, position: usize) -> bool {
        self.do_not_contact_every.is_some_and(|n| n > 0 && (position + 1).is_multiple_of(n as usize))
    }
}

/// A call the engine placed: the contact's position in the list, when,
/// and which attempt it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacedCall {
    pub contact: usize,
    pub at: UnixTime,
    pub attempt: u32,
}
