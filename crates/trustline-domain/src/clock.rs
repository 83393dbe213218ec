/// Seconds since the Unix epoch, UTC. Stored as a plain integer on both engines.
pub type UnixTime = i64;

/// The source of "now". Passed in everywhere so that expiry rules are testable
/// without waiting.
pub trait Clock: Send + Sync {
    fn now(&self) -> UnixTime;
}
