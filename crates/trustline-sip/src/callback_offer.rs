//! Offering a waiting caller a callback: a recorded prompt ("… press 1 …"),
//! then the caller's key. Anything but 1, or no key in time, keeps them
//! waiting.

use crate::media_port::MediaPort;
use std::time::Duration;

/// The prompt, made by `scripts/make-prompts`.
const PROMPT: &[u8] = include_bytes!("../prompts/callback-offer.ulaw");
/// How long the caller has to press a key once the prompt has played.
const ANSWER_TIME: Duration = Duration::from_secs(6);
/// The key that asks for a callback.
const YES: char = '1';

/// `true` if the caller asks to be called back.
pub(crate) async fn ask(media: &MediaPort) -> bool {
    let mut keys = media.keys();
    let prompt = media.play(PROMPT);
    let answer = async {
        loop {
            match keys.recv().await {
                Ok(key) => return key == YES,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return false,
            }
        }
    };
    let accepted = tokio::time::timeout(prompt + ANSWER_TIME, answer).await.unwrap_or(false);
    media.stop_playing();
    accepted
}
