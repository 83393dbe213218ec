use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use trustline_audit::{ChainBreak, ChainKeys, ChainVerifier, Hash, VerifiedChain};
use trustline_domain::TenantId;
use trustline_store::{Store, StoreError};

/// Events read per round trip while verifying.
const PAGE: u32 = 10_000;

/// Chains at least this long are checked as two halves in parallel.
const SPLIT_FROM: i64 = 20_000;

/// The verdict on one tenant's audit chain.
pub type TenantVerification = Result<VerifiedChain, ChainBreak>;

/// Walks a tenant's whole chain in order, checking every link, seal, the
/// recorded head and every signed checkpoint.
///
/// A long chain is checked as two halves on two tasks and the halves are then
/// joined, so reading and hashing use both cores; within a half the next page
/// is fetched while the current one is checked. Memory use is a few pages.
pub async fn verify_tenant(
    store: &Arc<dyn Store>,
    keys: &Arc<ChainKeys>,
    public_key: &[u8],
    tenant: TenantId,
) -> Result<TenantVerification, StoreError> {
    let checkpoints = store.checkpoints(tenant).await?;
    let wanted: Arc<HashSet<i64>> = Arc::new(checkpoints.iter().map(|c| c.seq).collect());
    let length = store.audit_head(tenant).await?.map_or(0, |(seq, _)| seq);
    let split = (length >= SPLIT_FROM).then_some(length / 2 + 1);

    let segment = |first_seq: i64, after: i64, until: Option<i64>| {
        let job = Segment { store: store.clone(), keys: keys.clone(), wanted: wanted.clone(), tenant, first_seq, after, until };
        tokio::spawn(job.check())
    };
    // The first half reads from the very start so that rows renumbered below 1 are seen.
    let first = segment(1, i64::MIN, split.map(|s| s - 1));
    let second = split.map(|s| segment(s, s - 1, None));
    let joined = |task: tokio::task::JoinHandle<_>| async move { task.await.map_err(|e| StoreError::Unavailable(Box::new(e)))? };
    let first: Checked = joined(first).await?;
    let second: Option<Checked> = match second {
        Some(task) => Some(joined(task).await?),
        None => None,
    };

    if let Some(broken) = first.broken {
        return Ok(Err(broken));
    }
    let mut verifier = ChainVerifier::resume(keys, tenant.0, first.position);
    let mut hashes: HashMap<i64, Hash> = first.hashes.into_iter().collect();
    if let Some(second) = second {
        if let Err(broken) = verifier.join(second.entry, second.position) {
            return Ok(Err(broken));
        }
        if let Some(broken) = second.broken {
            return Ok(Err(broken));
        }
        hashes.extend(second.hashes);
    }
    // The head is read after the events: an append writes its events and the
    // head together, so a head behind the last event read means tampering,
    // and one ahead of it means events were appended meanwhile, read now.
    let head = store.audit_head(tenant).await?;
    while let Some((head_seq, _)) = head {
        let last = verifier.position().0 - 1;
        if head_seq <= last {
            break;
        }
        let page = store.audit_events(tenant, last, PAGE).await?;
        if page.is_empty() {
            break;
        }
        for event in page.iter().take_while(|e| e.body.seq <= head_seq) {
            if let Err(broken) = verifier.feed(event) {
                return Ok(Err(broken));
            }
            if wanted.contains(&event.body.seq) {
                hashes.insert(event.body.seq, event.hash);
            }
        }
    }
    Ok(verifier.finish(head, &checkpoints, public_key, |seq| hashes.get(&seq).copied()))
}

/// One contiguous part of a chain to check.
struct Segment {
    store: Arc<dyn Store>,
    keys: Arc<ChainKeys>,
    /// Positions whose hashes the checkpoints need.
    wanted: Arc<HashSet<i64>>,
    tenant: TenantId,
    first_seq: i64,
    /// Read events with `seq > after`...
    after: i64,
    /// ...up to and including `until`.
    until: Option<i64>,
}

/// What a segment found.
struct Checked {
    entry: Option<(i64, Hash)>,
    position: (i64, Option<Hash>),
    broken: Option<ChainBreak>,
    hashes: Vec<(i64, Hash)>,
}

impl Segment {
    async fn check(self) -> Result<Checked, StoreError> {
        let (tenant, until) = (self.tenant, self.until);
        let mut verifier = if self.first_seq == 1 {
            ChainVerifier::new(&self.keys, tenant.0)
        } else {
            ChainVerifier::segment(&self.keys, tenant.0, self.first_seq)
        };
        let fetch = |after: i64| {
            let store = self.store.clone();
            tokio::spawn(async move { store.audit_events(tenant, after, PAGE).await })
        };
        let beyond = |seq: i64| until.is_some_and(|u| seq > u);
        let mut next = Some(fetch(self.after));
        let (mut broken, mut hashes) = (None, Vec::new());
        'pages: while let Some(task) = next.take() {
            let page = task.await.map_err(|e| StoreError::Unavailable(Box::new(e)))??;
            let Some(last) = page.last() else { break };
            if !beyond(last.body.seq) {
                next = Some(fetch(last.body.seq));
            }
            for event in &page {
                if beyond(event.body.seq) {
                    break 'pages;
                }
                if let Err(found) = verifier.feed(event) {
                    broken = Some(found);
                    break 'pages;
                }
                if self.wanted.contains(&event.body.seq) {
                    hashes.push((event.body.seq, event.hash));
                }
            }
        }
        Ok(Checked { entry: verifier.entry(), position: verifier.position(), broken, hashes })
    }
}
