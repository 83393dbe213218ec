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
    prev_hash: Hash,
}

impl<'k> ChainVerifier<'k> {
    pub fn new(keys: &'k ChainKeys, tenant_id: i64) -> Self {
        Self { keys, tenant_id, expected_seq: 1, prev_hash: genesis_hash(tenant_id) }
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
        if event.prev_hash != self.prev_hash {
            return Err(fail(BreakKind::Link));
        }
        if event.body.hash(&event.prev_hash) != event.hash {
            return Err(fail(BreakKind::Contents));
        }
        if !self.keys.seal_matches(&event.hash, &event.seal) {
            return Err(fail(BreakKind::Seal));
        }
        self.prev_hash = event.hash;
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
        if head_seq != last || head_hash != self.prev_hash {
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
        Ok(VerifiedChain { tenant_id, events: last, head: self.prev_hash, checkpoints: checkpoints.len() })
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
