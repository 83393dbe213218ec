//! The world of a running server: the database, through the store, and
//! the vault for the little personal data the engine handles (the number
//! it dials, the caller it looks up). News goes to the `Announcer`.

use crate::news::News;
use crate::tenant_hold::LEASE_SECONDS;
use crate::world::{Holding, World};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use trustline_audit::AuditDraft;
use trustline_domain::contact::{E164, ValidatedContact};
use trustline_domain::dialing::ContactStanding;
use trustline_domain::routing::SkillLevels;
use trustline_domain::{ContactId, TenantId, UnixTime, UserId};
use trustline_store::{
    AgentMove, AgentStatus, AttemptRecord, CallChange, CallDisposition, CallHold, CallRecord, Campaign, ConsentState, DialCandidate,
    Digest, Fence, NewCall, NodeId, Queue, Store, StoreError, StoreResult, tenant_calls_lease,
};
use trustline_vault::{Vault, VaultError};

/// Where a server's news goes: its live feed and its webhook outbox.
#[async_trait]
pub trait Announcer: Send + Sync {
    async fn announce(&self, news: News);
}

pub struct StoreWorld {
    store: Arc<dyn Store>,
    vault: Arc<Vault>,
    announcer: Arc<dyn Announcer>,
    /// This node: the calls it opens hold their audio here.
    node: NodeId,
    /// The tenants whose calls this node holds, by their leases.
    held: Mutex<HashMap<TenantId, Held>>,
    /// The process is stopping: no lease is asked for any more.
    released: AtomicBool,
}

/// A tenant's lease as this node's rounds last held it.
struct Held {
    fence: Fence,
    until: UnixTime,
}

impl StoreWorld {
    pub fn new(store: Arc<dyn Store>, vault: Arc<Vault>, announcer: Arc<dyn Announcer>, node: NodeId) -> Self {
        Self { store, vault, announcer, node, held: Mutex::default(), released: AtomicBool::new(false) }
    }

    fn held(&self) -> MutexGuard<'_, HashMap<TenantId, Held>> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks for `tenant`'s lease; the fence when it is held.
    async fn ask_lease(&self, tenant: TenantId, now: UnixTime, until: UnixTime) -> StoreResult<Option<Fence>> {
        if self.released.load(Ordering::SeqCst) {
            return Ok(None);
        }
        self.store.hold_lease(&tenant_calls_lease(tenant), &self.node, now, until).await
    }

    /// The lease a call of `tenant` opened at `at` is fenced with: the one
    /// the rounds hold, or, when they hold none good at `at` (a step may
    /// come before the engine's first round, or after a clock jump), one
    /// asked for now. That one is not kept: the next round takes it as its
    /// own and, if it is new, settles what the last holder left.
    async fn fence_for(&self, tenant: TenantId, at: UnixTime) -> StoreResult<Fence> {
        if let Some(held) = self.held().get(&tenant).filter(|h| h.until > at) {
            return Ok(held.fence.clone());
        }
        self.ask_lease(tenant, at, at + LEASE_SECONDS).await?.ok_or(StoreError::LeaseLost)
    }
}

#[async_trait]
impl World for StoreWorld {
    async fn working_tenants(&self) -> StoreResult<Vec<TenantId>> {
        Ok(self.store.list_tenants().await?.into_iter().filter(|t| t.ended_at.is_none()).map(|t| t.id).collect())
    }

    async fn default_region(&self, tenant: TenantId) -> StoreResult<Option<String>> {
        Ok(self.store.tenant(tenant).await?.and_then(|t| t.default_region))
    }

    async fn campaigns(&self, tenant: TenantId) -> StoreResult<Vec<Campaign>> {
        self.store.campaigns(tenant).await
    }

    async fn campaign(&self, tenant: TenantId, id: i64) -> StoreResult<Option<Campaign>> {
        self.store.campaign(tenant, id).await
    }

    async fn dial_candidates(
        &self,
        tenant: TenantId,
        campaign: i64,
        after: ContactId,
        now: UnixTime,
        limit: u32,
    ) -> StoreResult<Vec<DialCandidate>> {
        self.store.dial_candidates(tenant, campaign, after, now, limit).await
    }

    async fn dial_candidate(&self, tenant: TenantId, campaign: i64, contact: ContactId) -> StoreResult<Option<DialCandidate>> {
        let Some(sealed) = self.store.contact(tenant, contact).await?.filter(|c| c.erased_at.is_none()) else { return Ok(None) };
        let attempts = self.store.attempts(tenant, campaign, contact).await?;
        Ok(Some(DialCandidate {
            contact_id: contact,
            region: sealed.region,
            time_zone: sealed.time_zone,
            do_not_contact: sealed.consent.do_not_contact,
            restricted: sealed.consent.restricted,
            attempts,
        }))
    }

    async fn attempts(&self, tenant: TenantId, campaign: i64, contact: ContactId) -> StoreResult<Option<AttemptRecord>> {
        self.store.attempts(tenant, campaign, contact).await
    }

    async fn campaign_answers(&self, tenant: TenantId, campaign: i64, since: UnixTime) -> StoreResult<Vec<(UnixTime, u64, u64)>> {
        self.store.campaign_answers(tenant, campaign, since).await
    }

    async fn queues(&self, tenant: TenantId) -> StoreResult<Vec<Queue>> {
        self.store.queues(tenant).await
    }

    async fn queue(&self, tenant: TenantId, id: i64) -> StoreResult<Option<Queue>> {
        self.store.queue(tenant, id).await
    }

    async fn queue_by_number(&self, number: &str) -> StoreResult<Option<Queue>> {
        self.store.queue_by_number(number).await
    }

    async fn agent_status(&self, tenant: TenantId, agent: UserId) -> StoreResult<Option<AgentStatus>> {
        self.store.agent_status(tenant, agent).await
    }

    async fn agent_statuses(&self, tenant: TenantId) -> StoreResult<Vec<AgentStatus>> {
        self.store.agent_statuses(tenant).await
    }

    async fn agent_skills(&self, tenant: TenantId) -> StoreResult<Vec<(UserId, SkillLevels)>> {
        self.store.agent_skills(tenant).await
    }

    async fn move_agent(&self, change: AgentMove, audit: AuditDraft) -> StoreResult<()> {
        self.store.move_agent(change, audit).await
    }

    async fn desk_seen(&self, tenant: TenantId, agent: UserId, at: UnixTime) -> StoreResult<()> {
        self.store.desk_seen(tenant, agent, at).await
    }

    async fn deserted_desks(&self, tenant: TenantId, before: UnixTime) -> StoreResult<Vec<AgentStatus>> {
        self.store.deserted_desks(tenant, before).await
    }

    async fn forget_desk(&self, tenant: TenantId, agent: UserId) -> StoreResult<()> {
        self.store.forget_desk(tenant, agent).await
    }

    async fn calls_left_by_others(&self, tenant: TenantId) -> StoreResult<Vec<CallRecord>> {
        self.store.open_calls_left(tenant, &self.node).await
    }

    async fn hold_tenant(&self, tenant: TenantId, now: UnixTime, until: UnixTime) -> StoreResult<Holding> {
        let Some(fence) = self.ask_lease(tenant, now, until).await? else {
            self.held().remove(&tenant);
            return Ok(Holding::Elsewhere);
        };
        let before = self.held().insert(tenant, Held { fence: fence.clone(), until });
        Ok(if before.is_some_and(|held| held.fence.token == fence.token) { Holding::Kept } else { Holding::Taken })
    }

    async fn release_tenants(&self) -> StoreResult<()> {
        self.released.store(true, Ordering::SeqCst);
        let fences: Vec<Fence> = self.held().drain().map(|(_, held)| held.fence).collect();
        for fence in &fences {
            self.store.release_lease(fence).await?;
        }
        Ok(())
    }

    fn tenant_held_until(&self, tenant: TenantId) -> Option<UnixTime> {
        self.held().get(&tenant).map(|h| h.until)
    }

    async fn open_call(
        &self,
        call: NewCall,
        attempts: Option<AttemptRecord>,
        agent_move: Option<AgentMove>,
        audit: AuditDraft,
    ) -> StoreResult<i64> {
        let fence = self.fence_for(call.tenant_id, call.at).await?;
        let call = NewCall { owner_node: Some(self.node.clone()), fence: Some(fence), ..call };
        self.store.open_call(call, attempts, agent_move, audit).await
    }

    async fn change_call(&self, change: CallChange, audit: Option<AuditDraft>) -> StoreResult<()> {
        self.store.change_call(change, audit).await
    }

    async fn call(&self, tenant: TenantId, id: i64) -> StoreResult<Option<CallRecord>> {
        self.store.call(tenant, id).await
    }

    async fn agent_call(&self, tenant: TenantId, agent: UserId) -> StoreResult<Option<CallRecord>> {
        self.store.agent_call(tenant, agent).await
    }

    async fn calls_between(&self, tenant: TenantId, from: UnixTime, to: UnixTime) -> StoreResult<Vec<CallRecord>> {
        self.store.calls_between(tenant, from, to).await
    }

    async fn waiting_calls(&self, tenant: TenantId) -> StoreResult<Vec<CallRecord>> {
        self.store.waiting_calls(tenant).await
    }

    async fn hold_call(&self, hold: CallHold, audit: AuditDraft) -> StoreResult<()> {
        self.store.hold_call(hold, audit).await
    }

    async fn record(&self, audit: AuditDraft) -> StoreResult<()> {
        self.store.append_audit(vec![audit]).await
    }

    async fn dispose_call(&self, disposition: CallDisposition, audit: AuditDraft) -> StoreResult<()> {
        self.store.dispose_call(disposition, audit).await
    }

    async fn number_to_dial(&self, tenant: TenantId, contact: ContactId) -> Result<Option<E164>, VaultError> {
        self.vault.number_to_dial(tenant, contact).await
    }

    async fn phone_lookup(&self, tenant: TenantId, number: &E164, at: UnixTime) -> Result<Digest, VaultError> {
        self.vault.phone_lookup(tenant, number, at, "system").await
    }

    async fn contact_by_phone(&self, tenant: TenantId, digest: &Digest) -> StoreResult<Option<ContactId>> {
        self.store.contact_by_phone(tenant, digest).await
    }

    async fn contact_standing(&self, tenant: TenantId, contact: ContactId) -> StoreResult<Option<ContactStanding>> {
        let contact = self.store.contact(tenant, contact).await?.filter(|c| c.erased_at.is_none());
        Ok(contact.map(|c| ContactStanding { do_not_contact: c.consent.do_not_contact, restricted: c.consent.restricted }))
    }

    async fn create_contact(
        &self,
        tenant: TenantId,
        contact: &ValidatedContact,
        consent: ConsentState,
        audit: AuditDraft,
    ) -> Result<ContactId, VaultError> {
        self.vault.create_contact(tenant, contact, consent, audit).await
    }

    async fn announce(&self, news: News) {
        self.announcer.announce(news).await;
    }
}
