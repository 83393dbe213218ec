//! An agent's state and the only moves between states. Every move the
//! system or the agent asks for goes through [`AgentState::apply`]; anything
//! else is refused, so reports built on the history add up.

use serde::{Deserialize, Serialize};

/// Why an agent is on a break (e.g. `lunch`, `training`, `coaching`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BreakReason(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a break reason is 1 to 40 letters, digits, spaces, '-' or '_' (ASCII), not starting or ending with a space")]
pub struct InvalidBreakReason;

impl BreakReason {
    /// What [`BreakReason::parse`] accepts, as the API document's pattern.
    pub const PATTERN: &'static str = "^[A-Za-z0-9_-](?:[A-Za-z0-9 _-]{0,38}[A-Za-z0-9_-])?$";

    /// 1 to 40 ASCII letters, digits, spaces, '-' or '_', not starting or
    /// ending with a space: a code a supervisor reads on the wallboard.
    pub fn parse(text: &str) -> Result<Self, InvalidBreakReason> {
        let fine = |c: char| c.is_ascii_alphanumeric() || c == ' ' || c == '-' || c == '_';
        let count = text.chars().count();
        if count == 0 || count > 40 || text.starts_with(' ') || text.ends_with(' ') || !text.chars().all(fine) {
            return Err(InvalidBreakReason);
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl schemars::JsonSchema for BreakReason {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BreakReason".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Why the agent is on a break, e.g. lunch, training, coaching.",
            "pattern": Self::PATTERN,
        })
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
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum SelfServiceEvent {
    // Variants with braces: serde refuses unknown fields only in those.
    LogIn {},
    LogOut {},
    TakeBreak { reason: BreakReason },
    EndBreak {},
}

impl SelfServiceEvent {
    /// The name the API and the history use, e.g. `take_break`.
    pub fn code(&self) -> &'static str {
        match self {
            SelfServiceEvent::LogIn {} => "log_in",
            SelfServiceEvent::LogOut {} => "log_out",
            SelfServiceEvent::TakeBreak { .. } => "take_break",
            SelfServiceEvent::EndBreak {} => "end_break",
        }
    }
}

impl From<SelfServiceEvent> for AgentEvent {
    fn from(event: SelfServiceEvent) -> Self {
        match event {
            SelfServiceEvent::LogIn {} => AgentEvent::LogIn,
            SelfServiceEvent::LogOut {} => AgentEvent::LogOut,
            SelfServiceEvent::TakeBreak { reason } => AgentEvent::TakeBreak { reason },
            SelfServiceEvent::EndBreak {} => AgentEvent::EndBreak,
        }
    }
}

impl AgentEvent {
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
        let read = |json: &str| serde_json::from_str::<SelfServiceEvent>(json).map(AgentEvent::from);
        assert_eq!(read(r#"{"event":"log_in"}"#).ok(), Some(AgentEvent::LogIn));
        assert_eq!(read(r#"{"event":"take_break","reason":"lunch"}"#).ok(), Some(AgentEvent::TakeBreak { reason: lunch() }));
        for refused in [
            r#"{"event":"take_break"}"#,
            r#"{"event":"connect"}"#,
            r#"{"event":"log_in","extra":1}"#,
            r#"{"event":"take_break","reason":" x"}"#,
        ] {
            assert!(read(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn only_available_agents_take_work() {
        assert_eq!(all_states().iter().filter(|s| s.can_take_work()).count(), 1);
    }

    #[test]
    fn break_reasons_are_short_plain_words() {
        assert!(BreakReason::parse("team training").is_ok());
        assert_eq!(BreakReason::parse(" training"), Err(InvalidBreakReason), "no space at either end");
        assert_eq!(BreakReason::parse(""), Err(InvalidBreakReason));
        assert_eq!(BreakReason::parse("<script>"), Err(InvalidBreakReason));
        assert_eq!(BreakReason::parse(&"x".repeat(41)), Err(InvalidBreakReason));
        let parsed: Result<AgentEvent, _> = serde_json::from_str(r#"{"event":"take_break","reason":""}"#);
        assert!(parsed.is_err(), "an empty reason is refused when read from JSON too");
    }

    proptest::proptest! {
        #[test]
        fn the_documented_pattern_is_the_break_reason_rule(text in "[ -~\u{e9}\n]{0,42}") {
            crate::schema_pattern::assert_agrees(BreakReason::PATTERN, &text, BreakReason::parse(&text).is_ok());
        }
    }
}
