//! Measures of a frame of audio: its loudness, and how much of it is one
//! frequency (Goertzel's algorithm, one frequency at a time).

/// Samples per second of the audio analysed (narrowband telephony).
pub const SAMPLE_RATE: u32 = 8_000;

/// The mean of the samples' magnitudes: the loudness the silence threshold
/// is compared with (256 is quiet speech's floor on a phone line).
pub fn mean_level(samples: &[i16]) -> u32 {
    if samples.is_empty() {
        return 0;
    }
    let total: u64 = samples.iter().map(|s| u64::from(s.unsigned_abs())).sum();
    u32::try_from(total / samples.len() as u64).unwrap_or(u32::MAX)
}

/// The share of the frame's energy at `frequency` (0 to about 1: 1 for a
/// pure tone at that frequency over the whole frame).
pub fn tone_power(samples: &[i16], frequency: f64) -> f64 {
    let energy: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    if energy == 0.0 {
        return 0.0;
    }
    let coefficient = 2.0 * (std::f64::consts::TAU * frequency / f64::from(SAMPLE_RATE)).cos();
    let (mut previous, mut before) = (0.0, 0.0);
    for sample in samples {
        let current = f64::from(*sample) + coefficient * previous - before;
        before = previous;
        previous = current;
    }
    let power = previous * previous + before * before - coefficient * previous * before;
    power / (samples.len() as f64 / 2.0 * energy)
}

/// Milliseconds of audio in `samples`.
pub(crate) fn duration_ms(samples: &[i16]) -> u32 {
    u32::try_from(samples.len() as u64 * 1000 / u64::from(SAMPLE_RATE)).unwrap_or(u32::MAX)
}

#[cfg(test)]
pub(crate) fn sine(frequency: f64, ms: u32, amplitude: f64) -> Vec<i16> {
    let count = ms * SAMPLE_RATE / 1000;
    (0..count).map(|n| (amplitude * (std::f64::consts::TAU * frequency * f64::from(n) / f64::from(SAMPLE_RATE)).sin()) as i16).collect()
}

/// Something voice-like: a 140 Hz voice's first harmonics together, no
/// one of them a pure tone.
#[cfg(test)]
pub(crate) fn vowel(ms: u32) -> Vec<i16> {
    let harmonics: Vec<Vec<i16>> = (1..=6).map(|h| sine(140.0 * f64::from(h), ms, 1500.0)).collect();
    (0..harmonics[0].len()).map(|n| harmonics.iter().map(|h| h[n]).sum()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pure_tone_is_all_at_its_frequency_and_none_elsewhere() {
        let tone = sine(1000.0, 20, 8000.0);
        assert!(tone_power(&tone, 1000.0) > 0.9, "{}", tone_power(&tone, 1000.0));
        assert!(tone_power(&tone, 1400.0) < 0.05, "{}", tone_power(&tone, 1400.0));
        assert_eq!(tone_power(&[0; 160], 1000.0), 0.0);
        assert_eq!(mean_level(&[]), 0);
        assert!((4700..5200).contains(&mean_level(&tone)), "{}", mean_level(&tone));
        assert_eq!(duration_ms(&tone), 20);
    }
}
