//! The dialing gate applied to stored contacts: their attempts read back
//! into the domain's history, their zones found from what is known of them,
//! and the domain's rules asked. Every call the dialer or an agent places
//! passes here.

use trustline_domain::dialing::{
    AttemptHistory, CampaignSettings, ContactStanding, DispositionOutcome, NotDiallable, WindowClosed, record_allows,
};
use trustline_domain::{UnixTime, UserId};
use trustline_store::{AttemptRecord, DialCandidate};

/// The domain's history of a stored record. An outcome that does not read
/// counts as final: an unreadable record is never dialled.
pub(crate) fn history(record: Option<&AttemptRecord>) -> AttemptHistory {
    let Some(r) = record else { return AttemptHistory::default() };
    AttemptHistory {
        attempts: r.attempts,
        last_attempt_at: r.last_attempt_at,
        last_outcome: r.last_outcome.as_deref().map(|code| DispositionOutcome::parse(code).unwrap_or(DispositionOutcome::Final)),
        callback_at: r.callback_at,
    }
}

/// The stored form of a history, with when it is due under the campaign's rule.
pub(crate) fn record(history: AttemptHistory, settings: &CampaignSettings, callback_agent: Option<UserId>) -> AttemptRecord {
    AttemptRecord {
        attempts: history.attempts,
        last_attempt_at: history.last_attempt_at,
        last_outcome: history.last_outcome.map(|o| o.as_str().to_owned()),
        callback_at: history.callback_at,
        callback_agent: callback_agent.filter(|_| history.last_outcome == Some(DispositionOutcome::Callback)),
        due_at: history.next_attempt_at(settings.retry),
    }
}

/// The zones a contact may be in: its own, or every zone of its country.
/// None known: the window stays closed.
fn zones(candidate: &DialCandidate) -> Vec<&str> {
    zones_of_place(candidate.time_zone.as_deref(), candidate.region.as_deref())
}

/// The zones a calling window is checked in: the number's own zone, or
/// every zone of its country.
pub(crate) fn zones_of_place<'a>(zone: Option<&'a str>, region: Option<&str>) -> Vec<&'a str> {
    match (zone, region) {
        (Some(zone), _) => vec![zone],
        (None, Some(region)) => trustline_phone::zones_of(region).map(<[&str]>::to_vec).unwrap_or_default(),
        (None, None) => Vec::new(),
    }
}

/// Whether the candidate may be dialled now for the campaign.
pub(crate) fn check(candidate: &DialCandidate, settings: &CampaignSettings, now: UnixTime) -> Result<(), NotDiallable> {
    Gate::new(settings, now).check(candidate)
}

/// A place (country and zone) and whether the calling window is open there.
struct PlaceWindow {
    region: Option<String>,
    zone: Option<String>,
    open: Result<(), WindowClosed>,
}

/// The gate for many candidates of one campaign at one moment: the calling
/// window of each place (country and zone) is worked out once, as it is
/// the same for every contact there. The same answers as `check`, sooner.
pub(crate) struct Gate<'a> {
    settings: &'a CampaignSettings,
    now: UnixTime,
    /// The places seen so far, with their window now.
    windows: Vec<PlaceWindow>,
}

impl<'a> Gate<'a> {
    pub fn new(settings: &'a CampaignSettings, now: UnixTime) -> Self {
        Self { settings, now, windows: Vec::new() }
    }

    pub fn check(&mut self, candidate: &DialCandidate) -> Result<(), NotDiallable> {
        let standing = ContactStanding { do_not_contact: candidate.do_not_contact, restricted: candidate.restricted };
        record_allows(standing, &history(candidate.attempts.as_ref()), self.settings.retry, self.now)?;
        let (region, zone) = (candidate.region.as_deref(), candidate.time_zone.as_deref());
        let known = self.windows.iter().find(|w| w.region.as_deref() == region && w.zone.as_deref() == zone);
        let open = match known {
            Some(place) => place.open.clone(),
            None => {
                let open = self.settings.window(region).check(&zones(candidate), self.now);
                self.windows.push(PlaceWindow { region: candidate.region.clone(), zone: candidate.time_zone.clone(), open: open.clone() });
                open
            }
        };
        Ok(open?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trustline_domain::ContactId;
    use trustline_domain::dialing::CampaignInput;

    fn settings() -> CampaignSettings {
        CampaignInput {
            name: "c".into(),
            mode: "progressive".into(),
            lists: vec!["l".into()],
            max_attempts: Some(2),
            ..CampaignInput::default()
        }
        .validate()
        .unwrap()
    }

    fn candidate(region: Option<&str>, zone: Option<&str>) -> DialCandidate {
        DialCandidate {
            contact_id: ContactId(1),
            region: region.map(str::to_owned),
            time_zone: zone.map(str::to_owned),
            do_not_contact: false,
            restricted: false,
            attempts: None,
        }
    }

    /// Monday 15 June 2026, 12:00 UTC: 13:00 in London, 08:00 in Chicago, 05:00 in Los Angeles.
    const NOON_UTC: UnixTime = 1_781_524_800;

    #[test]
    fn the_window_follows_the_contacts_zone_and_the_strictest_zone_of_its_country() {
        assert_eq!(check(&candidate(Some("GB"), Some("Europe/London")), &settings(), NOON_UTC), Ok(()));
        assert!(check(&candidate(Some("US"), Some("America/Los_Angeles")), &settings(), NOON_UTC).is_err());
        assert!(check(&candidate(Some("US"), None), &settings(), NOON_UTC).is_err(), "some US zones are still before 08:00");
        assert!(check(&candidate(Some("US"), None), &settings(), NOON_UTC + 6 * 3600).is_ok());
        assert!(check(&candidate(None, None), &settings(), NOON_UTC).is_err(), "no zone known: closed");
    }

    #[test]
    fn the_gate_for_many_answers_as_the_gate_for_one() {
        let s = settings();
        let mut places = Vec::new();
        for (region, zone) in
            [(Some("GB"), Some("Europe/London")), (Some("US"), Some("America/Los_Angeles")), (Some("US"), None), (None, None)]
        {
            let mut c = candidate(region, zone);
            places.push(c.clone());
            c.do_not_contact = true;
            places.push(c);
        }
        for now in [NOON_UTC, NOON_UTC + 6 * 3600, NOON_UTC + 12 * 3600] {
            let mut gate = Gate::new(&s, now);
            // Twice over: the second time from what the gate worked out the first.
            for c in places.iter().chain(&places) {
                assert_eq!(gate.check(c), check(c, &s, now), "{c:?} at {now}");
            }
        }
    }

    #[test]
    fn stored_attempts_read_back_and_unreadable_outcomes_are_final() {
        let s = settings();
        let after_one = AttemptHistory::default().dialled(NOON_UTC - 5 * 3600);
        let stored = record(after_one, &s, None);
        assert_eq!(history(Some(&stored)), after_one);
        let mut due = candidate(Some("GB"), Some("Europe/London"));
        due.attempts = Some(stored.clone());
        assert_eq!(check(&due, &s, NOON_UTC), Ok(()));
        let spent = record(after_one.dialled(NOON_UTC - 4 * 3600), &s, None);
        assert_eq!(spent.due_at, None);
        due.attempts = Some(spent);
        assert_eq!(check(&due, &s, NOON_UTC), Err(NotDiallable::Finished));
        due.attempts = Some(AttemptRecord { last_outcome: Some("sold?".into()), ..stored });
        assert_eq!(check(&due, &s, NOON_UTC), Err(NotDiallable::Finished));
        due.attempts = None;
        due.do_not_contact = true;
        assert_eq!(check(&due, &s, NOON_UTC), Err(NotDiallable::DoNotContact));
    }
}
