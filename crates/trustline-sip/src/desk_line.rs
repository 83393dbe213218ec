//! Agents' desks as the edge sees them: where a call's audio goes when it
//! is bridged to an agent. Each agent has one seat, kept for as long as
//! the edge runs, so a call bridged to a desk stays bridged to it when its
//! softphone reconnects. A seat is taken by the agent's softphone session
//! (the browser's WebRTC audio), by their desk phone's line (a SIP call to
//! the phone, kept up while they work), or by a virtual agent (the demo's
//! floor agents: a recorded greeting, repeated, hearing nothing); bridging
//! to an empty seat fails.

use crate::audio_sdp::G711;
use crate::g711::ulaw_frames;
use crate::locks::lock;
use crate::media_port::MediaPort;
use crate::tone::FRAME;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use trustline_domain::{TenantId, UserId};
use trustline_softphone::{AgentVoice, DeskSession, Law};

/// The virtual agent's greeting, made by `scripts/make-prompts`.
const GREETING: &[u8] = include_bytes!("../prompts/virtual-agent.ulaw");
/// Silence between two greetings, in frames (two seconds).
const PAUSE_FRAMES: usize = 100;

/// One agent's place: who sits there, and where their voice goes.
#[derive(Default)]
pub(crate) struct Seat {
    occupant: Mutex<Occupant>,
    joined: Mutex<Joined>,
}

/// Where a seat's voice goes.
#[derive(Default)]
enum Joined {
    #[default]
    Nowhere,
    /// The call joined to the desk (or that it monitors, or confers on).
    Call(Weak<MediaPort>),
    /// A colleague's desk: one consults the other, and each hears the other.
    Desk(Weak<Seat>),
}

#[derive(Default)]
enum Occupant {
    #[default]
    Empty,
    Recorded(RecordedAgent),
    Softphone(Arc<DeskSession>),
    DeskPhone(DeskPhoneLine),
}

/// A desk phone's line at a seat: the call to the phone, hung up when the
/// line leaves the seat.
pub(crate) struct DeskPhoneLine {
    pub media: Arc<MediaPort>,
    /// Dropped with the line, it hangs the phone up.
    pub _hang_up: tokio_util::sync::DropGuard,
}

struct RecordedAgent {
    greeting: Vec<[i16; FRAME]>,
    position: usize,
}

/// What a desk gives its call in the next 20 ms.
pub(crate) enum DeskSound {
    /// A virtual agent's recorded voice.
    Recorded(Box<[i16; FRAME]>),
    /// A live agent: their voice is relayed as it arrives.
    Live,
    /// Nobody sits at the desk now (the softphone is reconnecting).
    Away,
}

impl Seat {
    pub fn is_taken(&self) -> bool {
        !matches!(*lock(&self.occupant), Occupant::Empty)
    }

    pub fn next_sound(&self) -> DeskSound {
        match &mut *lock(&self.occupant) {
            Occupant::Empty => DeskSound::Away,
            Occupant::Softphone(_) | Occupant::DeskPhone(_) => DeskSound::Live,
            Occupant::Recorded(agent) => {
                let frame = agent.greeting.get(agent.position).copied().unwrap_or([0; FRAME]);
                agent.position = (agent.position + 1) % (agent.greeting.len() + PAUSE_FRAMES);
                DeskSound::Recorded(Box::new(frame))
            }
        }
    }

    /// The call's audio, for the agent to hear.
    pub fn hear(&self, codec: G711, payload: &[u8]) {
        let session = match &*lock(&self.occupant) {
            Occupant::Softphone(session) => session.clone(),
            Occupant::DeskPhone(line) => {
                let media = line.media.clone();
                return media.play_heard(codec, payload);
            }
            Occupant::Empty | Occupant::Recorded(_) => return,
        };
        let law = law_of(codec);
        if session.takes(law) {
            session.play(law, payload);
        } else {
            let other = if codec == G711::Pcmu { G711::Pcma } else { G711::Pcmu };
            session.play(law_of(other), &codec.recode(payload, other));
        }
    }

    /// The call the agent's voice goes to from now on (a colleague linked
    /// to this desk is no longer).
    pub fn connect(&self, call: &Arc<MediaPort>) {
        self.join(Joined::Call(Arc::downgrade(call)));
    }

    /// Where the voice goes from now on; a colleague's desk linked to this
    /// one is let go, so it no longer talks into this desk.
    fn join(&self, to: Joined) {
        let before = std::mem::replace(&mut *lock(&self.joined), to);
        if let Joined::Desk(colleague) = before
            && let Some(colleague) = colleague.upgrade()
        {
            let mut theirs = lock(&colleague.joined);
            if matches!(&*theirs, Joined::Desk(linked) if std::ptr::eq(linked.as_ptr(), self)) {
                *theirs = Joined::Nowhere;
            }
        }
    }

    /// Whether the voice goes anywhere now.
    fn is_joined(&self) -> bool {
        match &*lock(&self.joined) {
            Joined::Nowhere => false,
            Joined::Call(call) => call.strong_count() > 0,
            Joined::Desk(seat) => seat.strong_count() > 0,
        }
    }

    fn sit(&self, occupant: Occupant) {
        // The previous softphone session, dropped here, hangs up.
        drop(std::mem::replace(&mut *lock(&self.occupant), occupant));
    }

    /// Empties the seat if `session` still sits there.
    fn leave(&self, session: &Weak<DeskSession>) {
        let mut occupant = lock(&self.occupant);
        if matches!(&*occupant, Occupant::Softphone(seated) if Weak::ptr_eq(&Arc::downgrade(seated), session)) {
            *occupant = Occupant::Empty;
        }
    }
}

fn law_of(codec: G711) -> Law {
    match codec {
        G711::Pcmu => Law::Ulaw,
        G711::Pcma => Law::Alaw,
    }
}

fn codec_of(law: Law) -> G711 {
    match law {
        Law::Ulaw => G711::Pcmu,
        Law::Alaw => G711::Pcma,
    }
}

/// The agent's voice, from their softphone to the call joined to their seat.
pub(crate) struct SeatVoice(Weak<Seat>);

impl SeatVoice {
    /// The agent spoke into their desk phone.
    pub fn spoke_in(&self, codec: G711, payload: &[u8]) {
        self.spoke(law_of(codec), payload);
    }

    /// Whether the seat talks to a call or a colleague now.
    pub fn has_call(&self) -> bool {
        self.0.upgrade().is_some_and(|seat| seat.is_joined())
    }
}

impl AgentVoice for SeatVoice {
    fn spoke(&self, law: Law, payload: &[u8]) {
        let Some(seat) = self.0.upgrade() else { return };
        enum To {
            Call(Arc<MediaPort>),
            Desk(Arc<Seat>),
        }
        let to = match &*lock(&seat.joined) {
            Joined::Nowhere => None,
            Joined::Call(call) => call.upgrade().map(To::Call),
            Joined::Desk(colleague) => colleague.upgrade().map(To::Desk),
        };
        match to {
            Some(To::Call(call)) => call.desk_spoke(&seat, codec_of(law), payload),
            Some(To::Desk(colleague)) => colleague.hear(codec_of(law), payload),
            None => {}
        }
    }
}

/// Every agent's seat, by tenant and agent.
#[derive(Default)]
pub(crate) struct Desks {
    seats: Mutex<HashMap<(TenantId, UserId), Arc<Seat>>>,
}

impl Desks {
    fn seat(&self, tenant: TenantId, agent: UserId) -> Arc<Seat> {
        lock(&self.seats).entry((tenant, agent)).or_default().clone()
    }

    pub fn seat_virtual_agent(&self, tenant: TenantId, agent: UserId) {
        let greeting = ulaw_frames(GREETING);
        self.seat(tenant, agent).sit(Occupant::Recorded(RecordedAgent { greeting, position: 0 }));
    }

    /// Where a softphone about to open for `agent` sends their voice.
    pub fn voice_of(&self, tenant: TenantId, agent: UserId) -> SeatVoice {
        SeatVoice(Arc::downgrade(&self.seat(tenant, agent)))
    }

    /// Seats `session` at `agent`'s desk in place of whoever sat there, and
    /// empties the seat when the session ends.
    pub fn seat_softphone(&self, tenant: TenantId, agent: UserId, session: DeskSession) {
        let ended = session.ended();
        let session = Arc::new(session);
        let weak = Arc::downgrade(&session);
        let seat = self.seat(tenant, agent);
        seat.sit(Occupant::Softphone(session));
        tokio::spawn(async move {
            ended.await;
            seat.leave(&weak);
        });
    }

    /// Seats `line` (a desk phone's answered call) at `agent`'s desk in
    /// place of whoever sat there; `over` ends when it leaves the seat.
    pub fn seat_desk_phone(&self, tenant: TenantId, agent: UserId, line: DeskPhoneLine) {
        self.seat(tenant, agent).sit(Occupant::DeskPhone(line));
    }

    /// Empties `agent`'s seat if the desk phone line on `media` sits there.
    pub fn unseat_desk_phone(&self, tenant: TenantId, agent: UserId, media: &Arc<MediaPort>) {
        let Some(seat) = lock(&self.seats).get(&(tenant, agent)).cloned() else { return };
        let mut occupant = lock(&seat.occupant);
        if matches!(&*occupant, Occupant::DeskPhone(line) if Arc::ptr_eq(&line.media, media)) {
            *occupant = Occupant::Empty;
        }
    }

    pub fn unseat(&self, tenant: TenantId, agent: UserId) {
        if let Some(seat) = lock(&self.seats).get(&(tenant, agent)) {
            seat.sit(Occupant::Empty);
        }
    }

    /// The softphone session seated at `agent`'s desk, if any.
    pub fn softphone_of(&self, tenant: TenantId, agent: UserId) -> Option<Arc<DeskSession>> {
        let seat = lock(&self.seats).get(&(tenant, agent)).cloned()?;
        match &*lock(&seat.occupant) {
            Occupant::Softphone(session) => Some(session.clone()),
            Occupant::Empty | Occupant::Recorded(_) | Occupant::DeskPhone(_) => None,
        }
    }

    /// Softphone sessions seated now.
    pub fn softphones(&self) -> usize {
        lock(&self.seats)
            .values()
            .filter(|seat| matches!(&*lock(&seat.occupant), Occupant::Softphone(session) if !session.is_ended()))
            .count()
    }

    /// Links the desks of `agent` and `colleague`: each hears the other
    /// until either is joined to a call or unlinked. `false` unless both
    /// are seated (and are two).
    pub fn link(&self, tenant: TenantId, agent: UserId, colleague: UserId) -> bool {
        let (Some(one), Some(other)) = (self.seated(tenant, agent), self.seated(tenant, colleague)) else { return false };
        if Arc::ptr_eq(&one, &other) {
            return false;
        }
        one.join(Joined::Desk(Arc::downgrade(&other)));
        other.join(Joined::Desk(Arc::downgrade(&one)));
        true
    }

    /// Takes `agent`'s desk off whatever it talks to: a colleague's desk
    /// (both ways), or a call it joined as a conference's guest (which
    /// would otherwise still count as its call).
    pub fn unlink(&self, tenant: TenantId, agent: UserId) {
        if let Some(seat) = lock(&self.seats).get(&(tenant, agent)).cloned() {
            seat.join(Joined::Nowhere);
        }
    }

    /// The agent's seat, if somebody sits there.
    pub fn seated(&self, tenant: TenantId, agent: UserId) -> Option<Arc<Seat>> {
        lock(&self.seats).get(&(tenant, agent)).filter(|seat| seat.is_taken()).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{IpAddr, Ipv4Addr};
    use tokio_util::sync::CancellationToken;

    const TENANT: TenantId = TenantId(1);
    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    async fn call() -> Arc<MediaPort> {
        let socket = tokio::net::UdpSocket::bind((LOOPBACK, 0)).await.unwrap();
        MediaPort::open(socket, LOOPBACK, LOOPBACK, false, Arc::default(), CancellationToken::new()).unwrap()
    }

    #[tokio::test]
    async fn linked_desks_hear_each_other_until_either_goes_elsewhere() {
        let desks = Desks::default();
        let (ada, sam, kim) = (UserId(1), UserId(2), UserId(3));
        for agent in [ada, sam, kim] {
            desks.seat_virtual_agent(TENANT, agent);
        }
        let talks = |agent| desks.voice_of(TENANT, agent).has_call();
        assert!(!desks.link(TENANT, ada, ada), "a desk is not its own colleague");
        assert!(!desks.link(TENANT, ada, UserId(9)), "nobody sits there");
        assert!(desks.link(TENANT, ada, sam));
        assert!(talks(ada) && talks(sam));

        // Sam's desk joins a call (a conference's guest): Ada's link to it goes.
        let conference = call().await;
        desks.seated(TENANT, sam).unwrap().connect(&conference);
        assert!(!talks(ada) && talks(sam));
        // Taken off, Sam's desk talks to nothing, though the call goes on.
        desks.unlink(TENANT, sam);
        assert!(!talks(sam));

        // A new link lets the old one go, both ways.
        assert!(desks.link(TENANT, ada, kim) && desks.link(TENANT, ada, sam));
        assert!(talks(ada) && talks(sam) && !talks(kim));
        desks.unlink(TENANT, ada);
        assert!(!talks(ada) && !talks(sam), "unlinked both ways");
    }
}
