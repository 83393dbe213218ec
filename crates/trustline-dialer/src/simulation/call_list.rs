//! The campaign's contacts as the simulator dials them: every call passes
//! the same gate the live dialer uses ([`may_dial`]), at the moment it is
//! dialled.

use serde::Serialize;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use trustline_domain::UnixTime;
use trustline_domain::dialing::{AttemptHistory, CallingWindow, ContactStanding, DispositionOutcome, NotDiallable, RetryRule, may_dial};

/// The simulated call list.
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
    pub fn zone_of(&self, contact: usize) -> &str {
        self.zones.get(contact % self.zones.len().max(1)).map_or("", String::as_str)
    }

    pub fn on_do_not_contact_list(&self, contact: usize) -> bool {
        self.do_not_contact_every.is_some_and(|n| n > 0 && (contact + 1).is_multiple_of(n as usize))
    }
}

/// A call the simulator placed: which contact, when, and which attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlacedCall {
    pub contact: usize,
    pub at: UnixTime,
    pub attempt: u32,
}

/// How long a contact whose window is closed waits before it is looked at again.
const WINDOW_RECHECK_SECONDS: i64 = 15 * 60;
/// Contacts looked at for one pick at most: when windows are closed, the
/// rest wait for a later pick instead of being checked all at once.
const CHECKS_PER_PICK: usize = 256;

pub(crate) struct CallList<'a> {
    config: &'a ListConfig,
    window: CallingWindow,
    histories: Vec<AttemptHistory>,
    fresh: usize,
    later: BinaryHeap<Reverse<(UnixTime, usize)>>,
    pub(crate) placed: Vec<PlacedCall>,
}

impl<'a> CallList<'a> {
    pub(crate) fn new(config: &'a ListConfig) -> Self {
        Self {
            config,
            window: CallingWindow::new(config.region.as_deref(), None),
            histories: vec![AttemptHistory::default(); config.contacts as usize],
            fresh: 0,
            later: BinaryHeap::new(),
            placed: Vec::new(),
        }
    }

    /// Whether `contact` may be dialled at `now`; if not and it may be
    /// later, it is put back for then.
    pub(crate) fn check(&mut self, contact: usize, now: UnixTime) -> bool {
        let Some(history) = self.histories.get(contact) else { return false };
        let standing = ContactStanding { do_not_contact: self.config.on_do_not_contact_list(contact), restricted: false };
        match may_dial(standing, history, self.config.retry, &self.window, &[self.config.zone_of(contact)], now) {
            Ok(()) => true,
            Err(NotDiallable::NotDue(at)) => {
                self.later.push(Reverse((at, contact)));
                false
            }
            Err(NotDiallable::Window(_)) => {
                self.later.push(Reverse((now + WINDOW_RECHECK_SECONDS, contact)));
                false
            }
            Err(NotDiallable::DoNotContact | NotDiallable::Restricted | NotDiallable::Finished) => false,
        }
    }

    /// The next contact that may be dialled now: retries that are due
    /// first, then contacts not tried yet.
    pub(crate) fn next(&mut self, now: UnixTime) -> Option<usize> {
        let mut checks = 0;
        while let Some(&Reverse((due, contact))) = self.later.peek() {
            if due > now || checks == CHECKS_PER_PICK {
                break;
            }
            checks += 1;
            self.later.pop();
            if self.check(contact, now) {
                return Some(contact);
            }
        }
        while self.fresh < self.histories.len() && checks < CHECKS_PER_PICK {
            checks += 1;
            let contact = self.fresh;
            self.fresh += 1;
            if self.check(contact, now) {
                return Some(contact);
            }
        }
        None
    }

    pub(crate) fn dialled(&mut self, contact: usize, now: UnixTime) {
        if let Some(history) = self.histories.get_mut(contact) {
            history.attempts += 1;
            history.last_attempt_at = Some(now);
            self.placed.push(PlacedCall { contact, at: now, attempt: history.attempts });
        }
    }

    /// How the attempt ended; contacts to try again are put back for their due time.
    pub(crate) fn outcome(&mut self, contact: usize, outcome: DispositionOutcome) {
        let Some(history) = self.histories.get_mut(contact) else { return };
        history.last_outcome = Some(outcome);
        if let Some(due) = history.next_attempt_at(self.config.retry) {
            self.later.push(Reverse((due, contact)));
        }
    }
}
