//! What the dialer keeps in memory for each running campaign: where it is in
//! the campaign's lists, contacts ready to dial, and the live estimates and
//! abandonment window that pace it. Rebuilt from the database after a restart.

use super::gate;
use crate::world::World;
use std::collections::HashMap;
use std::collections::VecDeque;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use trustline_domain::dialing::{AbandonmentWindow, CampaignSettings, CampaignStatus, PacingEstimate};
use trustline_domain::{ContactId, TenantId, UnixTime};
use trustline_store::{Campaign, DialCandidate, StoreError, StoreResult};

/// Contacts read from the lists at a time.
const PAGE: u32 = 200;
/// Pages read at most for one pick: a list whose windows are all closed is
/// not read end to end at every pick.
const PAGES_PER_PICK: u32 = 5;
/// After a full pass over the lists found nobody to dial, the next pass
/// waits this long, in seconds (a window may open, a retry fall due).
const IDLE_PASS_SECONDS: i64 = 30;

pub(crate) struct CampaignRun {
    /// Contact ids below this were read in the current pass.
    cursor: ContactId,
    ready: VecDeque<DialCandidate>,
    /// Whether this pass found anyone to dial.
    found_in_pass: bool,
    rest_until: Option<UnixTime>,
    pub estimate: PacingEstimate,
    pub window: AbandonmentWindow,
    /// Calls placed ahead of agents and not resolved yet, with when each
    /// was placed on the engine's clock of milliseconds.
    pub ringing: Vec<(i64, u64)>,
}

impl CampaignRun {
    /// A run whose abandonment window holds the campaign's recorded answers.
    pub async fn load(world: &dyn World, tenant: TenantId, campaign: i64, settings: &CampaignSettings, now: UnixTime) -> StoreResult<Self> {
        let mut window = AbandonmentWindow::new(settings.abandonment.window);
        let since = now - 31 * 86_400;
        for (hour, answered, abandoned) in world.campaign_answers(tenant, campaign, since).await? {
            for i in 0..answered {
                window.record(hour, i < abandoned);
            }
        }
        Ok(Self {
            cursor: ContactId(0),
            ready: VecDeque::new(),
            found_in_pass: false,
            rest_until: None,
            estimate: PacingEstimate::default(),
            window,
            ringing: Vec::new(),
        })
    }

    /// The next contact the gate lets through now, reading the lists as
    /// needed; `None` when nobody is diallable at the moment.
    pub async fn next(
        &mut self,
        world: &dyn World,
        tenant: TenantId,
        campaign: i64,
        settings: &CampaignSettings,
        now: UnixTime,
    ) -> StoreResult<Option<DialCandidate>> {
        if self.rest_until.is_some_and(|until| now < until) {
            return Ok(None);
        }
        self.rest_until = None;
        let mut gate = gate::Gate::new(settings, now);
        for _ in 0..PAGES_PER_PICK {
            // Checked again at the moment of the pick: time has moved since the read.
            while let Some(candidate) = self.ready.pop_front() {
                if gate.check(&candidate).is_ok() {
                    return Ok(Some(candidate));
                }
            }
            let page = world.dial_candidates(tenant, campaign, self.cursor, now, PAGE).await?;
            match page.last() {
                Some(last) => self.cursor = last.contact_id,
                None => {
                    // End of the lists: start a new pass, after a rest if this one found nobody.
                    let found = std::mem::replace(&mut self.found_in_pass, false);
                    self.cursor = ContactId(0);
                    if !found {
                        self.rest_until = Some(now + IDLE_PASS_SECONDS);
                        return Ok(None);
                    }
                    continue;
                }
            }
            self.ready.extend(page.into_iter().filter(|c| gate.check(c).is_ok()));
            self.found_in_pass |= !self.ready.is_empty();
        }
        Ok(None)
    }

    /// Calls placed ahead and still unresolved, with how long each has rung at `now_ms`.
    pub fn ringing_ms(&self, now_ms: u64) -> Vec<u32> {
        self.ringing.iter().map(|(_, at)| u32::try_from(now_ms.saturating_sub(*at)).unwrap_or(u32::MAX)).collect()
    }
}

/// A campaign call as the flow needs it.
#[derive(Clone)]
pub(crate) struct CampaignCall {
    pub tenant: TenantId,
    pub campaign: i64,
    pub settings: Arc<CampaignSettings>,
}

/// The running campaigns among the tenant's `campaigns`, their settings
/// moved, not copied, into the calls' shared settings.
pub(crate) fn running(tenant: TenantId, campaigns: Vec<Campaign>) -> Vec<CampaignCall> {
    campaigns.into_iter().filter(|c| c.status == CampaignStatus::Running).map(|c| campaign_call(tenant, c)).collect()
}

/// The tenant a campaign belongs to is checked by the caller.
pub(crate) fn campaign_call(tenant: TenantId, campaign: Campaign) -> CampaignCall {
    CampaignCall { tenant, campaign: campaign.id, settings: Arc::new(campaign.settings) }
}

/// The campaign's run, loaded from the database the first time it is needed.
pub(crate) async fn run_of<'a>(
    runs: &'a mut HashMap<i64, CampaignRun>,
    world: &dyn World,
    call: &CampaignCall,
    now: UnixTime,
) -> Result<&'a mut CampaignRun, StoreError> {
    Ok(match runs.entry(call.campaign) {
        Entry::Occupied(run) => run.into_mut(),
        Entry::Vacant(slot) => slot.insert(CampaignRun::load(world, call.tenant, call.campaign, &call.settings, now).await?),
    })
}
