//! The beep a machine plays before it records: one steady tone, a fifth of
//! a second or more, anywhere from 300 Hz to 3 kHz, ending in silence or
//! sound that is no tone. A message left for the machine starts when the
//! beep ends.

use crate::tone::{duration_ms, mean_level, tone_power};

/// Tones are looked for every 25 Hz: a tone between two is still heard at
/// four fifths of its power in a 20 ms frame.
const LOWEST: f64 = 300.0;
const HIGHEST: f64 = 3_000.0;
const STEP: f64 = 25.0;
/// A frame is a tone's when this share of its energy is at one frequency.
const PURE: f64 = 0.6;
/// Frames of a tone within this of each other are one tone.
const SAME_TONE_HZ: f64 = 60.0;
/// The shortest beep.
const SHORTEST_MS: u32 = 180;
/// Quieter frames are silence, whatever their shape.
const QUIET: u32 = 256;

/// A beep heard: its frequency, and when it ended (milliseconds of audio).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Beep {
    pub frequency: f64,
    pub ended_at_ms: u32,
}

/// Frames with no tone after a tone that was long enough: this many, and
/// it was a beep (a frame may hold the end of one tone and the start of
/// the next, and then be no tone).
const ENDING_FRAMES: u32 = 3;

#[derive(Clone, Copy, Debug, Default)]
enum Heard {
    #[default]
    Nothing,
    /// A tone under way: its frequency and how long it has lasted.
    Tone { frequency: f64, lasted_ms: u32 },
    /// A tone long enough ended at `ended_at_ms`; frames since with no tone.
    Ending { frequency: f64, ended_at_ms: u32, frames: u32 },
}

#[derive(Clone, Debug, Default)]
pub struct BeepDetector {
    heard_ms: u32,
    state: Heard,
    beep: Option<Beep>,
}

impl BeepDetector {
    pub fn new() -> Self {
        Self::default()
    }

    /// Hears one more frame (20 ms is best); the beep once it has ended.
    pub fn hear(&mut self, frame: &[i16]) -> Option<Beep> {
        if self.beep.is_some() || frame.is_empty() {
            return self.beep;
        }
        let length = duration_ms(frame);
        let started_at = self.heard_ms;
        self.heard_ms = self.heard_ms.saturating_add(length);
        let tone = dominant_tone(frame);
        self.state = match (self.state, tone) {
            (Heard::Tone { frequency, lasted_ms }, Some(heard)) if (heard - frequency).abs() <= SAME_TONE_HZ => {
                Heard::Tone { frequency, lasted_ms: lasted_ms.saturating_add(length) }
            }
            (Heard::Tone { frequency, lasted_ms }, None) if lasted_ms >= SHORTEST_MS => {
                Heard::Ending { frequency, ended_at_ms: started_at, frames: 1 }
            }
            (Heard::Ending { frequency, ended_at_ms, frames }, None) => Heard::Ending { frequency, ended_at_ms, frames: frames + 1 },
            // A tone followed at once by another is a sequence (the
            // information tones), not a beep.
            (_, Some(frequency)) => Heard::Tone { frequency, lasted_ms: length },
            (_, None) => Heard::Nothing,
        };
        if let Heard::Ending { frequency, ended_at_ms, frames } = self.state
            && frames >= ENDING_FRAMES
        {
            self.beep = Some(Beep { frequency, ended_at_ms });
        }
        self.beep
    }
}

/// The one frequency holding most of the frame, if it holds enough of it.
pub(crate) fn dominant_tone(frame: &[i16]) -> Option<f64> {
    if mean_level(frame) < QUIET {
        return None;
    }
    let steps = ((HIGHEST - LOWEST) / STEP) as u32;
    let (frequency, power) = (0..=steps)
        .map(|n| LOWEST + f64::from(n) * STEP)
        .map(|frequency| (frequency, tone_power(frame, frequency)))
        .fold((0.0, 0.0), |best, candidate| if candidate.1 > best.1 { candidate } else { best });
    (power >= PURE).then_some(frequency)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::sine;

    fn hear_all(detector: &mut BeepDetector, audio: &[i16]) -> Option<Beep> {
        audio.chunks(160).find_map(|frame| detector.hear(frame))
    }

    #[test]
    fn a_beep_is_heard_when_it_ends_at_any_frequency() {
        for frequency in [440.0, 850.0, 1000.0, 1412.0, 2100.0] {
            let audio = [vec![0; 800], sine(frequency, 400, 6000.0), vec![0; 1600]].concat();
            let beep = hear_all(&mut BeepDetector::new(), &audio).unwrap_or_else(|| panic!("{frequency} Hz"));
            assert!((beep.frequency - frequency).abs() <= 25.0, "{frequency}: {beep:?}");
            assert_eq!(beep.ended_at_ms, 100 + 400, "{frequency}");
        }
    }

    #[test]
    fn short_tones_quiet_tones_and_mixed_sounds_are_no_beep() {
        let short = [sine(1000.0, 100, 6000.0), vec![0; 1600]].concat();
        let quiet = [sine(1000.0, 400, 200.0), vec![0; 1600]].concat();
        let chord: Vec<i16> = sine(500.0, 600, 3000.0).iter().zip(sine(1300.0, 600, 3000.0)).map(|(a, b)| a + b).collect();
        let sequence = [sine(913.8, 300, 5000.0), sine(1370.6, 300, 5000.0), sine(1776.7, 100, 5000.0), vec![0; 1600]].concat();
        for (what, audio) in
            [("short", short), ("quiet", quiet), ("two tones at once", [chord, vec![0; 1600]].concat()), ("tones in a row", sequence)]
        {
            assert_eq!(hear_all(&mut BeepDetector::new(), &audio), None, "{what}");
        }
    }
}
