//! The G.711 law of a packet's payload.

use str0m::format::Codec;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Law {
    /// PCMU, North America and Japan.
    Ulaw,
    /// PCMA, the rest of the world.
    Alaw,
}

impl Law {
    pub(crate) fn of_codec(codec: Codec) -> Option<Self> {
        match codec {
            Codec::PCMU => Some(Law::Ulaw),
            Codec::PCMA => Some(Law::Alaw),
            _ => None,
        }
    }
}
