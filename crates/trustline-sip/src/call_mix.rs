//! A call joined to an agent's desk with a third voice or a fourth: a
//! supervisor monitoring it, a guest in a conference, or both. The voices
//! are mixed every 20 ms for whoever may hear each. A guest hears and is
//! heard by everyone. A supervisor hears everyone; listening, nobody hears
//! them; whispering, the agent does; barging in, everyone does.

use crate::tone::FRAME;
use std::collections::VecDeque;
use trustline_telephony::MonitorMode;

/// Frames kept per voice before the oldest goes (80 ms): a voice whose
/// clock runs fast loses a frame rather than falling behind.
const BACKLOG: usize = 4;
/// Frames a voice gathers before it is heard, and again after it ran dry:
/// 20 ms more delay, so packets that arrive unevenly still play as an
/// even sound (a gap of silence in a loud voice is heard as a click).
const PRIMING: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Voice {
    /// The person on the call's own line.
    Person,
    Agent,
    Supervisor,
    Guest,
}

const VOICES: [Voice; 4] = [Voice::Person, Voice::Agent, Voice::Supervisor, Voice::Guest];

#[derive(Default)]
pub(crate) struct CallMix {
    supervisor: Option<MonitorMode>,
    guest: bool,
    queues: [Frames; 4],
}

/// One voice's frames waiting to be mixed.
#[derive(Default)]
struct Frames {
    waiting: VecDeque<[i16; FRAME]>,
    /// Whether the voice has gathered enough to be heard.
    flowing: bool,
}

impl Frames {
    fn push(&mut self, frame: [i16; FRAME]) {
        if self.waiting.len() == BACKLOG {
            self.waiting.pop_front();
        }
        self.waiting.push_back(frame);
    }

    fn next(&mut self) -> Option<[i16; FRAME]> {
        self.flowing = match self.waiting.len() {
            0 => false,
            gathered => self.flowing || gathered >= PRIMING,
        };
        if self.flowing { self.waiting.pop_front() } else { None }
    }

    fn clear(&mut self) {
        self.waiting.clear();
        self.flowing = false;
    }
}

/// What each voice hears in the next 20 ms; nothing for a voice not on
/// the call.
pub(crate) struct Mixed {
    pub to_person: [i16; FRAME],
    pub to_agent: [i16; FRAME],
    pub to_supervisor: Option<[i16; FRAME]>,
    pub to_guest: Option<[i16; FRAME]>,
}

impl CallMix {
    /// A supervisor on the call as `mode` says, or off it.
    pub fn set_supervisor(&mut self, mode: Option<MonitorMode>) {
        self.supervisor = mode;
        if mode.is_none() {
            self.queue(Voice::Supervisor).clear();
        }
    }

    /// A guest in the call, or not.
    pub fn set_guest(&mut self, present: bool) {
        self.guest = present;
        if !present {
            self.queue(Voice::Guest).clear();
        }
    }

    /// Whether there is nobody to mix for beyond the person and the agent.
    pub fn is_pair(&self) -> bool {
        self.supervisor.is_none() && !self.guest
    }

    fn present(&self, voice: Voice) -> bool {
        match voice {
            Voice::Person | Voice::Agent => true,
            Voice::Supervisor => self.supervisor.is_some(),
            Voice::Guest => self.guest,
        }
    }

    fn queue(&mut self, voice: Voice) -> &mut Frames {
        let [person, agent, supervisor, guest] = &mut self.queues;
        match voice {
            Voice::Person => person,
            Voice::Agent => agent,
            Voice::Supervisor => supervisor,
            Voice::Guest => guest,
        }
    }

    /// Takes `samples` (linear, 8 kHz) of `voice`, in 20 ms frames; a
    /// voice not on the call is dropped.
    pub fn push(&mut self, voice: Voice, samples: &[i16]) {
        if !self.present(voice) {
            return;
        }
        let queue = self.queue(voice);
        for chunk in samples.chunks(FRAME) {
            let mut frame = [0; FRAME];
            for (slot, sample) in frame.iter_mut().zip(chunk) {
                *slot = *sample;
            }
            queue.push(frame);
        }
    }

    /// The next 20 ms for each voice; a voice with nothing to play is silent.
    pub fn mix(&mut self) -> Mixed {
        let frames = VOICES.map(|voice| self.queue(voice).next().unwrap_or([0; FRAME]));
        let heard_by = |listener: Voice| {
            let mut out = [0i16; FRAME];
            for (speaker, frame) in VOICES.iter().zip(&frames) {
                if self.present(*speaker) && hears(listener, *speaker, self.supervisor) {
                    for (slot, sample) in out.iter_mut().zip(frame) {
                        *slot = slot.saturating_add(*sample);
                    }
                }
            }
            out
        };
        Mixed {
            to_person: heard_by(Voice::Person),
            to_agent: heard_by(Voice::Agent),
            to_supervisor: self.supervisor.map(|_| heard_by(Voice::Supervisor)),
            to_guest: self.guest.then(|| heard_by(Voice::Guest)),
        }
    }
}

/// Whether `listener` hears `speaker`, with a supervisor on the call as `mode` says.
fn hears(listener: Voice, speaker: Voice, mode: Option<MonitorMode>) -> bool {
    match (listener, speaker) {
        _ if listener == speaker => false,
        (Voice::Agent, Voice::Supervisor) => matches!(mode, Some(MonitorMode::Whisper | MonitorMode::Barge)),
        (_, Voice::Supervisor) => mode == Some(MonitorMode::Barge),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PERSON: i16 = 1;
    const AGENT: i16 = 10;
    const SUPERVISOR: i16 = 100;
    const GUEST: i16 = 1000;

    /// Who hears whom, as the sum of the levels each voice hears:
    /// (person, agent, supervisor, guest).
    fn heard(mode: Option<MonitorMode>, guest: bool) -> (i16, i16, Option<i16>, Option<i16>) {
        let mut mix = CallMix::default();
        mix.set_supervisor(mode);
        mix.set_guest(guest);
        for (voice, level) in [(Voice::Person, PERSON), (Voice::Agent, AGENT), (Voice::Supervisor, SUPERVISOR), (Voice::Guest, GUEST)] {
            mix.push(voice, &[level; 2 * FRAME]);
        }
        let mixed = mix.mix();
        (mixed.to_person[0], mixed.to_agent[0], mixed.to_supervisor.map(|f| f[0]), mixed.to_guest.map(|f| f[0]))
    }

    #[test]
    fn each_mode_decides_who_hears_the_supervisor() {
        use MonitorMode::*;
        assert_eq!(heard(Some(Listen), false), (AGENT, PERSON, Some(PERSON + AGENT), None));
        assert_eq!(heard(Some(Whisper), false), (AGENT, PERSON + SUPERVISOR, Some(PERSON + AGENT), None));
        assert_eq!(heard(Some(Barge), false), (AGENT + SUPERVISOR, PERSON + SUPERVISOR, Some(PERSON + AGENT), None));
    }

    #[test]
    fn a_guest_hears_and_is_heard_by_everyone_and_a_supervisor_stays_as_they_joined() {
        use MonitorMode::*;
        assert_eq!(heard(None, true), (AGENT + GUEST, PERSON + GUEST, None, Some(PERSON + AGENT)));
        let all = PERSON + AGENT + GUEST;
        assert_eq!(heard(Some(Listen), true), (AGENT + GUEST, PERSON + GUEST, Some(all), Some(PERSON + AGENT)));
        assert_eq!(heard(Some(Whisper), true), (AGENT + GUEST, PERSON + GUEST + SUPERVISOR, Some(all), Some(PERSON + AGENT)));
        assert_eq!(
            heard(Some(Barge), true),
            (AGENT + GUEST + SUPERVISOR, PERSON + GUEST + SUPERVISOR, Some(all), Some(PERSON + AGENT + SUPERVISOR))
        );
        assert_eq!(heard(None, false), (AGENT, PERSON, None, None), "a pair hears each other");
    }

    #[test]
    fn a_voice_not_on_the_call_is_not_mixed_and_one_that_leaves_is_forgotten() {
        let mut mix = CallMix::default();
        mix.push(Voice::Guest, &[GUEST; 2 * FRAME]);
        mix.set_guest(true);
        assert_eq!(mix.mix().to_person[0], 0, "a guest's voice from before they joined");
        mix.push(Voice::Guest, &[GUEST; 2 * FRAME]);
        mix.set_guest(false);
        mix.set_guest(true);
        assert_eq!(mix.mix().to_person[0], 0, "a guest's voice from before they left");
        assert!(!mix.is_pair());
        mix.set_guest(false);
        assert!(mix.is_pair());
    }

    #[test]
    fn a_voice_that_runs_ahead_loses_its_oldest_frames_and_a_silent_one_is_silence() {
        let mut mix = CallMix::default();
        for level in 1..=6 {
            mix.push(Voice::Person, &[level; FRAME]);
        }
        let levels: Vec<i16> = (0..5).map(|_| mix.mix().to_agent[0]).collect();
        assert_eq!(levels, [3, 4, 5, 6, 0]);
        // A packet of 30 ms is a frame and a half, the half padded with silence.
        mix.push(Voice::Agent, &[7; FRAME + FRAME / 2]);
        let (first, second) = (mix.mix().to_person, mix.mix().to_person);
        assert!(first.iter().all(|s| *s == 7));
        assert_eq!((second[0], second[FRAME - 1]), (7, 0));
    }

    /// Packets that come two at once then none play without a gap; a
    /// voice that ran dry gathers two frames again before it is heard.
    #[test]
    fn a_voice_is_heard_once_it_gathered_two_frames_and_then_plays_evenly() {
        let mut mix = CallMix::default();
        mix.push(Voice::Person, &[1; FRAME]);
        assert_eq!(mix.mix().to_agent[0], 0, "one frame is not enough to start");
        mix.push(Voice::Person, &[2; FRAME]);
        let mut heard = vec![mix.mix().to_agent[0]];
        for level in [3, 4] {
            // Two packets arrive together, then a tick with none.
            mix.push(Voice::Person, &[level; FRAME]);
            heard.push(mix.mix().to_agent[0]);
        }
        heard.extend((0..3).map(|_| mix.mix().to_agent[0]));
        assert_eq!(heard, [1, 2, 3, 4, 0, 0], "even, then dry");
        mix.push(Voice::Person, &[5; FRAME]);
        assert_eq!(mix.mix().to_agent[0], 0, "dry, it gathers again");
        mix.push(Voice::Person, &[6; FRAME]);
        assert_eq!((mix.mix().to_agent[0], mix.mix().to_agent[0]), (5, 6));
    }

    #[test]
    fn loud_voices_together_clip_instead_of_wrapping() {
        let mut mix = CallMix::default();
        mix.set_supervisor(Some(MonitorMode::Listen));
        mix.push(Voice::Person, &[30_000; 2 * FRAME]);
        mix.push(Voice::Agent, &[30_000; 2 * FRAME]);
        assert_eq!(mix.mix().to_supervisor.map(|f| f[0]), Some(i16::MAX));
    }
}
