use crate::{ChainKeys, Checkpoint, Hash, StoredEvent, checkpoint_message, genesis_hash};

/// What is wrong at the first broken link.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BreakKind {
    #[error("expected event {expected} next but found {found}: events were deleted, inserted or renumbered")]
    Sequence { expected: i64, found: i64 },
    #[error("its link to the previous event is broken: an event before it was deleted, inserted or moved")]
    Link,
    #[error("its contents do not match its hash: the event was edited")]
    Contents,
    #[error("its seal is not valid: the chain was rewritten without the audit key")]
    Seal,
    #[error("the event belongs to tenant {found}")]
    Tenant { found: i64 },
    #[error("the chain ends at event {last} but its recorded head is event {head}: events were deleted or the head was altered")]
    Head { last: i64, head: i64 },
    #[error("checkpoint signed at event {seq} does not match the chain")]
    Checkpoint { seq: i64 },
    #[error("checkpoint at event {seq} has an invalid signature")]
    CheckpointSignature { seq: i64 },
    #[error("checkpoint at event {seq} lies beyond the end of the chain ({last}): events were deleted")]
    Truncated { seq: i64, last: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("tenant {tenant_id}, event {seq}: {kind}")]
pub struct ChainBreak {
    pub tenant_id: i64,
    pub seq: i64,
    pub kind: BreakKind,
}

/// A chain that verified, summarised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedChain {
    pub tenant_id: i64,
    pub events: i64,
    pub head: Hash,
    pub checkpoints: usize,
}

/// Checks one tenant's chain event by event, in `seq` order, in constant memory.
pub struct ChainVerifier<'k> {
    keys: &'k ChainKeys,
    tenant_id: i64,
    expected_seq: i64,
    /// `None` until the first event of a segment whose predecessor is not
    /// known yet (see [`ChainVerifier::segment`]).
    prev_hash: Option<Hash>,
    /// The position and `prev_hash` of the first event fed, for joining segments.
    entry: Option<(i64, Hash)>,
}

impl<'k> ChainVerifier<'k> {
    pub fn new(keys: &'k ChainKeys, tenant_id: i64) -> Self {
        Self { keys, tenant_id, expected_seq: 1, prev_hash: Some(genesis_hash(tenant_id)), entry: None }
    }

    /// Verifies the chain from `first_seq` on, taking the first event's link
    /// on trust; [`ChainVerifier::join`] checks it against the segment before.
    /// Lets a long chain be checked in parallel pieces.
    pub fn segment(keys: &'k ChainKeys, tenant_id: i64, first_seq: i64) -> Self {
        Self { keys, tenant_id, expected_seq: first_seq, prev_hash: None, entry: None }
    }

    /// A verifier standing where another one stopped (see [`ChainVerifier::position`]).
    pub fn resume(keys: &'k ChainKeys, tenant_id: i64, position: (i64, Option<Hash>)) -> Self {
        Self { keys, tenant_id, expected_seq: position.0, prev_hash: position.1, entry: None }
    }

    /// Where this verifier has got to: the next expected position and the last hash.
    pub fn position(&self) -> (i64, Option<Hash>) {
        (self.expected_seq, self.prev_hash)
    }

    /// The first event fed (position and stored link), if any.
    pub fn entry(&self) -> Option<(i64, Hash)> {
        self.entry
    }

    /// Checks that a later segment, which started at `entry` and reached
    /// `position`, continues this one; on success this verifier stands where
    /// the later one ended.
    pub fn join(&mut self, entry: Option<(i64, Hash)>, position: (i64, Option<Hash>)) -> Result<(), ChainBreak> {
        let Some((first_seq, first_prev)) = entry else { return Ok(()) };
        let tenant_id = self.tenant_id;
        if first_seq != self.expected_seq {
            let kind = BreakKind::Sequence { expected: self.expected_seq, found: first_seq };
            return Err(ChainBreak { tenant_id, seq: self.expected_seq, kind });
        }
        if self.prev_hash != Some(first_prev) {
            return Err(ChainBreak { tenant_id, seq: first_seq, kind: BreakKind::Link });
        }
        (self.expected_seq, self.prev_hash) = position;
        Ok(())
    }

    /// Feed the next stored event, in ascending `seq` order as the store returns them.
    pub fn feed(&mut self, event: &StoredEvent) -> Result<(), ChainBreak> {
        let seq = event.body.seq;
        let fail = |kind| ChainBreak { tenant_id: self.tenant_id, seq, kind };
        if event.body.tenant_id != self.tenant_id {
            return Err(fail(BreakKind::Tenant { found: event.body.tenant_id }));
        }
        if seq != self.expected_seq {
            return Err(ChainBreak {
                tenant_id: self.tenant_id,
                seq: self.expected_seq,
                kind: BreakKind::Sequence { expected: self.expected_seq, found: seq },
            });
        }
        if self.entry.is_none() {
            self.entry = Some((seq, event.prev_hash));
        }
        if self.prev_hash.is_some_and(|prev| prev != event.prev_hash) {
            return Err(fail(BreakKind::Link));
        }
        if event.body.hash(&event.prev_hash) != event.hash {
            return Err(fail(BreakKind::Contents));
        }
        if !self.keys.seal_matches(&event.hash, &event.seal) {
            return Err(fail(BreakKind::Seal));
        }
        self.prev_hash = Some(event.hash);
        self.expected_seq += 1;
        Ok(())
    }

    /// Compare the end of the chain with its recorded head and the signed
    /// checkpoints. `hash_at` gives the stored hash at a position (checkpoints
    /// older than the end are checked against the chain itself).
    pub fn finish(
        self,
        head: Option<(i64, Hash)>,
        checkpoints: &[Checkpoint],
        public_key: &[u8],
        hash_at: impl Fn(i64) -> Option<Hash>,
    ) -> Result<VerifiedChain, ChainBreak> {
        let last = self.expected_seq - 1;
        let tenant_id = self.tenant_id;
        let fail = |seq, kind| ChainBreak { tenant_id, seq, kind };
        let (head_seq, head_hash) = head.unwrap_or((0, genesis_hash(tenant_id)));
        if head_seq != last || Some(head_hash) != self.prev_hash {
            return Err(fail(last.max(head_seq), BreakKind::Head { last, head: head_seq }));
        }
        for checkpoint in checkpoints {
            let message = checkpoint_message(checkpoint.tenant_id, checkpoint.seq, &checkpoint.hash, checkpoint.at);
            if checkpoint.tenant_id != tenant_id || trustline_crypto::verify_signature(public_key, &message, &checkpoint.signature).is_err()
            {
                return Err(fail(checkpoint.seq, BreakKind::CheckpointSignature { seq: checkpoint.seq }));
            }
            if checkpoint.seq > last {
                return Err(fail(checkpoint.seq, BreakKind::Truncated { seq: checkpoint.seq, last }));
            }
            if hash_at(checkpoint.seq) != Some(checkpoint.hash) {
                return Err(fail(checkpoint.seq, BreakKind::Checkpoint { seq: checkpoint.seq }));
            }
        }
        Ok(VerifiedChain { tenant_id, events: last, head: head_hash, checkpoints: checkpoints.len() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EventBody;
    use proptest::prelude::*;
    use trustline_crypto::{CheckpointSigner, ValueMac};
    use zeroize::Zeroizing;

    fn keys() -> ChainKeys {
        ChainKeys::new(ValueMac::new(Zeroizing::new([3u8; 32])))
    }

    fn chain(keys: &ChainKeys, n: i64) -> Vec<StoredEvent> {
        let mut prev = genesis_hash(1);
        (1..=n)
            .map(|seq| {
                let body = EventBody {
                    tenant_id: 1,
                    seq,
                    at: 1000 + seq,
                    actor: "user:1".into(),
                    action: "user.create".into(),
                    target: format!("user:{seq}"),
                    outcome: "success".into(),
                    source: "127.0.0.1".into(),
                    details: "{}".into(),
                };
                let event = keys.link(prev, body);
                prev = event.hash;
                event
            })
            .collect()
    }

    fn verify(keys: &ChainKeys, events: &[StoredEvent], head: Option<(i64, Hash)>) -> Result<VerifiedChain, ChainBreak> {
        let mut verifier = ChainVerifier::new(keys, 1);
        for e in events {
            verifier.feed(e)?;
        }
        verifier.finish(head, &[], &[0u8; 32], |_| None)
    }

    fn head(events: &[StoredEvent]) -> Option<(i64, Hash)> {
        events.last().map(|e| (e.body.seq, e.hash))
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let k = keys();
        let events = chain(&k, 5);
        assert_eq!(verify(&k, &events, head(&events)).map(|v| v.events), Ok(5));
        assert_eq!(verify(&k, &[], None).map(|v| v.events), Ok(0));
    }

    #[test]
    fn each_kind_of_tampering_is_found_at_its_link() {
        let k = keys();
        let events = chain(&k, 6);
        let h = head(&events);

        let mut edited = events.clone();
        edited[2].body.target = "user:99".into();
        assert_eq!(verify(&k, &edited, h).unwrap_err().kind, BreakKind::Contents);

        let mut deleted = events.clone();
        deleted.remove(3);
        let err = verify(&k, &deleted, h).unwrap_err();
        assert_eq!((err.seq, err.kind), (4, BreakKind::Sequence { expected: 4, found: 5 }));

        let mut reordered = events.clone();
        reordered.swap(1, 2);
        reordered[1].body.seq = 2;
        reordered[2].body.seq = 3;
        assert_eq!(verify(&k, &reordered, h).unwrap_err().seq, 2);

        // A forged event, correctly hashed but sealed without the key.
        let mut forged = events.clone();
        let mut body = forged[5].body.clone();
        body.action = "user.delete".into();
        let fake = ChainKeys::new(ValueMac::new(Zeroizing::new([4u8; 32]))).link(forged[4].hash, body);
        forged[5] = fake;
        assert_eq!(verify(&k, &forged, head(&forged)).unwrap_err().kind, BreakKind::Seal);

        // Tail deleted: the head no longer matches.
        assert!(matches!(verify(&k, &events[..4], h).unwrap_err().kind, BreakKind::Head { last: 4, head: 6 }));
    }

    #[test]
    fn checkpoints_catch_truncation_even_with_the_head_rewritten() {
        let k = keys();
        let events = chain(&k, 6);
        let signer = CheckpointSigner::from_seed(Zeroizing::new([5u8; 32]));
        let cp = |seq: i64| {
            let hash = events[(seq - 1) as usize].hash;
            Checkpoint { tenant_id: 1, seq, hash, at: 9, signature: signer.sign(&checkpoint_message(1, seq, &hash, 9)).to_vec() }
        };
        let checkpoints = [cp(3), cp(6)];
        let run = |evs: &[StoredEvent], cps: &[Checkpoint]| {
            let mut v = ChainVerifier::new(&k, 1);
            for e in evs {
                v.feed(e)?;
            }
            v.finish(head(evs), cps, &signer.public_key(), |seq| evs.iter().find(|e| e.body.seq == seq).map(|e| e.hash))
        };
        assert_eq!(run(&events, &checkpoints).map(|v| v.checkpoints), Ok(2));
        assert_eq!(run(&events[..4], &checkpoints).unwrap_err().kind, BreakKind::Truncated { seq: 6, last: 4 });
        let mut bad = checkpoints.clone();
        bad[0].seq = 2;
        assert_eq!(run(&events, &bad).unwrap_err().kind, BreakKind::CheckpointSignature { seq: 2 });
    }

    /// Verifies `events` as two segments split before `split`, joined after.
    fn verify_split(keys: &ChainKeys, events: &[StoredEvent], split: i64, head: Option<(i64, Hash)>) -> Result<VerifiedChain, ChainBreak> {
        let mut first = ChainVerifier::new(keys, 1);
        let mut second = ChainVerifier::segment(keys, 1, split);
        let (a, b): (Vec<_>, Vec<_>) = events.iter().partition(|e| e.body.seq < split);
        let first_result = a.iter().try_for_each(|e| first.feed(e));
        let second_result = b.iter().try_for_each(|e| second.feed(e));
        first_result?;
        first.join(second.entry(), second.position())?;
        second_result?;
        first.finish(head, &[], &[0u8; 32], |_| None)
    }

    #[test]
    fn segments_join_into_the_whole_chain() {
        let k = keys();
        let events = chain(&k, 10);
        let h = head(&events);
        assert_eq!(verify_split(&k, &events, 6, h).map(|v| v.events), Ok(10));
        assert_eq!(verify_split(&k, &events, 11, h).map(|v| v.events), Ok(10));

        let mut gap = events.clone();
        gap.remove(4); // seq 5, the last of the first segment
        let err = verify_split(&k, &gap, 6, h).unwrap_err();
        assert_eq!((err.seq, err.kind), (5, BreakKind::Sequence { expected: 5, found: 6 }));

        let mut relinked = events.clone();
        relinked[5].prev_hash = [9; 32]; // seq 6, the first of the second segment
        assert_eq!(verify_split(&k, &relinked, 6, h).unwrap_err(), ChainBreak { tenant_id: 1, seq: 6, kind: BreakKind::Link });

        let mut edited = events.clone();
        edited[8].body.actor = "intruder".into();
        assert_eq!(verify_split(&k, &edited, 6, h).unwrap_err().seq, 9);
    }

    proptest! {
        /// Any single-field edit anywhere in the chain is detected.
        #[test]
        fn any_edit_is_detected(n in 1i64..20, pick in 0usize..20, field in 0u8..4, text in "[a-z]{1,8}") {
            let k = keys();
            let mut events = chain(&k, n);
            let index = pick % events.len();
            let e = &mut events[index].body;
            let original = e.clone();
            match field {
                0 => e.actor.push_str(&text),
                1 => e.target.push_str(&text),
                2 => e.at += 1,
                _ => e.details = format!("{{\"x\":\"{text}\"}}"),
            }
            prop_assume!(*e != original);
            let h = head(&events);
            let err = verify(&k, &events, h).unwrap_err();
            prop_assert_eq!(err.seq, index as i64 + 1);
        }
    }
}
