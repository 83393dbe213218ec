//! How much a network edge takes from one source address: a count per
//! fixed window, so a scanner or a flood gets its share and then silence
//! until it slows down. The table of sources is bounded: past its size
//! (spoofed sources), new sources are refused until old windows expire.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

pub struct SourceWindows {
    limit: u32,
    window: Duration,
    max_sources: usize,
    windows: HashMap<IpAddr, Window>,
}

#[derive(Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
}

impl SourceWindows {
    /// `limit` datagrams per `window` from each source, at most
    /// `max_sources` sources remembered.
    pub fn new(limit: u32, window: Duration, max_sources: usize) -> Self {
        Self { limit, window, max_sources, windows: HashMap::new() }
    }

    /// Counts a datagram from `source` at `now`: whether it is within the
    /// source's share. An IPv4 address written as IPv6 is the same source.
    pub fn admits(&mut self, source: IpAddr, now: Instant) -> bool {
        let source = source.to_canonical();
        let window = self.window;
        if self.windows.len() >= self.max_sources && !self.windows.contains_key(&source) {
            self.windows.retain(|_, kept| now.duration_since(kept.started) < window);
            if self.windows.len() >= self.max_sources {
                return false;
            }
        }
        let kept = self.windows.entry(source).or_insert(Window { started: now, count: 0 });
        if now.duration_since(kept.started) >= window {
            *kept = Window { started: now, count: 0 };
        }
        kept.count = kept.count.saturating_add(1);
        kept.count <= self.limit
    }

    /// Sources remembered now.
    pub fn sources(&self) -> usize {
        self.windows.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Duration = Duration::from_secs(10);

    #[test]
    fn each_source_gets_its_share_per_window() {
        let mut windows = SourceWindows::new(20, WINDOW, 100);
        let start = Instant::now();
        let stranger: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!((0..50).filter(|_| windows.admits(stranger, start)).count(), 20);
        assert!(!windows.admits(stranger, start + WINDOW / 2), "still the same window");
        assert!(windows.admits(stranger, start + WINDOW), "a new window");
        assert!(windows.admits("198.51.100.8".parse().unwrap(), start), "each source is counted apart");
        let third: IpAddr = "198.51.100.9".parse().unwrap();
        for _ in 0..20 {
            windows.admits(third, start);
        }
        assert!(!windows.admits("::ffff:198.51.100.9".parse().unwrap(), start), "an IPv4 address written as IPv6 is the same source");
    }

    #[test]
    fn a_flood_of_spoofed_sources_cannot_grow_the_table_without_end() {
        let mut windows = SourceWindows::new(20, WINDOW, 1000);
        let start = Instant::now();
        for n in 0..1000u32 {
            windows.admits(IpAddr::from(n.to_be_bytes()), start);
        }
        assert!(!windows.admits("203.0.113.1".parse().unwrap(), start), "full: a new source is refused");
        assert!(windows.admits("203.0.113.1".parse().unwrap(), start + WINDOW), "old windows make room");
        assert!(windows.sources() <= 1000);
    }
}
