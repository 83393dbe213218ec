//! What an edge's audio did: RTP packets in and out, and how long relaying
//! a packet from one call to its partner took (from its arrival to its
//! departure). Cheap enough to count always; read by benchmarks and
//! operators.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The relay time is kept in steps of 1 µs up to 10 ms; longer ones share
/// the last step.
const STEP_MICROS: u64 = 1;
const STEPS: usize = 10_001;

pub(crate) struct MediaCounters {
    received: AtomicU64,
    lost: AtomicU64,
    sent: AtomicU64,
    relay_times: Vec<AtomicU64>,
}

/// The counters at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaFigures {
    /// RTP packets taken from the network (from the expected peers).
    pub received: u64,
    /// Packets missing from what peers sent: gaps in their sequence numbers.
    pub lost: u64,
    pub sent: u64,
    /// Packets relayed from a call to its partner call.
    pub relayed: u64,
    relay_times: Vec<u64>,
}

impl Default for MediaCounters {
    fn default() -> Self {
        Self {
            received: AtomicU64::new(0),
            lost: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            relay_times: (0..STEPS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl MediaCounters {
    pub fn received(&self) {
        self.received.fetch_add(1, Ordering::Relaxed);
    }

    pub fn lost(&self, packets: u64) {
        self.lost.fetch_add(packets, Ordering::Relaxed);
    }

    pub fn sent(&self) {
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    pub fn relayed_in(&self, took: Duration) {
        let step = usize::try_from(took.as_micros() / u128::from(STEP_MICROS)).unwrap_or(usize::MAX).min(STEPS - 1);
        if let Some(count) = self.relay_times.get(step) {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn figures(&self) -> MediaFigures {
        let relay_times: Vec<u64> = self.relay_times.iter().map(|count| count.load(Ordering::Relaxed)).collect();
        MediaFigures {
            received: self.received.load(Ordering::Relaxed),
            lost: self.lost.load(Ordering::Relaxed),
            sent: self.sent.load(Ordering::Relaxed),
            relayed: relay_times.iter().sum(),
            relay_times,
        }
    }
}

impl MediaFigures {
    /// What happened between `earlier` and these figures.
    pub fn since(&self, earlier: &MediaFigures) -> MediaFigures {
        MediaFigures {
            received: self.received.saturating_sub(earlier.received),
            lost: self.lost.saturating_sub(earlier.lost),
            sent: self.sent.saturating_sub(earlier.sent),
            relayed: self.relayed.saturating_sub(earlier.relayed),
            relay_times: self.relay_times.iter().zip(&earlier.relay_times).map(|(now, then)| now.saturating_sub(*then)).collect(),
        }
    }

    /// The relay time under which `share` (0 to 1) of the relayed packets
    /// were sent on (to the next microsecond); `None` before any packet.
    pub fn relay_time(&self, share: f64) -> Option<Duration> {
        if self.relayed == 0 {
            return None;
        }
        let wanted = ((self.relayed as f64) * share).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (step, count) in self.relay_times.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return Some(Duration::from_micros((step as u64 + 1) * STEP_MICROS));
            }
        }
        None
    }
}

/// The longest run of missing packets counted as loss (a minute of audio);
/// a longer jump is a new stream.
const MAX_GAP: u16 = 3000;
/// How far back a packet may come and still be a late one of this stream.
const LATE: u16 = 100;

/// What a packet numbered `sequence` says after the newest so far (`last`):
/// how many packets went missing before it, and whether it is the newest
/// now. A late or repeated packet is neither loss nor newest; a far jump
/// is a new stream, newest and no loss.
pub(crate) fn sequence_step(last: Option<u16>, sequence: u16) -> (u64, bool) {
    let Some(last) = last else { return (0, true) };
    match sequence.wrapping_sub(last) {
        0 => (0, false),
        step if step <= MAX_GAP => (u64::from(step - 1), true),
        step if step >= u16::MAX - LATE => (0, false),
        _ => (0, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_in_a_stream_are_loss_and_late_packets_are_not() {
        assert_eq!(sequence_step(None, 7), (0, true));
        assert_eq!(sequence_step(Some(7), 8), (0, true));
        assert_eq!(sequence_step(Some(7), 10), (2, true), "8 and 9 missing");
        assert_eq!(sequence_step(Some(65_535), 1), (1, true), "across the wrap, 0 missing");
        assert_eq!(sequence_step(Some(10), 9), (0, false), "late");
        assert_eq!(sequence_step(Some(10), 10), (0, false), "repeated");
        assert_eq!(sequence_step(Some(10), 40_000), (0, true), "a new stream");
    }

    #[test]
    fn shares_of_relay_times_come_from_the_steps_they_fell_in() {
        let counters = MediaCounters::default();
        let before = counters.figures();
        assert_eq!(before.relay_time(0.5), None);
        for micros in [3, 4, 5, 12, 15, 80, 20_000] {
            counters.relayed_in(Duration::from_micros(micros));
        }
        let figures = counters.figures().since(&before);
        assert_eq!(figures.relayed, 7);
        assert_eq!(figures.relay_time(0.5), Some(Duration::from_micros(13)));
        assert_eq!(figures.relay_time(0.4), Some(Duration::from_micros(6)));
        assert_eq!(figures.relay_time(0.8), Some(Duration::from_micros(81)));
        assert_eq!(figures.relay_time(1.0), Some(Duration::from_micros(10_001)), "longer than 10 ms counts in the last step");
    }
}
