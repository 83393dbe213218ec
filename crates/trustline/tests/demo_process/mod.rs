//! `trustline` run in a fresh directory as a reader of the README would:
//! nothing from the environment (master key, database, data directory),
//! killed when the test is done with it.

use std::path::Path;
use std::process::{Child, Command};

/// `trustline ARGS` in `dir`, with the environment's Trustline settings removed.
pub fn trustline(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trustline"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("TRUSTLINE_MASTER_KEY")
        .env_remove("TRUSTLINE_DATABASE_URL")
        .env_remove("TRUSTLINE_DATA_DIR");
    command
}

/// A server process, killed (and reaped) when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
