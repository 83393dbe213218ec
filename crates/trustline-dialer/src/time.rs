//! The engine's time port: the wall clock that stamps records and opens
//! calling windows, and a monotonic clock of milliseconds with timers, for
//! ring times and waits. The engine never reads `Instant` or sleeps on its
//! own, so the same engine runs in real time (`serve`) and in virtual time
//! (`simulate`, tests with a paused runtime).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use trustline_domain::{Clock, UnixTime};

/// A timer's future: completes at its moment.
pub type Alarm = Pin<Box<dyn Future<Output = ()> + Send>>;

pub trait EngineTime: Send + Sync {
    /// Wall-clock time, in seconds.
    fn now(&self) -> UnixTime;
    /// Milliseconds since the engine started, never going back.
    fn millis(&self) -> u64;
    /// Completes once `millis()` has reached `at`.
    fn alarm_at(&self, at: u64) -> Alarm;
}

/// Time from Tokio's timer: real time in a server, virtual time under a
/// paused runtime. Wall-clock time comes from `wall`.
pub struct TokioTime {
    wall: Arc<dyn Clock>,
    origin: tokio::time::Instant,
}

impl TokioTime {
    pub fn new(wall: Arc<dyn Clock>) -> Self {
        Self { wall, origin: tokio::time::Instant::now() }
    }
}

impl EngineTime for TokioTime {
    fn now(&self) -> UnixTime {
        self.wall.now()
    }

    fn millis(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn alarm_at(&self, at: u64) -> Alarm {
        let deadline = self.origin + std::time::Duration::from_millis(at);
        Box::pin(tokio::time::sleep_until(deadline))
    }
}
