//! Runs of jobs and checks, kept as the trust center's evidence.

use trustline_app::SystemClock;
use trustline_domain::Clock;
use trustline_store::{JobRunRecord, Store};

/// Records a run of `job` for the installation; a failure to record is logged.
pub async fn record(store: &dyn Store, job: &str, ok: bool, detail: String) {
    let run = JobRunRecord { at: SystemClock.now(), ok, detail };
    if let Err(error) = store.record_job_run(job, None, run).await {
        tracing::warn!(%error, job, "a job run could not be recorded");
    }
}
