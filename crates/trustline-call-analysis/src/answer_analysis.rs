//! Who or what answered, from everything heard at once: the special
//! information tones mean nobody is there, a beep means a machine however
//! short its greeting was, and otherwise the answering-machine detector
//! decides from how the answer began. The first of them to be sure decides.

use crate::answering_machine::{AmdCause, AmdSettings, AnsweringMachineDetector};
use crate::beep::BeepDetector;
use crate::information_tones::InformationToneDetector;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    Person,
    Machine,
    /// The network's tones for a number out of service or unreachable.
    InformationTones,
    /// The analysis ran out of time.
    NotSure,
}

/// What decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerCause {
    Detector(AmdCause),
    Beep,
    InformationTones,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerDecision {
    pub answer: Answer,
    pub cause: AnswerCause,
    /// Milliseconds of audio heard when it was decided.
    pub after_ms: u32,
}

#[derive(Clone, Debug)]
pub struct AnswerAnalysis {
    detector: AnsweringMachineDetector,
    beep: BeepDetector,
    tones: InformationToneDetector,
    decision: Option<AnswerDecision>,
}

impl AnswerAnalysis {
    pub fn new(settings: AmdSettings) -> Self {
        Self {
            detector: AnsweringMachineDetector::new(settings),
            beep: BeepDetector::new(),
            tones: InformationToneDetector::new(),
            decision: None,
        }
    }

    pub fn decision(&self) -> Option<AnswerDecision> {
        self.decision
    }

    /// Hears one more frame (20 ms is best); the decision once there is
    /// one, the same from then on.
    pub fn hear(&mut self, frame: &[i16]) -> Option<AnswerDecision> {
        if self.decision.is_some() {
            return self.decision;
        }
        let tones = self.tones.hear(frame);
        let beep = self.beep.hear(frame);
        let detected = self.detector.hear(frame);
        self.decision = if let Some(after_ms) = tones {
            Some(AnswerDecision { answer: Answer::InformationTones, cause: AnswerCause::InformationTones, after_ms })
        } else if let Some(beep) = beep {
            Some(AnswerDecision { answer: Answer::Machine, cause: AnswerCause::Beep, after_ms: beep.ended_at_ms })
        } else {
            detected.map(|d| AnswerDecision {
                answer: match d.answered_by {
                    crate::AnsweredBy::Person => Answer::Person,
                    crate::AnsweredBy::Machine => Answer::Machine,
                    crate::AnsweredBy::NotSure => Answer::NotSure,
                },
                cause: AnswerCause::Detector(d.cause),
                after_ms: d.after_ms,
            })
        };
        self.decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::{sine, vowel};

    fn decide(audio: &[i16]) -> AnswerDecision {
        let mut analysis = AnswerAnalysis::new(AmdSettings::default());
        audio.chunks(160).find_map(|frame| analysis.hear(frame)).expect("a decision")
    }

    #[test]
    fn a_beep_makes_a_machine_of_a_short_greeting_and_tones_say_nobody_is_there() {
        let short_greeting = [vec![0; 2400], vowel(400), vec![0; 2400], sine(1000.0, 400, 6000.0), vec![0; 8000]].concat();
        let decision = decide(&short_greeting);
        assert_eq!((decision.answer, decision.cause, decision.after_ms), (Answer::Machine, AnswerCause::Beep, 300 + 400 + 300 + 400));
        let vacant = [sine(913.8, 300, 5000.0), sine(1370.6, 300, 5000.0), sine(1776.7, 300, 5000.0), vec![0; 8000]].concat();
        assert_eq!(decide(&vacant).answer, Answer::InformationTones);
        let person = [vec![0; 2400], vowel(400), vec![0; 16000]].concat();
        assert_eq!(decide(&person).answer, Answer::Person);
    }

    proptest::proptest! {
        // Each case analyses up to five seconds of audio: fewer cases.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Any audio, cut into frames of any length, is decided by the end
        /// of the analysis time and one frame, without a panic.
        #[test]
        fn any_audio_is_decided_in_time(samples in proptest::collection::vec(proptest::num::i16::ANY, 0..44_000), frame in 1usize..640) {
            let mut analysis = AnswerAnalysis::new(AmdSettings::default());
            let mut heard = 0usize;
            for chunk in samples.chunks(frame) {
                heard += chunk.len();
                if analysis.hear(chunk).is_some() {
                    break;
                }
            }
            proptest::prop_assert!(analysis.decision().is_some() || heard < 5_000 * 8);
            proptest::prop_assert!(heard <= 5_000 * 8 + frame);
        }
    }
}
