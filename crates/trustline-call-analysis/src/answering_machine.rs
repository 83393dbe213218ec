//! A person or an answering machine, from how the answer begins. The method
//! is the one Asterisk's `app_amd` made the common yardstick, with its
//! defaults: a person says a word or two ("Hello?") and then waits for the
//! caller; a machine plays a long greeting, several words in a row, or
//! nothing at all for seconds. Audio is cut into words by loudness: a word
//! is a run of frames louder than the silence threshold lasting at least
//! the minimum word length, and it ends after a short silence.

use crate::tone::{duration_ms, mean_level};

/// The thresholds, in milliseconds of audio unless named otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmdSettings {
    /// Silence from the answer this long: a machine (a person speaks first).
    pub initial_silence_ms: u32,
    /// Speech in the greeting this long in all: a machine.
    pub greeting_ms: u32,
    /// Silence this long after the greeting: a person waiting for the caller.
    pub after_greeting_silence_ms: u32,
    /// No decision within this: not sure.
    pub total_analysis_ms: u32,
    /// Sound shorter than this is not a word (a click, a breath).
    pub minimum_word_ms: u32,
    /// Silence this long ends a word.
    pub between_words_silence_ms: u32,
    /// This many words: a machine.
    pub maximum_words: u32,
    /// One word this long: a machine.
    pub maximum_word_ms: u32,
    /// Frames whose mean magnitude is below this are silence.
    pub silence_threshold: u32,
}

impl AmdSettings {
    /// The method's published defaults (Asterisk's `amd.conf`): two words
    /// make a machine, which takes most people who answer with two words
    /// ("Good afternoon", "Yes, who's calling?") for machines
    /// (docs/benchmarks.md).
    pub fn classic() -> Self {
        Self {
            initial_silence_ms: 2_500,
            greeting_ms: 1_500,
            after_greeting_silence_ms: 800,
            total_analysis_ms: 5_000,
            minimum_word_ms: 100,
            between_words_silence_ms: 50,
            maximum_words: 2,
            maximum_word_ms: 5_000,
            silence_threshold: 256,
        }
    }
}

/// The classic thresholds with four words to make a machine: machines are
/// still caught by their long greetings, and people's short answers are no
/// longer counted as words of one (measured on the corpus of
/// `trustline bench amd`).
impl Default for AmdSettings {
    fn default() -> Self {
        Self { maximum_words: 4, ..Self::classic() }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnsweredBy {
    Person,
    Machine,
    /// The analysis ran out of time.
    NotSure,
}

/// Why the detector decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AmdCause {
    /// A word or two, then the silence of someone waiting.
    SilenceAfterGreeting,
    /// Nothing said for the initial silence.
    InitialSilence,
    /// The greeting's speech went on too long.
    LongGreeting,
    /// Too many words.
    TooManyWords,
    /// One word went on too long (a tone, a noise).
    LongWord,
    /// No decision within the analysis time.
    TooLong,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmdDecision {
    pub answered_by: AnsweredBy,
    pub cause: AmdCause,
    /// Milliseconds of audio heard when it was decided.
    pub after_ms: u32,
}

/// Fed the answer's audio frame by frame (any length; 20 ms is usual);
/// decides once.
#[derive(Clone, Debug)]
pub struct AnsweringMachineDetector {
    settings: AmdSettings,
    heard_ms: u32,
    /// Nothing louder than silence has lasted a word yet.
    before_greeting: bool,
    in_word: bool,
    words: u32,
    /// The current run of silence, and of sound.
    silence_ms: u32,
    sound_ms: u32,
    /// All the speech heard since the greeting began.
    speech_ms: u32,
    decision: Option<AmdDecision>,
}

impl AnsweringMachineDetector {
    pub fn new(settings: AmdSettings) -> Self {
        Self {
            settings,
            heard_ms: 0,
            before_greeting: true,
            in_word: false,
            words: 0,
            silence_ms: 0,
            sound_ms: 0,
            speech_ms: 0,
            decision: None,
        }
    }

    /// The decision, once made.
    pub fn decision(&self) -> Option<AmdDecision> {
        self.decision
    }

    /// Hears one more frame; the decision once there is one (the same one
    /// from then on, whatever follows).
    pub fn hear(&mut self, frame: &[i16]) -> Option<AmdDecision> {
        if self.decision.is_some() || frame.is_empty() {
            return self.decision;
        }
        let length = duration_ms(frame);
        self.heard_ms = self.heard_ms.saturating_add(length);
        let verdict = if mean_level(frame) < self.settings.silence_threshold { self.silence(length) } else { self.sound(length) };
        let verdict =
            verdict.or_else(|| (self.heard_ms >= self.settings.total_analysis_ms).then_some((AnsweredBy::NotSure, AmdCause::TooLong)));
        self.decision = verdict.map(|(answered_by, cause)| AmdDecision { answered_by, cause, after_ms: self.heard_ms });
        self.decision
    }

    fn silence(&mut self, length: u32) -> Option<(AnsweredBy, AmdCause)> {
        let s = self.settings;
        self.silence_ms = self.silence_ms.saturating_add(length);
        self.sound_ms = 0;
        if self.silence_ms >= s.between_words_silence_ms {
            self.in_word = false;
        }
        if self.before_greeting && self.silence_ms >= s.initial_silence_ms {
            return Some((AnsweredBy::Machine, AmdCause::InitialSilence));
        }
        if !self.before_greeting && self.silence_ms >= s.after_greeting_silence_ms {
            return Some((AnsweredBy::Person, AmdCause::SilenceAfterGreeting));
        }
        None
    }

    fn sound(&mut self, length: u32) -> Option<(AnsweredBy, AmdCause)> {
        let s = self.settings;
        self.sound_ms = self.sound_ms.saturating_add(length);
        self.speech_ms = self.speech_ms.saturating_add(length);
        if self.sound_ms >= s.minimum_word_ms {
            // A word is under way: what silence there was is over.
            self.silence_ms = 0;
            self.before_greeting = false;
            if !self.in_word {
                self.in_word = true;
                self.words += 1;
            }
        }
        if self.sound_ms >= s.maximum_word_ms {
            return Some((AnsweredBy::Machine, AmdCause::LongWord));
        }
        if self.words >= s.maximum_words {
            return Some((AnsweredBy::Machine, AmdCause::TooManyWords));
        }
        if !self.before_greeting && self.speech_ms >= s.greeting_ms {
            return Some((AnsweredBy::Machine, AmdCause::LongGreeting));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::sine;

    fn silence(ms: u32) -> Vec<i16> {
        vec![0; (ms * 8) as usize]
    }

    fn decide(audio: &[i16]) -> AmdDecision {
        let mut detector = AnsweringMachineDetector::new(AmdSettings::default());
        for frame in audio.chunks(160) {
            if let Some(decision) = detector.hear(frame) {
                return decision;
            }
        }
        panic!("no decision after {} ms", audio.len() / 8);
    }

    fn voice(ms: u32) -> Vec<i16> {
        sine(300.0, ms, 4000.0)
    }

    #[test]
    fn hello_then_waiting_is_a_person() {
        let audio = [silence(400), voice(500), silence(1500)].concat();
        let decision = decide(&audio);
        assert_eq!((decision.answered_by, decision.cause), (AnsweredBy::Person, AmdCause::SilenceAfterGreeting));
        assert_eq!(decision.after_ms, 400 + 500 + 800);
    }

    #[test]
    fn a_long_greeting_many_words_or_silence_is_a_machine() {
        let cases = [
            ([silence(300), voice(1600)].concat(), AmdCause::LongGreeting),
            (
                [silence(300), voice(200), silence(100), voice(200), silence(100), voice(200), silence(100), voice(200)].concat(),
                AmdCause::TooManyWords,
            ),
            (silence(3000), AmdCause::InitialSilence),
        ];
        for (audio, cause) in cases {
            let decision = decide(&audio);
            assert_eq!((decision.answered_by, decision.cause), (AnsweredBy::Machine, cause));
        }
        let long = AmdSettings { maximum_word_ms: 1_000, greeting_ms: 4_000, ..AmdSettings::default() };
        let mut detector = AnsweringMachineDetector::new(long);
        let decision = voice(1200).chunks(160).find_map(|frame| detector.hear(frame)).unwrap();
        assert_eq!(decision.cause, AmdCause::LongWord);
    }

    #[test]
    fn a_click_or_a_breath_is_no_word_and_a_short_gap_splits_none() {
        // 60 ms of sound is no word: still the initial silence.
        let decision = decide(&[silence(1000), voice(60), silence(2000)].concat());
        assert_eq!((decision.answered_by, decision.cause), (AnsweredBy::Machine, AmdCause::InitialSilence));
        // A 40 ms dip inside a word does not make two words.
        let decision = decide(&[voice(300), silence(40), voice(300), silence(1000)].concat());
        assert_eq!((decision.answered_by, decision.cause), (AnsweredBy::Person, AmdCause::SilenceAfterGreeting));
    }

    #[test]
    fn undecided_audio_is_not_sure_at_the_analysis_limit_and_the_decision_stays() {
        let settings = AmdSettings { total_analysis_ms: 600, ..AmdSettings::default() };
        let mut detector = AnsweringMachineDetector::new(settings);
        let audio = silence(1000);
        let decision = audio.chunks(160).find_map(|frame| detector.hear(frame)).unwrap();
        assert_eq!((decision.answered_by, decision.cause, decision.after_ms), (AnsweredBy::NotSure, AmdCause::TooLong, 600));
        assert_eq!(detector.hear(&voice(2000)), Some(decision), "decided once");
        assert_eq!(detector.decision(), Some(decision));
    }

    proptest::proptest! {
        /// Whatever the audio and however it is cut into frames, a
        /// decision comes within the analysis time (and one frame).
        #[test]
        fn any_audio_is_decided_within_the_analysis_time(
            levels in proptest::collection::vec(0i16..12_000, 1..400),
            frame in 1usize..400,
        ) {
            let audio: Vec<i16> = levels.iter().flat_map(|level| std::iter::repeat_n(*level, 80)).collect();
            let mut detector = AnsweringMachineDetector::new(AmdSettings::classic());
            let mut heard = 0usize;
            for chunk in audio.chunks(frame) {
                heard += chunk.len();
                if detector.hear(chunk).is_some() {
                    break;
                }
            }
            let limit = 5_000 * 8 + frame;
            proptest::prop_assert!(detector.decision().is_some() || heard < 5_000 * 8, "no decision after {heard} samples");
            proptest::prop_assert!(heard <= limit);
        }
    }
}
