//! The simulator's world: one tenant, one running campaign over the
//! simulated list, its agents and calls, kept in memory with the store's
//! rules (a change from a state the call or the agent has left is a
//! conflict and changes nothing; a contact has one call open at a time).
//! It also keeps the ledger the report is made from: time in conversation
//! and wrap-up on the engine's clock of milliseconds, and every dial.

use super::list::{ListConfig, PlacedCall};
use crate::news::News;
use crate::time::EngineTime;
use crate::world::{Holding, World};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::mpsc;
use trustline_audit::AuditDraft;
use trustline_domain::agent::AgentState;
use trustline_domain::contact::{E164, ValidatedContact};
use trustline_domain::dialing::{CampaignSettings, ContactStanding};
use trustline_domain::routing::SkillLevels;
use trustline_domain::{CallResult, ContactId, TenantId, UnixTime, UserId};
use trustline_store::{
    AgentMove, AgentStatus, AttemptRecord, CallChange, CallDisposition, CallHold, CallRecord, CallState, Campaign, ConsentState,
    DialCandidate, Digest, NewCall, Queue, StoreError, StoreResult,
};
use trustline_vault::VaultError;

pub(super) const TENANT: TenantId = TenantId(1);
pub(super) const CAMPAIGN: i64 = 1;

/// A contact's place in the campaign.
#[derive(Default)]
struct Standing {
    attempts: Option<AttemptRecord>,
    open_call: Option<i64>,
}

/// What the report is made of.
#[derive(Clone, Debug, Default)]
pub(super) struct Ledger {
    /// Milliseconds agents spent in conversation and in wrap-up.
    pub busy_ms: u64,
    /// Milliseconds in conversation.
    pub talk_ms: u64,
    pub conversations: u64,
    /// Calls answered by a person, abandoned or not.
    pub answered: u64,
    pub abandoned: u64,
    pub placed: Vec<PlacedCall>,
}

impl Ledger {
    /// Counts `ms` an agent spent in `state`: conversation and wrap-up are busy time.
    fn spent(&mut self, state: &AgentState, ms: u64) {
        match state {
            AgentState::OnCall => {
                self.busy_ms += ms;
                self.talk_ms += ms;
            }
            AgentState::WrapUp => self.busy_ms += ms,
            _ => {}
        }
    }
}

struct Floor {
    campaign: Campaign,
    standings: BTreeMap<ContactId, Standing>,
    agents: BTreeMap<UserId, (AgentStatus, u64)>,
    calls: Vec<CallRecord>,
    ledger: Ledger,
}

pub(super) struct MemoryWorld {
    list: ListConfig,
    time: Arc<dyn EngineTime>,
    floor: Mutex<Floor>,
    news: mpsc::UnboundedSender<News>,
}

fn conflict<T>(why: &'static str) -> StoreResult<T> {
    Err(StoreError::Conflict(why))
}

impl MemoryWorld {
    /// A world whose campaign runs with `settings` over `list`; news goes to the receiver.
    pub fn new(list: ListConfig, settings: CampaignSettings, time: Arc<dyn EngineTime>) -> (Self, mpsc::UnboundedReceiver<News>) {
        let campaign = Campaign {
            id: CAMPAIGN,
            tenant_id: TENANT,
            name: settings.name.clone(),
            status: trustline_domain::dialing::CampaignStatus::Running,
            settings,
            list_ids: vec![1],
            created_at: list.start,
            updated_at: list.start,
        };
        let floor = Floor { campaign, standings: BTreeMap::new(), agents: BTreeMap::new(), calls: Vec::new(), ledger: Ledger::default() };
        let (news, heard) = mpsc::unbounded_channel();
        (Self { list, time, floor: Mutex::new(floor), news }, heard)
    }

    fn floor(&self) -> MutexGuard<'_, Floor> {
        self.floor.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The ledger, with time still running in conversation or wrap-up
    /// counted up to now.
    pub fn ledger(&self) -> Ledger {
        let now = self.time.millis();
        let floor = self.floor();
        let mut ledger = floor.ledger.clone();
        for (status, since) in floor.agents.values() {
            ledger.spent(&status.state, now.saturating_sub(*since));
        }
        ledger
    }

    fn candidate(&self, floor: &Floor, contact: ContactId) -> Option<DialCandidate> {
        let position = usize::try_from(contact.0).ok()?.checked_sub(1)?;
        if position >= self.list.contacts as usize {
            return None;
        }
        Some(DialCandidate {
            contact_id: contact,
            region: self.list.region.clone(),
            time_zone: Some(self.list.zone_of(position).to_owned()),
            do_not_contact: self.list.on_do_not_contact_list(position),
            restricted: false,
            attempts: floor.standings.get(&contact).and_then(|s| s.attempts.clone()),
        })
    }
}

impl Floor {
    fn call_mut(&mut self, id: i64) -> Option<&mut CallRecord> {
        usize::try_from(id).ok().and_then(|i| i.checked_sub(1)).and_then(|i| self.calls.get_mut(i))
    }

    /// Whether `change` starts from the agent's state on record (the store compares the state, not its reason).
    fn agent_may_move(&self, change: &AgentMove) -> bool {
        let current = self.agents.get(&change.user_id).map_or(AgentState::Offline, |(s, _)| s.state.clone());
        current.code().0 == change.from.code().0
    }

    /// Applies an agent's move, checked, at `now_ms`, and counts the time spent in the state left.
    fn move_agent(&mut self, change: &AgentMove, now_ms: u64) {
        let status = AgentStatus { user_id: change.user_id, state: change.to.clone(), since: change.at };
        if let Some((left, since)) = self.agents.insert(change.user_id, (status, now_ms)) {
            self.ledger.spent(&left.state, now_ms.saturating_sub(since));
        }
    }

    fn dialled(&mut self, contact: Option<ContactId>, at: UnixTime, attempt: u32) {
        let Some(position) = contact.and_then(|c| usize::try_from(c.0).ok()).and_then(|c| c.checked_sub(1)) else { return };
        self.ledger.placed.push(PlacedCall { contact: position, at, attempt });
    }
}

#[async_trait]
impl World for MemoryWorld {
    async fn working_tenants(&self) -> StoreResult<Vec<TenantId>> {
        Ok(vec![TENANT])
    }

    async fn default_region(&self, _tenant: TenantId) -> StoreResult<Option<String>> {
        Ok(self.list.region.clone())
    }

    async fn campaigns(&self, tenant: TenantId) -> StoreResult<Vec<Campaign>> {
        Ok(if tenant == TENANT { vec![self.floor().campaign.clone()] } else { Vec::new() })
    }

    async fn campaign(&self, tenant: TenantId, id: i64) -> StoreResult<Option<Campaign>> {
        Ok((tenant == TENANT && id == CAMPAIGN).then(|| self.floor().campaign.clone()))
    }

    async fn dial_candidates(
        &self,
        tenant: TenantId,
        campaign: i64,
        after: ContactId,
        now: UnixTime,
        limit: u32,
    ) -> StoreResult<Vec<DialCandidate>> {
        if tenant != TENANT || campaign != CAMPAIGN {
            return Ok(Vec::new());
        }
        let floor = self.floor();
        let mut page = Vec::new();
        let mut id = after.0.max(0);
        while page.len() < limit as usize && id < i64::from(self.list.contacts) {
            id += 1;
            let contact = ContactId(id);
            let due = match floor.standings.get(&contact) {
                None => true,
                Some(standing) => {
                    standing.open_call.is_none() && standing.attempts.as_ref().and_then(|a| a.due_at).is_some_and(|due| due <= now)
                }
            };
            if due && let Some(candidate) = self.candidate(&floor, contact) {
                page.push(candidate);
            }
        }
        Ok(page)
    }

    async fn dial_candidate(&self, tenant: TenantId, campaign: i64, contact: ContactId) -> StoreResult<Option<DialCandidate>> {
        if tenant != TENANT || campaign != CAMPAIGN {
            return Ok(None);
        }
        Ok(self.candidate(&self.floor(), contact))
    }

    async fn attempts(&self, tenant: TenantId, campaign: i64, contact: ContactId) -> StoreResult<Option<AttemptRecord>> {
        if tenant != TENANT || campaign != CAMPAIGN {
            return Ok(None);
        }
        Ok(self.floor().standings.get(&contact).and_then(|s| s.attempts.clone()))
    }

    async fn campaign_answers(&self, _tenant: TenantId, _campaign: i64, _since: UnixTime) -> StoreResult<Vec<(UnixTime, u64, u64)>> {
        // The run starts with no history.
        Ok(Vec::new())
    }

    async fn queues(&self, _tenant: TenantId) -> StoreResult<Vec<Queue>> {
        Ok(Vec::new())
    }

    async fn queue(&self, _tenant: TenantId, _id: i64) -> StoreResult<Option<Queue>> {
        Ok(None)
    }

    async fn queue_by_number(&self, _number: &str) -> StoreResult<Option<Queue>> {
        Ok(None)
    }

    async fn agent_status(&self, tenant: TenantId, agent: UserId) -> StoreResult<Option<AgentStatus>> {
        Ok(self.floor().agents.get(&agent).filter(|_| tenant == TENANT).map(|(s, _)| s.clone()))
    }

    async fn agent_statuses(&self, tenant: TenantId) -> StoreResult<Vec<AgentStatus>> {
        Ok(if tenant == TENANT { self.floor().agents.values().map(|(s, _)| s.clone()).collect() } else { Vec::new() })
    }

    async fn agent_skills(&self, _tenant: TenantId) -> StoreResult<Vec<(UserId, SkillLevels)>> {
        Ok(Vec::new())
    }

    async fn move_agent(&self, change: AgentMove, _audit: AuditDraft) -> StoreResult<()> {
        let now_ms = self.time.millis();
        let mut floor = self.floor();
        if !floor.agent_may_move(&change) {
            return conflict("a newer change of this agent's state");
        }
        floor.move_agent(&change, now_ms);
        Ok(())
    }

    async fn desk_seen(&self, _tenant: TenantId, _agent: UserId, _at: UnixTime) -> StoreResult<()> {
        Ok(())
    }

    async fn deserted_desks(&self, _tenant: TenantId, _before: UnixTime) -> StoreResult<Vec<AgentStatus>> {
        // Simulated agents have no desk that could close.
        Ok(Vec::new())
    }

    async fn forget_desk(&self, _tenant: TenantId, _agent: UserId) -> StoreResult<()> {
        Ok(())
    }

    /// The simulator is one node, holding its one tenant from the start.
    async fn calls_left_by_others(&self, _tenant: TenantId) -> StoreResult<Vec<CallRecord>> {
        Ok(Vec::new())
    }

    async fn hold_tenant(&self, _tenant: TenantId, _now: UnixTime, _until: UnixTime) -> StoreResult<Holding> {
        Ok(Holding::Kept)
    }

    async fn release_tenants(&self) -> StoreResult<()> {
        Ok(())
    }

    fn tenant_held_until(&self, _tenant: TenantId) -> Option<UnixTime> {
        Some(UnixTime::MAX)
    }

    async fn open_call(
        &self,
        call: NewCall,
        attempts: Option<AttemptRecord>,
        agent_move: Option<AgentMove>,
        _audit: AuditDraft,
    ) -> StoreResult<i64> {
        let now_ms = self.time.millis();
        let mut floor = self.floor();
        let contact = call.contact_id;
        if let (Some(contact), Some(_)) = (contact, attempts.as_ref())
            && floor.standings.get(&contact).is_some_and(|s| s.open_call.is_some())
        {
            return conflict("a call already open to this contact");
        }
        if agent_move.as_ref().is_some_and(|m| !floor.agent_may_move(m)) {
            return conflict("a newer change of this agent's state");
        }
        let id = i64::try_from(floor.calls.len()).unwrap_or(i64::MAX).saturating_add(1);
        let placed = (call.state != CallState::Offered).then_some(call.at);
        floor.calls.push(CallRecord {
            id,
            tenant_id: call.tenant_id,
            direction: call.direction,
            campaign_id: call.campaign_id,
            queue_id: call.queue_id,
            contact_id: contact,
            agent_id: call.agent_id,
            mode: call.mode,
            state: call.state,
            result: None,
            offered_at: call.at,
            placed_at: placed,
            answered_at: None,
            connected_at: None,
            ended_at: None,
            disposition: None,
            outcome: None,
            disposed_at: None,
            callback_requested_at: None,
            held_since: None,
            hold_seconds: 0,
            transferred_from: call.transferred_from,
        });
        if let (Some(contact), Some(attempts)) = (contact, attempts) {
            let attempt = attempts.attempts;
            floor.standings.insert(contact, Standing { attempts: Some(attempts), open_call: Some(id) });
            if placed.is_some() {
                floor.dialled(Some(contact), call.at, attempt);
            }
        }
        if let Some(change) = &agent_move {
            floor.move_agent(change, now_ms);
        }
        Ok(id)
    }

    async fn change_call(&self, change: CallChange, _audit: Option<AuditDraft>) -> StoreResult<()> {
        use CallState as S;
        let now_ms = self.time.millis();
        let mut floor = self.floor();
        let Some(call) = floor.call_mut(change.call_id).filter(|c| c.tenant_id == change.tenant_id && c.state == change.from) else {
            return conflict("a newer change of this call");
        };
        let contact = call.contact_id;
        if change.agent_move.as_ref().is_some_and(|m| !floor.agent_may_move(m)) {
            return conflict("a newer change of this agent's state");
        }
        let Some(call) = floor.call_mut(change.call_id) else { return conflict("a newer change of this call") };
        let first = |slot: &mut Option<UnixTime>, when: bool| {
            if when && slot.is_none() {
                *slot = Some(change.at);
            }
        };
        first(&mut call.placed_at, change.from == S::Offered && change.to == S::Ringing);
        let answered_now =
            call.answered_at.is_none() && (change.to == S::Answered || (change.from == S::Ringing && change.to == S::Connected));
        first(&mut call.answered_at, answered_now);
        first(&mut call.connected_at, change.to == S::Connected);
        first(&mut call.ended_at, change.to == S::Done || change.to == S::WrapUp);
        first(&mut call.callback_requested_at, change.to == S::Callback);
        call.state = change.to;
        if change.result.is_some() {
            call.result = change.result;
        }
        call.agent_id = if change.to == S::Queued { None } else { change.agent_id.or(call.agent_id) };
        call.held_since = None;
        let abandoned = change.result == Some(CallResult::Abandoned);
        if answered_now {
            floor.ledger.answered += 1;
        }
        if abandoned {
            floor.ledger.abandoned += 1;
        }
        if change.to == S::Connected {
            floor.ledger.conversations += 1;
        }
        if let Some(contact) = contact {
            let placed_now = change.from == S::Offered && change.to == S::Ringing;
            if let Some(standing) = floor.standings.get_mut(&contact).filter(|s| s.open_call == Some(change.call_id)) {
                if let Some(attempts) = change.attempts.clone() {
                    standing.attempts = Some(attempts);
                }
                if change.to == S::Done {
                    standing.open_call = None;
                }
            }
            if placed_now {
                let attempt = change.attempts.as_ref().map_or(0, |a| a.attempts);
                floor.dialled(Some(contact), change.at, attempt);
            }
        }
        if let Some(agent_move) = &change.agent_move {
            floor.move_agent(agent_move, now_ms);
        }
        Ok(())
    }

    async fn call(&self, tenant: TenantId, id: i64) -> StoreResult<Option<CallRecord>> {
        Ok(self.floor().call_mut(id).filter(|c| c.tenant_id == tenant).map(|c| c.clone()))
    }

    async fn agent_call(&self, tenant: TenantId, agent: UserId) -> StoreResult<Option<CallRecord>> {
        let floor = self.floor();
        Ok(floor.calls.iter().rev().find(|c| c.tenant_id == tenant && c.agent_id == Some(agent) && c.state != CallState::Done).cloned())
    }

    async fn calls_between(&self, tenant: TenantId, from: UnixTime, to: UnixTime) -> StoreResult<Vec<CallRecord>> {
        let floor = self.floor();
        Ok(floor.calls.iter().filter(|c| c.tenant_id == tenant && c.offered_at >= from && c.offered_at < to).cloned().collect())
    }

    async fn waiting_calls(&self, _tenant: TenantId) -> StoreResult<Vec<CallRecord>> {
        // Outbound only: nobody calls in.
        Ok(Vec::new())
    }

    async fn record(&self, _audit: AuditDraft) -> StoreResult<()> {
        Ok(())
    }

    async fn hold_call(&self, hold: CallHold, _audit: AuditDraft) -> StoreResult<()> {
        let mut floor = self.floor();
        let Some(call) = floor.call_mut(hold.call_id).filter(|c| c.state == CallState::Connected && c.held_since.is_some() != hold.on)
        else {
            return conflict("a call not connected, or already so");
        };
        if hold.on {
            call.held_since = Some(hold.at);
        } else {
            call.hold_seconds += call.held_since.map_or(0, |since| hold.at - since);
            call.held_since = None;
        }
        Ok(())
    }

    async fn dispose_call(&self, disposition: CallDisposition, _audit: AuditDraft) -> StoreResult<()> {
        let now_ms = self.time.millis();
        let mut floor = self.floor();
        let Some(call) = floor.call_mut(disposition.call_id).filter(|c| c.state == CallState::WrapUp) else {
            return conflict("a disposition already set on this call");
        };
        let contact = call.contact_id;
        if !floor.agent_may_move(&disposition.agent_move) {
            return conflict("a newer change of this agent's state");
        }
        let Some(call) = floor.call_mut(disposition.call_id) else { return conflict("a disposition already set on this call") };
        call.state = CallState::Done;
        call.disposition = Some(disposition.code);
        call.outcome = Some(disposition.outcome);
        call.disposed_at = Some(disposition.at);
        if let Some(standing) = contact.and_then(|c| floor.standings.get_mut(&c)).filter(|s| s.open_call == Some(disposition.call_id)) {
            if let Some(attempts) = disposition.attempts {
                standing.attempts = Some(attempts);
            }
            standing.open_call = None;
        }
        floor.move_agent(&disposition.agent_move, now_ms);
        Ok(())
    }

    async fn number_to_dial(&self, _tenant: TenantId, contact: ContactId) -> Result<Option<E164>, VaultError> {
        // A made-up London number: the simulated carrier reaches nobody.
        Ok(E164::parse(&format!("+4420{:08}", contact.0 % 100_000_000)).ok())
    }

    async fn phone_lookup(&self, _tenant: TenantId, _number: &E164, _at: UnixTime) -> Result<Digest, VaultError> {
        Ok([0; 32])
    }

    async fn contact_by_phone(&self, _tenant: TenantId, _digest: &Digest) -> StoreResult<Option<ContactId>> {
        Ok(None)
    }

    /// The simulator's agents place no calls of their own.
    async fn contact_standing(&self, _tenant: TenantId, _contact: ContactId) -> StoreResult<Option<ContactStanding>> {
        Ok(None)
    }

    async fn create_contact(
        &self,
        _tenant: TenantId,
        _contact: &ValidatedContact,
        _consent: ConsentState,
        _audit: AuditDraft,
    ) -> Result<ContactId, VaultError> {
        Err(VaultError::Store(StoreError::Corrupt("the simulator's list takes no new contacts".into())))
    }

    async fn announce(&self, news: News) {
        // The floor may have stopped listening at the end of the run.
        let _heard = self.news.send(news);
    }
}
