//! A supervisor on an agent's call: three voices (the caller, the agent,
//! the supervisor) mixed every 20 ms for whoever may hear each. Listening,
//! the supervisor hears both and nobody hears them; whispering, the agent
//! hears them too but the caller does not; barging in, everyone hears
//! everyone.

use crate::tone::FRAME;
use std::collections::VecDeque;
use trustline_telephony::MonitorMode;

/// Frames kept per voice before the oldest goes (60 ms): a voice whose
/// clock runs fast loses a frame rather than falling behind.
const BACKLOG: usize = 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Voice {
    Caller,
    Agent,
    Supervisor,
}

pub(crate) struct MonitorMix {
    pub mode: MonitorMode,
    caller: VecDeque<[i16; FRAME]>,
    agent: VecDeque<[i16; FRAME]>,
    supervisor: VecDeque<[i16; FRAME]>,
}

/// What each party hears in the next 20 ms.
pub(crate) struct Mixed {
    pub to_caller: [i16; FRAME],
    pub to_agent: [i16; FRAME],
    pub to_supervisor: [i16; FRAME],
}

impl MonitorMix {
    pub fn new(mode: MonitorMode) -> Self {
        Self { mode, caller: VecDeque::new(), agent: VecDeque::new(), supervisor: VecDeque::new() }
    }

    /// Takes `samples` (linear, 8 kHz) of `voice`, in 20 ms frames.
    pub fn push(&mut self, voice: Voice, samples: &[i16]) {
        let queue = match voice {
            Voice::Caller => &mut self.caller,
            Voice::Agent => &mut self.agent,
            Voice::Supervisor => &mut self.supervisor,
        };
        for chunk in samples.chunks(FRAME) {
            let mut frame = [0; FRAME];
            for (slot, sample) in frame.iter_mut().zip(chunk) {
                *slot = *sample;
            }
            if queue.len() == BACKLOG {
                queue.pop_front();
            }
            queue.push_back(frame);
        }
    }

    /// The next 20 ms for each party; a voice with nothing queued is silent.
    pub fn mix(&mut self) -> Mixed {
        let silence = [0; FRAME];
        let caller = self.caller.pop_front().unwrap_or(silence);
        let agent = self.agent.pop_front().unwrap_or(silence);
        let supervisor = self.supervisor.pop_front().unwrap_or(silence);
        let heard_by_agent = if self.mode == MonitorMode::Listen { silence } else { supervisor };
        let heard_by_caller = if self.mode == MonitorMode::Barge { supervisor } else { silence };
        Mixed { to_caller: sum(&agent, &heard_by_caller), to_agent: sum(&caller, &heard_by_agent), to_supervisor: sum(&caller, &agent) }
    }
}

fn sum(a: &[i16; FRAME], b: &[i16; FRAME]) -> [i16; FRAME] {
    let mut out = [0; FRAME];
    for ((slot, x), y) in out.iter_mut().zip(a).zip(b) {
        *slot = x.saturating_add(*y);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLER: i16 = 1;
    const AGENT: i16 = 10;
    const SUPERVISOR: i16 = 100;

    /// Who hears whom, as the sum of the levels each party hears.
    fn heard(mode: MonitorMode) -> (i16, i16, i16) {
        let mut mix = MonitorMix::new(mode);
        mix.push(Voice::Caller, &[CALLER; FRAME]);
        mix.push(Voice::Agent, &[AGENT; FRAME]);
        mix.push(Voice::Supervisor, &[SUPERVISOR; FRAME]);
        let mixed = mix.mix();
        (mixed.to_caller[0], mixed.to_agent[0], mixed.to_supervisor[0])
    }

    #[test]
    fn each_mode_decides_who_hears_the_supervisor() {
        // (caller hears, agent hears, supervisor hears)
        assert_eq!(heard(MonitorMode::Listen), (AGENT, CALLER, CALLER + AGENT));
        assert_eq!(heard(MonitorMode::Whisper), (AGENT, CALLER + SUPERVISOR, CALLER + AGENT));
        assert_eq!(heard(MonitorMode::Barge), (AGENT + SUPERVISOR, CALLER + SUPERVISOR, CALLER + AGENT));
    }

    #[test]
    fn a_voice_that_runs_ahead_loses_its_oldest_frames_and_a_silent_one_is_silence() {
        let mut mix = MonitorMix::new(MonitorMode::Barge);
        for level in 1..=5 {
            mix.push(Voice::Caller, &[level; FRAME]);
        }
        let levels: Vec<i16> = (0..4).map(|_| mix.mix().to_agent[0]).collect();
        assert_eq!(levels, [3, 4, 5, 0]);
        // A packet of 30 ms is a frame and a half, the half padded with silence.
        mix.push(Voice::Agent, &[7; FRAME + FRAME / 2]);
        let (first, second) = (mix.mix().to_caller, mix.mix().to_caller);
        assert!(first.iter().all(|s| *s == 7));
        assert_eq!((second[0], second[FRAME - 1]), (7, 0));
    }

    #[test]
    fn loud_voices_together_clip_instead_of_wrapping() {
        let mut mix = MonitorMix::new(MonitorMode::Listen);
        mix.push(Voice::Caller, &[30_000; FRAME]);
        mix.push(Voice::Agent, &[30_000; FRAME]);
        assert_eq!(mix.mix().to_supervisor[0], i16::MAX);
    }
}
