#[derive(Debug, thiserror::Error)]
pub enum SoftphoneError {
    #[error("the softphone port could not be opened: {0}")]
    Bind(std::io::Error),
    #[error("not a usable WebRTC offer: {0}")]
    BadOffer(String),
    #[error("the offer has no audio this side can take (G.711 over DTLS-SRTP is needed)")]
    NoAudio,
    #[error("every softphone place is taken ({0} desks)")]
    Full(usize),
    #[error("the softphone service has stopped")]
    Stopped,
}
