//! Call progress analysis: what answered an outbound call, heard from the
//! first seconds of its audio (8 kHz linear samples, as G.711 decodes to).
//! Pure functions of the samples fed in: no clock, no I/O, so the same
//! audio always gives the same answer.
//!
//! - [`AnswerAnalysis`]: all of them at once, the first to be sure deciding;
//! - [`AnsweringMachineDetector`]: a person or a machine;
//! - [`BeepDetector`]: the tone a machine plays before it records;
//! - [`InformationToneDetector`]: the special information tones a network
//!   plays for a number out of service.

mod answer_analysis;
mod answering_machine;
mod beep;
mod information_tones;
mod tone;

pub use answer_analysis::{Answer, AnswerAnalysis, AnswerCause, AnswerDecision};
pub use answering_machine::{AmdCause, AmdDecision, AmdSettings, AnsweredBy, AnsweringMachineDetector};
pub use beep::{Beep, BeepDetector};
pub use information_tones::InformationToneDetector;
pub use tone::{SAMPLE_RATE, mean_level, tone_power};
