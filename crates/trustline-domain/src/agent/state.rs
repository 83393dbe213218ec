//! An agent's state and the only moves between states. Every move the
//! system or the agent asks for goes through [`AgentState::apply`]; anything
//! else is refused, so reports built on the history add up.

use serde::{Deserialize, Serialize};

/// Why an agent is on a break (e.g. `lunch`, `training`, `coaching`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BreakReason(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a break reason is 1 to 40 letters, digits, spaces, '-' or '_'")]
pub struct InvalidBreakReason;

impl BreakReason {
    pub fn parse(text: &str) -> Result<Self, InvalidBreakReason> {
        let text = text.trim();
        let fine = |c: char| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_';
        if text.is_empty() || text.chars().count() > 40 || !text.chars().all(fine) {
            return Err(InvalidBreakReason);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BreakReason {
    type Error = InvalidBreakReason;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BreakReason> for String {
    fn from(reason: BreakReason) -> Self {
        reason.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AgentState {
    Offline,
    /// Ready for the next call or contact.
    Available,
    /// A call or contact is being offered to this agent and to no one else.
    Reserved,
    OnCall,
    /// After a call, until the disposition is set.
    WrapUp,
    Break {
        reason: BreakReason,
    },
}

/// What happened to an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AgentEvent {
    LogIn,
    LogOut,
    /// The router or dialer reserved the agent for a call or contact.
    Offer,
    /// The offered call was connected to the agent.
    Connect,
    /// The offer was withdrawn: the call failed or left before connecting.
    Withdraw,
    /// The agent declined an offered call or let it ring out: they are set
    /// aside, as on a break for `reason`, until they say they are back, so
    /// calls do not keep ringing at an empty desk.
    Unanswered {
        reason: BreakReason,
    },
    /// The call ended.
    HangUp,
    /// The disposition was set: the agent is ready again.
    Disposition,
    TakeBreak {
        reason: BreakReason,
    },
    EndBreak,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("an agent who is {from} cannot {event}")]
pub struct IllegalTransition {
    pub from: &'static str,
    pub event: &'static str,
}

impl AgentState {
    pub fn name(&self) -> &'static str {
        match self {
            AgentState::Offline => "offline",
            AgentState::Available => "available",
            AgentState::Reserved => "reserved",
            AgentState::OnCall => "on a call",
            AgentState::WrapUp => "in wrap-up",
            AgentState::Break { .. } => "on a break",
        }
    }

    /// The state after `event`, or why the move is not allowed. Calls are
    /// never cut by a state change: an agent on a call or reserved for one
    /// cannot log out or take a break; breaks start from available or
    /// wrap-up (after the disposition is set).
    pub fn apply(&self, event: AgentEvent) -> Result<AgentState, IllegalTransition> {
        use AgentEvent as E;
        use AgentState as S;
        let next = match (self, &event) {
            (S::Offline, E::LogIn) => S::Available,
            (S::Available, E::Offer) => S::Reserved,
            (S::Reserved, E::Connect) => S::OnCall,
            (S::Reserved, E::Withdraw) => S::Available,
            (S::Reserved, E::Unanswered { reason }) => S::Break { reason: reason.clone() },
            (S::OnCall, E::HangUp) => S::WrapUp,
            (S::WrapUp, E::Disposition) => S::Available,
            (S::Available, E::TakeBreak { reason }) => S::Break { reason: reason.clone() },
            (S::Break { .. }, E::EndBreak) => S::Available,
            (S::Available | S::Break { .. }, E::LogOut) => S::Offline,
            _ => return Err(IllegalTransition { from: self.name(), event: event.name() }),
        };
        Ok(next)
    }

    /// The stored form: a code, and the break reason if any.
    pub fn code(&self) -> (&'static str, Option<&str>) {
        match self {
            AgentState::Offline => ("offline", None),
            AgentState::Available => ("available", None),
            AgentState::Reserved => ("reserved", None),
            AgentState::OnCall => ("on_call", None),
            AgentState::WrapUp => ("wrap_up", None),
            AgentState::Break { reason } => ("break", Some(reason.as_str())),
        }
    }

    /// Back from the stored form; `None` if it is not one.
    pub fn from_code(code: &str, reason: Option<&str>) -> Option<AgentState> {
        Some(match (code, reason) {
            ("offline", None) => AgentState::Offline,
            ("available", None) => AgentState::Available,
            ("reserved", None) => AgentState::Reserved,
            ("on_call", None) => AgentState::OnCall,
            ("wrap_up", None) => AgentState::WrapUp,
            ("break", Some(reason)) => AgentState::Break { reason: BreakReason::parse(reason).ok()? },
            _ => return None,
        })
    }

    /// Whether the router or dialer may offer this agent work.
    pub fn can_take_work(&self) -> bool {
        *self == AgentState::Available
    }
}

/// An event an agent may ask for themselves; the others (offers, calls
/// connecting and ending, dispositions) come from the dialer and router.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelfServiceError {
    #[error("unknown event {0:?} (log_in, log_out, take_break or end_break)")]
    Unknown(String),
    #[error("a break needs a reason")]
    MissingReason,
    #[error(transparent)]
    Reason(#[from] InvalidBreakReason),
}

impl AgentEvent {
    /// `log_in`, `log_out`, `take_break` (with a reason) or `end_break`.
    pub fn self_service(event: &str, reason: Option<&str>) -> Result<AgentEvent, SelfServiceError> {
        Ok(match event {
            "log_in" => AgentEvent::LogIn,
            "log_out" => AgentEvent::LogOut,
            "take_break" => AgentEvent::TakeBreak { reason: BreakReason::parse(reason.ok_or(SelfServiceError::MissingReason)?)? },
            "end_break" => AgentEvent::EndBreak,
            other => return Err(SelfServiceError::Unknown(other.to_owned())),
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            AgentEvent::LogIn => "log in",
            AgentEvent::LogOut => "log out",
            AgentEvent::Offer => "be offered work",
            AgentEvent::Connect => "be connected to a call",
            AgentEvent::Withdraw => "have an offer withdrawn",
            AgentEvent::Unanswered { .. } => "leave an offer unanswered",
            AgentEvent::HangUp => "hang up",
            AgentEvent::Disposition => "set a disposition",
            AgentEvent::TakeBreak { .. } => "take a break",
            AgentEvent::EndBreak => "end a break",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lunch() -> BreakReason {
        BreakReason::parse("lunch").unwrap()
    }

    fn all_states() -> Vec<AgentState> {
        vec![
            AgentState::Offline,
            AgentState::Available,
            AgentState::Reserved,
            AgentState::OnCall,
            AgentState::WrapUp,
            AgentState::Break { reason: lunch() },
        ]
    }

    fn all_events() -> Vec<AgentEvent> {
        vec![
            AgentEvent::LogIn,
            AgentEvent::LogOut,
            AgentEvent::Offer,
            AgentEvent::Connect,
            AgentEvent::Withdraw,
            AgentEvent::Unanswered { reason: lunch() },
            AgentEvent::HangUp,
            AgentEvent::Disposition,
            AgentEvent::TakeBreak { reason: lunch() },
            AgentEvent::EndBreak,
        ]
    }

    #[test]
    fn a_working_day_goes_through() {
        let mut state = AgentState::Offline;
        for event in [
            AgentEvent::LogIn,
            AgentEvent::Offer,
            AgentEvent::Connect,
            AgentEvent::HangUp,
            AgentEvent::Disposition,
            AgentEvent::TakeBreak { reason: lunch() },
            AgentEvent::EndBreak,
            AgentEvent::Offer,
            AgentEvent::Withdraw,
            AgentEvent::LogOut,
        ] {
            state = state.apply(event).unwrap();
        }
        assert_eq!(state, AgentState::Offline);
    }

    /// The whole table: exactly eleven moves are legal, everything else is
    /// refused with the state and the event named.
    #[test]
    fn only_the_listed_moves_are_allowed() {
        let mut legal = 0;
        for state in all_states() {
            for event in all_events() {
                match state.apply(event.clone()) {
                    Ok(_) => legal += 1,
                    Err(e) => assert_eq!(e, IllegalTransition { from: state.name(), event: event.name() }),
                }
            }
        }
        assert_eq!(legal, 11);
        assert!(AgentState::Available.apply(AgentEvent::Unanswered { reason: lunch() }).is_err(), "only an offer goes unanswered");
        assert!(AgentState::OnCall.apply(AgentEvent::LogOut).is_err(), "a call is never cut by logging out");
        assert!(AgentState::OnCall.apply(AgentEvent::TakeBreak { reason: lunch() }).is_err());
        assert!(AgentState::Reserved.apply(AgentEvent::LogOut).is_err());
        assert!(AgentState::WrapUp.apply(AgentEvent::Offer).is_err(), "no new work before the disposition");
        let message = AgentState::OnCall.apply(AgentEvent::LogOut).unwrap_err().to_string();
        assert_eq!(message, "an agent who is on a call cannot log out");
    }

    #[test]
    fn states_round_trip_through_their_stored_form() {
        for state in all_states() {
            let (code, reason) = state.code();
            assert_eq!(AgentState::from_code(code, reason), Some(state.clone()));
        }
        assert_eq!(AgentState::from_code("break", None), None);
        assert_eq!(AgentState::from_code("dancing", None), None);
    }

    #[test]
    fn agents_ask_only_for_their_own_moves() {
        assert_eq!(AgentEvent::self_service("log_in", None), Ok(AgentEvent::LogIn));
        assert_eq!(AgentEvent::self_service("take_break", Some("lunch")), Ok(AgentEvent::TakeBreak { reason: lunch() }));
        assert_eq!(AgentEvent::self_service("take_break", None), Err(SelfServiceError::MissingReason));
        assert_eq!(AgentEvent::self_service("connect", None), Err(SelfServiceError::Unknown("connect".into())));
    }

    #[test]
    fn only_available_agents_take_work() {
        assert_eq!(all_states().iter().filter(|s| s.can_take_work()).count(), 1);
    }

    #[test]
    fn break_reasons_are_short_plain_words() {
        assert!(BreakReason::parse(" training ").is_ok());
        assert_eq!(BreakReason::parse(""), Err(InvalidBreakReason));
        assert_eq!(BreakReason::parse("<script>"), Err(InvalidBreakReason));
        assert_eq!(BreakReason::parse(&"x".repeat(41)), Err(InvalidBreakReason));
        let parsed: Result<AgentEvent, _> = serde_json::from_str(r#"{"event":"take_break","reason":""}"#);
        assert!(parsed.is_err(), "an empty reason is refused when read from JSON too");
    }
}
