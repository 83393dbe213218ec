//! G.711 sample coding (ITU-T G.711): µ-law (PCMU) and A-law (PCMA) to and
//! from 16-bit linear samples. Calls whose two sides chose different laws
//! are re-coded sample by sample; this process's own audio (hold music,
//! in-band keys) is made linear and coded for the call.

use crate::audio_sdp::G711;
use crate::tone::FRAME;

const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 32_635;
/// Where each A-law segment ends, on samples shifted right by three.
const ALAW_SEGMENT_ENDS: [i32; 8] = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

impl G711 {
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            G711::Pcmu => ulaw_from_linear(sample),
            G711::Pcma => alaw_from_linear(sample),
        }
    }

    pub fn decode(self, code: u8) -> i16 {
        match self {
            G711::Pcmu => linear_from_ulaw(code),
            G711::Pcma => linear_from_alaw(code),
        }
    }

    /// `payload` as linear samples.
    pub fn decode_all(self, payload: &[u8]) -> Vec<i16> {
        payload.iter().map(|code| self.decode(*code)).collect()
    }

    /// `payload`, coded in `self`, as `to` codes it.
    pub fn recode(self, payload: &[u8], to: G711) -> Vec<u8> {
        if self == to {
            return payload.to_vec();
        }
        payload.iter().map(|code| to.encode(self.decode(*code))).collect()
    }

    /// The codec a static payload type names.
    pub fn of_payload_type(payload_type: u8) -> Option<Self> {
        match payload_type {
            0 => Some(G711::Pcmu),
            8 => Some(G711::Pcma),
            _ => None,
        }
    }
}

/// A µ-law recording as 20 ms frames of linear samples, the last one
/// padded with silence.
pub(crate) fn ulaw_frames(ulaw: &[u8]) -> Vec<[i16; FRAME]> {
    ulaw.chunks(FRAME)
        .map(|chunk| {
            let mut frame = [0i16; FRAME];
            for (slot, code) in frame.iter_mut().zip(chunk) {
                *slot = G711::Pcmu.decode(*code);
            }
            frame
        })
        .collect()
}

fn ulaw_from_linear(sample: i16) -> u8 {
    let mut magnitude = i32::from(sample);
    let sign = if magnitude < 0 {
        magnitude = -magnitude;
        0x80
    } else {
        0
    };
    magnitude = magnitude.min(ULAW_CLIP) + ULAW_BIAS;
    let mut exponent = 7;
    while exponent > 0 && magnitude & (0x80 << exponent) == 0 {
        exponent -= 1;
    }
    let mantissa = (magnitude >> (exponent + 3)) & 0x0f;
    !(sign | (exponent << 4) | mantissa) as u8
}

fn linear_from_ulaw(code: u8) -> i16 {
    let code = !code;
    let exponent = (code >> 4) & 0x07;
    let magnitude = (((i32::from(code & 0x0f)) << 3) + ULAW_BIAS) << exponent;
    let linear = magnitude - ULAW_BIAS;
    (if code & 0x80 != 0 { -linear } else { linear }) as i16
}

fn alaw_from_linear(sample: i16) -> u8 {
    let mut value = i32::from(sample) >> 3;
    let mask: u8 = if value >= 0 {
        0xd5
    } else {
        value = -value - 1;
        0x55
    };
    let Some(segment) = ALAW_SEGMENT_ENDS.iter().position(|end| value <= *end) else {
        return 0x7f ^ mask;
    };
    let step = if segment < 2 { 1 } else { segment };
    let code = ((segment as i32) << 4) | ((value >> step) & 0x0f);
    code as u8 ^ mask
}

fn linear_from_alaw(code: u8) -> i16 {
    let code = code ^ 0x55;
    let mut magnitude = i32::from(code & 0x0f) << 4;
    let segment = (code & 0x70) >> 4;
    magnitude += if segment == 0 { 8 } else { 0x108 };
    if segment > 1 {
        magnitude <<= segment - 1;
    }
    (if code & 0x80 != 0 { magnitude } else { -magnitude }) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silence_has_its_standard_codes() {
        assert_eq!(G711::Pcmu.encode(0), 0xff);
        assert_eq!(G711::Pcma.encode(0), 0xd5);
        assert_eq!(G711::Pcmu.decode(0xff), 0);
        assert_eq!(G711::Pcma.decode(0xd5), 8);
    }

    #[test]
    fn every_code_decodes_and_encodes_back_to_itself() {
        for codec in [G711::Pcmu, G711::Pcma] {
            for code in 0..=255u8 {
                let again = codec.encode(codec.decode(code));
                // µ-law has two codes for zero (0x7f and 0xff).
                let same = again == code || (codec == G711::Pcmu && codec.decode(code) == 0);
                assert!(same, "{codec:?} {code:#04x} came back as {again:#04x}");
            }
        }
    }

    #[test]
    fn coding_keeps_a_sample_within_its_quantisation_step() {
        for codec in [G711::Pcmu, G711::Pcma] {
            for sample in (i16::MIN..=i16::MAX).step_by(97) {
                let back = i32::from(codec.decode(codec.encode(sample)));
                let error = (back - i32::from(sample)).abs();
                // The step is 1/16 of the segment, at most about 1/32 of the sample (and 1,024 at the top).
                assert!(error <= (i32::from(sample).abs() / 16).max(16) + 8, "{codec:?} {sample} -> {back}");
            }
        }
        let ulaw: Vec<u8> = [1000i16, -1000, 20_000].iter().map(|s| G711::Pcmu.encode(*s)).collect();
        let alaw = G711::Pcmu.recode(&ulaw, G711::Pcma);
        let back: Vec<i16> = alaw.iter().map(|c| G711::Pcma.decode(*c)).collect();
        assert!((back[0] - 1000).abs() < 64 && (back[1] + 1000).abs() < 64 && (back[2] - 20_000).abs() < 1100, "{back:?}");
    }
}
