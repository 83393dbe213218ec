//! Working an incident: one change (owner, notes, root cause, lessons,
//! declaring a personal-data breach, recording the regulator's
//! notification, status) becomes the incident's next state and one
//! timeline entry saying what changed. Closing needs a root cause and
//! lessons learned, and a breach's notification settled first.

use crate::{AppError, Requester};
use trustline_domain::contact::FieldError;
use trustline_domain::incidents::{IncidentStatus, breach_notify_by, check_status_change};
use trustline_domain::{AuditAction, TenantId, UnixTime, UserId};
use trustline_store::{IncidentState, Store, StoreError, TimelineEntry};

/// What a person asks to change; texts are already checked for length.
#[derive(Clone, Debug, Default)]
pub struct IncidentChange<'a> {
    pub status: Option<IncidentStatus>,
    pub owner: Option<UserId>,
    pub note: Option<&'a str>,
    pub root_cause: Option<&'a str>,
    pub lessons: Option<&'a str>,
    /// Starts the 72-hour clock now, unless it runs already.
    pub declare_breach: bool,
    /// How the regulator was notified (or why not); stops the clock.
    pub notification: Option<&'a str>,
}

impl IncidentChange<'_> {
    fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.owner.is_none()
            && !self.declare_breach
            && [self.note, self.root_cause, self.lessons, self.notification].iter().all(Option::is_none)
    }
}

/// The incident after `change` at `now`, and what changed, in words.
fn next_state(current: &IncidentState, change: &IncidentChange, now: UnixTime) -> Result<(IncidentState, Vec<String>), AppError> {
    if change.is_empty() {
        return Err(AppError::EmptyChange);
    }
    let mut next = current.clone();
    let mut said = Vec::new();
    if let Some(owner) = change.owner {
        next.owner_id = Some(owner);
        said.push(format!("owner set to user {owner}"));
    }
    if let Some(text) = change.root_cause {
        next.root_cause = text.to_owned();
        said.push(format!("root cause: {text}"));
    }
    if let Some(text) = change.lessons {
        next.lessons = text.to_owned();
        said.push(format!("lessons: {text}"));
    }
    if change.declare_breach && next.breach_aware_at.is_none() {
        next.breach_aware_at = Some(now);
        next.notify_by = Some(breach_notify_by(now));
        said.push("declared a personal-data breach: the regulator must be told within 72 hours".into());
    }
    if let Some(text) = change.notification {
        if next.breach_aware_at.is_none() {
            return Err(AppError::NotABreach);
        }
        next.notification = Some(text.to_owned());
        next.notified_at = Some(now);
        said.push(format!("regulator notification: {text}"));
    }
    if let Some(note) = change.note {
        said.push(note.to_owned());
    }
    let (from, to) = (current.status, change.status.unwrap_or(current.status));
    let breach_open = next.breach_aware_at.is_some() && next.notified_at.is_none();
    check_status_change(from, to, &next.root_cause, &next.lessons, breach_open).map_err(AppError::IllegalIncidentChange)?;
    if to != from {
        next.status = to;
        next.closed_at = (to == IncidentStatus::Closed).then_some(now);
        said.push(format!("status {} → {}", from.as_str(), to.as_str()));
    }
    if said.is_empty() {
        return Err(AppError::NoChange);
    }
    Ok((next, said))
}

/// Applies `change` to incident `id` of `tenant` for `requester`, with its
/// timeline entry and audit event. `NotFound` if there is no such incident;
/// an owner must be one of the tenant's users.
pub async fn change_incident(
    store: &dyn Store,
    requester: &Requester,
    tenant: TenantId,
    id: i64,
    change: &IncidentChange<'_>,
    now: UnixTime,
) -> Result<(), AppError> {
    let (incident, _) = store.incident(tenant, id).await?.ok_or(StoreError::NotFound)?;
    if let Some(owner) = change.owner
        && store.user(tenant, owner).await?.is_none()
    {
        return Err(AppError::UnknownReference(vec![FieldError::new("owner_id", "is not one of your users")]));
    }
    let (next, said) = next_state(&incident.state, change, now)?;
    let entry = TimelineEntry { at: now, actor: requester.actor.clone(), entry: said.join("; ") };
    let audit = requester.audit(now, AuditAction::IncidentChange, format!("incident:{id}")).detail("status", next.status.as_str());
    store.update_incident(tenant, id, incident.state.status, next, entry, audit).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open() -> IncidentState {
        IncidentState {
            status: IncidentStatus::Open,
            owner_id: None,
            breach_aware_at: None,
            notify_by: None,
            notified_at: None,
            notification: None,
            root_cause: String::new(),
            lessons: String::new(),
            closed_at: None,
        }
    }

    #[test]
    fn a_breach_starts_the_clock_and_its_notification_stops_it() {
        let declared = IncidentChange { declare_breach: true, ..Default::default() };
        let (state, said) = next_state(&open(), &declared, 1_000).unwrap();
        assert_eq!((state.breach_aware_at, state.notify_by), (Some(1_000), Some(1_000 + 72 * 3_600)));
        assert_eq!(said.len(), 1);
        let again = next_state(&state, &declared, 2_000);
        assert!(matches!(again, Err(AppError::NoChange)), "a running clock is not restarted");
        let told = IncidentChange { notification: Some("told the ICO"), ..Default::default() };
        assert_eq!(next_state(&state, &told, 3_000).unwrap().0.notified_at, Some(3_000));
        assert!(matches!(next_state(&open(), &told, 3_000), Err(AppError::NotABreach)));
    }

    #[test]
    fn closing_needs_a_postmortem_and_an_empty_change_is_refused() {
        let close = IncidentChange { status: Some(IncidentStatus::Closed), ..Default::default() };
        assert!(matches!(next_state(&open(), &close, 1), Err(AppError::IllegalIncidentChange(_))));
        let with_postmortem = IncidentChange { root_cause: Some("phishing"), lessons: Some("training"), ..close };
        let (closed, _) = next_state(&open(), &with_postmortem, 5).unwrap();
        assert_eq!((closed.status, closed.closed_at), (IncidentStatus::Closed, Some(5)));
        assert!(matches!(next_state(&open(), &IncidentChange::default(), 1), Err(AppError::EmptyChange)));
    }
}
