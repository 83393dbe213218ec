//! The pacing figures of each running campaign, kept as its calls go:
//! calls ringing ahead of agents, attempts and their ring times, answers
//! and abandons in the window, conversations and their wrap-ups.

use crate::engine::Engine;
use trustline_domain::UnixTime;

impl Engine {
    /// A call placed ahead of agents starts (`placed`) or stops ringing.
    pub(crate) async fn ringing(&self, campaign: i64, call: i64, placed: bool) {
        if let Some(run) = self.runs.lock().await.get_mut(&campaign) {
            if placed {
                run.ringing.push((call, self.time.millis()));
            } else {
                run.ringing.retain(|(c, _)| *c != call);
            }
        }
    }

    pub(crate) async fn record_attempt(&self, campaign: i64, person: bool, ring_ms: u32) {
        if let Some(run) = self.runs.lock().await.get_mut(&campaign) {
            run.estimate.record_attempt(person, ring_ms);
        }
    }

    pub(crate) async fn record_answer(&self, campaign: i64, at: UnixTime, abandoned: bool) {
        if let Some(run) = self.runs.lock().await.get_mut(&campaign) {
            run.window.record(at, abandoned);
        }
    }

    /// A conversation and its wrap-up, for pacing.
    pub(crate) async fn record_handled(&self, campaign: i64, talk_ms: u32, wrap_ms: u32) {
        if let Some(run) = self.runs.lock().await.get_mut(&campaign) {
            run.estimate.record_handled(talk_ms, wrap_ms);
        }
    }
}
