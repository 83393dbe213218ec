//! Audio this process makes itself, 20 ms at a time: tones (in-band keys,
//! the beeps of a prompt) and the hold music a waiting caller hears.

use std::f64::consts::TAU;

/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME: usize = 160;
const RATE: f64 = 8000.0;

/// One or two sine waves that keep their phase from frame to frame.
#[derive(Clone, Debug)]
pub struct Tone {
    frequencies: [f64; 2],
    /// Peak amplitude of each wave.
    amplitude: f64,
    sample: u64,
}

impl Tone {
    pub fn new(frequencies: [f64; 2], amplitude: f64) -> Self {
        Self { frequencies, amplitude, sample: 0 }
    }

    pub fn next_frame(&mut self) -> [i16; FRAME] {
        let mut frame = [0i16; FRAME];
        for slot in &mut frame {
            let t = self.sample as f64 / RATE;
            let value: f64 = self.frequencies.iter().filter(|f| **f > 0.0).map(|f| (TAU * f * t).sin()).sum();
            *slot = (value * self.amplitude).round() as i16;
            self.sample += 1;
        }
        frame
    }
}

/// The keys' frequency pairs (ITU-T Q.23).
pub fn key_frequencies(key: char) -> Option<[f64; 2]> {
    const LOW: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
    const HIGH: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
    const PAD: [[char; 4]; 4] = [['1', '2', '3', 'A'], ['4', '5', '6', 'B'], ['7', '8', '9', 'C'], ['*', '0', '#', 'D']];
    PAD.iter().zip(LOW).find_map(|(row, low)| row.iter().zip(HIGH).find(|(k, _)| **k == key).map(|(_, high)| [low, high]))
}

/// A quiet, slow arpeggio (C major, then A minor), each note 400 ms with a
/// short fade, so a waiting caller knows the line is alive.
#[derive(Clone, Debug, Default)]
pub struct HoldMusic {
    frame: u64,
}

const NOTES: [f64; 8] = [261.63, 329.63, 392.0, 523.25, 220.0, 261.63, 329.63, 440.0];
const FRAMES_PER_NOTE: u64 = 20;
/// About -20 dBFS: present, never loud.
const MUSIC_AMPLITUDE: f64 = 3000.0;

impl HoldMusic {
    pub fn next_frame(&mut self) -> [i16; FRAME] {
        let note = NOTES.get((self.frame / FRAMES_PER_NOTE) as usize % NOTES.len()).copied().unwrap_or_default();
        let within = self.frame % FRAMES_PER_NOTE;
        // Fade the last two frames of each note out, so notes do not click.
        let level = match FRAMES_PER_NOTE - within {
            1 => 0.2,
            2 => 0.6,
            _ => 1.0,
        };
        let mut tone = Tone { frequencies: [note, 0.0], amplitude: MUSIC_AMPLITUDE * level, sample: self.frame * FRAME as u64 };
        self.frame += 1;
        tone.next_frame()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Power of `frequency` in `samples` (Goertzel).
    fn power(samples: &[i16], frequency: f64) -> f64 {
        let coefficient = 2.0 * (TAU * frequency / RATE).cos();
        let (mut previous, mut before) = (0.0, 0.0);
        for sample in samples {
            let current = f64::from(*sample) + coefficient * previous - before;
            before = previous;
            previous = current;
        }
        previous * previous + before * before - coefficient * previous * before
    }

    #[test]
    fn a_key_tone_holds_its_two_frequencies_and_not_the_others() {
        let mut tone = Tone::new(key_frequencies('5').unwrap(), 8000.0);
        let samples: Vec<i16> = (0..5).flat_map(|_| tone.next_frame()).collect();
        let (low, high) = (power(&samples, 770.0), power(&samples, 1336.0));
        for other in [697.0, 852.0, 1209.0, 1477.0] {
            assert!(low > 100.0 * power(&samples, other) && high > 100.0 * power(&samples, other), "{other}");
        }
        assert_eq!(key_frequencies('x'), None);
    }

    #[test]
    fn hold_music_changes_note_and_stays_quiet() {
        let mut music = HoldMusic::default();
        let first: Vec<i16> = (0..10).flat_map(|_| music.next_frame()).collect();
        let _ = (10..20).map(|_| music.next_frame()).count();
        let second: Vec<i16> = (0..10).flat_map(|_| music.next_frame()).collect();
        assert!(power(&first, 261.63) > 100.0 * power(&first, 329.63));
        assert!(power(&second, 329.63) > 100.0 * power(&second, 261.63));
        assert!(first.iter().chain(&second).all(|s| s.unsigned_abs() <= 3000));
    }
}
