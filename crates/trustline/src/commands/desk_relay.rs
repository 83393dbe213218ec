//! The TURN relay for desks behind strict firewalls, from `serve`'s flags.

use anyhow::Context;
use clap::Args;
use std::path::PathBuf;
use trustline_crypto::RelaySecret;
use trustline_server::{DeskRelay, RelayUrl};

#[derive(Args)]
pub struct DeskRelayArgs {
    /// A TURN relay desks may send their softphone audio through, as
    /// browsers write it (turn:relay.example.com:3478?transport=udp, or
    /// turns: for TLS); repeat, or separate with commas. The relay must
    /// share --turn-secret-file with this installation (coturn:
    /// use-auth-secret, static-auth-secret).
    #[arg(long = "turn-url", env = "TRUSTLINE_TURN_URLS", value_delimiter = ',', requires = "turn_secret_file")]
    turn_urls: Vec<RelayUrl>,
    /// The file holding the secret shared with the TURN relay (a file, so
    /// the secret is not in the process list).
    #[arg(long, env = "TRUSTLINE_TURN_SECRET_FILE", requires = "turn_urls")]
    turn_secret_file: Option<PathBuf>,
    /// Desks send all their audio through the relay, never straight to the
    /// softphone port.
    #[arg(long, env = "TRUSTLINE_TURN_RELAY_ONLY", requires = "turn_urls")]
    turn_relay_only: bool,
}

impl DeskRelayArgs {
    /// The relay, if one is configured; an unreadable or empty secret file
    /// stops the server before it serves.
    pub fn relay(&self) -> anyhow::Result<Option<DeskRelay>> {
        let Some(file) = &self.turn_secret_file else { return Ok(None) };
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read the TURN secret file {}", file.display()))?;
        let secret = RelaySecret::from_text(&text).with_context(|| format!("the TURN secret file {} is empty", file.display()))?;
        Ok(Some(DeskRelay::new(self.turn_urls.clone(), secret, self.turn_relay_only)))
    }
}
