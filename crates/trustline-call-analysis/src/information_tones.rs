//! The special information tones (ITU-T E.180 and the North American
//! intercept tones): three rising tones a network plays before saying a
//! number is out of service, vacant or unreachable. Heard on a call that
//! "answers", they mean nobody is there to reach.

use crate::beep::dominant_tone;
use crate::tone::duration_ms;

/// The tones of each of the three segments, in Hz.
const SEGMENTS: [&[f64]; 3] = [&[913.8, 985.2], &[1_370.6, 1_428.5], &[1_776.7]];
/// A heard tone is a segment's within this.
const WITHIN_HZ: f64 = 30.0;
/// Each segment lasts 274 or 380 ms; a shorter run is not one.
const SEGMENT_MS: u32 = 200;
/// A gap this long between segments (or within one) starts over.
const LONGEST_GAP_MS: u32 = 80;

#[derive(Clone, Debug, Default)]
pub struct InformationToneDetector {
    heard_ms: u32,
    /// Segments heard in order so far.
    segments: usize,
    /// How long the current segment's tone has lasted, and the gap since it.
    run_ms: u32,
    gap_ms: u32,
    heard_at: Option<u32>,
}

impl InformationToneDetector {
    pub fn new() -> Self {
        Self::default()
    }

    /// Hears one more frame (20 ms is best); when the third tone has
    /// lasted long enough, the milliseconds of audio heard by then.
    pub fn hear(&mut self, frame: &[i16]) -> Option<u32> {
        if self.heard_at.is_some() || frame.is_empty() {
            return self.heard_at;
        }
        let length = duration_ms(frame);
        self.heard_ms = self.heard_ms.saturating_add(length);
        let segment = dominant_tone(frame).and_then(|tone| SEGMENTS.iter().position(|s| s.iter().any(|f| (tone - f).abs() <= WITHIN_HZ)));
        match segment {
            Some(s) if s == self.segments => {
                self.run_ms = self.run_ms.saturating_add(length);
                self.gap_ms = 0;
            }
            Some(s) if s == self.segments + 1 && self.run_ms >= SEGMENT_MS => {
                self.segments += 1;
                self.run_ms = length;
                self.gap_ms = 0;
            }
            Some(0) => {
                self.segments = 0;
                self.run_ms = length;
                self.gap_ms = 0;
            }
            _ => {
                self.gap_ms = self.gap_ms.saturating_add(length);
                if self.gap_ms > LONGEST_GAP_MS {
                    self.segments = 0;
                    self.run_ms = 0;
                }
            }
        }
        if self.segments == SEGMENTS.len() - 1 && self.run_ms >= SEGMENT_MS {
            self.heard_at = Some(self.heard_ms);
        }
        self.heard_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::sine;

    fn heard(audio: &[i16]) -> Option<u32> {
        let mut detector = InformationToneDetector::new();
        audio.chunks(160).find_map(|frame| detector.hear(frame))
    }

    #[test]
    fn the_three_rising_tones_are_heard_in_either_length() {
        let vacant = [vec![0; 1600], sine(913.8, 280, 5000.0), sine(1370.6, 280, 5000.0), sine(1776.7, 380, 5000.0)].concat();
        assert_eq!(heard(&vacant), Some(200 + 280 + 280 + 200));
        let reorder = [sine(985.2, 380, 5000.0), sine(1428.5, 380, 5000.0), sine(1776.7, 380, 5000.0)].concat();
        assert!(heard(&reorder).is_some());
    }

    #[test]
    fn tones_out_of_order_too_short_or_far_apart_are_not_heard() {
        let backwards = [sine(1776.7, 300, 5000.0), sine(1370.6, 300, 5000.0), sine(913.8, 300, 5000.0)].concat();
        let short = [sine(913.8, 100, 5000.0), sine(1370.6, 100, 5000.0), sine(1776.7, 100, 5000.0)].concat();
        let apart = [sine(913.8, 300, 5000.0), vec![0; 1600], sine(1370.6, 300, 5000.0), sine(1776.7, 300, 5000.0)].concat();
        let beep = sine(1000.0, 1000, 5000.0);
        for (what, audio) in [("backwards", backwards), ("short", short), ("apart", apart), ("a beep", beep)] {
            assert_eq!(heard(&audio), None, "{what}");
        }
    }
}
