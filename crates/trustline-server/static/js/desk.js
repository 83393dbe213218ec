// The agent desk: the agent's state, the contact they work (masked until
// connected; an audited reveal with a reason), the script, call controls,
// and the disposition. New work is noticed on the agent's own feed of
// changes, so it arrives without reloading the page.

import { api, attempt, el, follow, say, situation, timeIn, whenHere } from './api.js';
import * as softphone from './softphone.js';

const $ = (id) => document.getElementById(id);
// The desk is a softphone where calls carry audio (else they are simulated).
const PHONE = $('phone') !== null;
const ACTIVE = ['reserved', 'on_call', 'wrap_up'];
// How calls ended, in words.
const RESULTS = {
  person: 'talked', no_answer: 'no answer', busy: 'busy', machine: 'answering machine', abandoned: 'abandoned (no agent in time)',
  rejected: 'rejected by the network', failed: 'failed', lost: 'lost with its server', skipped: 'skipped', cancelled: 'cancelled by the agent', closed: 'queue closed', transferred: 'transferred',
};
const MONITOR_WORDS = { listen: 'is listening', whisper: 'is listening and can whisper to you', barge: 'has joined the call' };
const STATE_WORDS = { offline: 'offline', available: 'available', reserved: 'reserved for a call', on_call: 'on a call', wrap_up: 'in wrap-up', break: 'on a break' };
let agent = null;
let seen = '';
let work = null;
// An incoming call's answer time: when it ends by this page's clock, and how long it is.
let offer = null;
// When the call entered its state, and the person went on hold, by this page's clock.
let timers = { state: null, hold: null, wrapUpEnds: null };

// Incoming offers announce themselves, also when the agent looks at another
// tab: a ring (two tones made here, no file), a flashing title, and a
// browser notification while the tab is in the background (permission asked
// once, at Start work, which is also the gesture browsers want before sound).
const TITLE = document.title;
let sound = null;
let alerting = null;

function prepareAlerts() {
  sound ??= new AudioContext();
  if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission();
}

function ring() {
  if (!sound) return;
  const at = sound.currentTime;
  for (const [pitch, start] of [[880, 0], [660, 0.25]]) {
    const tone = sound.createOscillator();
    const volume = sound.createGain();
    tone.frequency.value = pitch;
    volume.gain.value = 0.1;
    tone.connect(volume).connect(sound.destination);
    tone.start(at + start);
    tone.stop(at + start + 0.2);
  }
}

function announce(ringing, from) {
  if (ringing && alerting === null) {
    if (document.hidden && 'Notification' in window && Notification.permission === 'granted') {
      const note = new Notification('Incoming call', { body: from ? `Incoming call ${from}` : 'Answer it at your desk.', tag: 'trustline-offer' });
      note.onclick = () => window.focus();
    }
    let lit = false;
    const flash = () => {
      lit = !lit;
      document.title = lit ? `Incoming call · ${TITLE}` : TITLE;
      if (lit) ring();
    };
    flash();
    alerting = setInterval(flash, 1000);
  } else if (!ringing && alerting !== null) {
    clearInterval(alerting);
    alerting = null;
    document.title = TITLE;
  }
}

function show(node, visible) {
  node.hidden = !visible;
}

// The agent's state and the call they work: a message said in one is stale in another.
function moved() {
  situation(`${agent?.state ?? ''}:${work?.call?.id ?? ''}`);
}

function renderState() {
  moved();
  $('agent-state').textContent = (STATE_WORDS[agent.state] ?? agent.state) + (agent.reason ? ` (${agent.reason})` : '');
  $('state-since').textContent = agent.since ? `since ${whenHere(agent.since)}` : '';
  $('start-work').textContent = '';
  $('start-work').append(agent.state === 'break' ? 'End the break ' : 'Start work ', el('kbd', {}, 'A'));
  $('start-work').disabled = !['offline', 'logged_out', 'break'].includes(agent.state);
  $('take-break').disabled = !['available', 'wrap_up'].includes(agent.state);
  $('stop-work').disabled = !['available', 'break'].includes(agent.state);
  $('next-contact').disabled = agent.state !== 'available';
  $('manual-call-button').disabled = agent.state !== 'available';
  window.dispatchEvent(new CustomEvent('trustline:agent', { detail: { view: agent, from: 'desk' } }));
}

function field(label, value) {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return [];
  const text = typeof value === 'object' && !Array.isArray(value) ? Object.values(value).filter(Boolean).join(', ') : [value].flat().join(', ');
  return [el('dt', {}, label), el('dd', {}, text)];
}

function renderContact(contact) {
  $('contact-fields').replaceChildren(
    ...field('Name', contact.name), ...field('Phone', contact.phones), ...field('Email', contact.email),
    ...field('Address', contact.address), ...field('Language', contact.language),
    ...field('Their time now', contact.time_zone && timeIn(contact.time_zone) ? `${timeIn(contact.time_zone)} (${contact.time_zone})` : null),
    ...Object.entries(contact.custom ?? {}).flatMap(([name, value]) => field(name, value)),
    ...field('Consent', contact.consent?.consent), ...(contact.masked ? [el('dt', {}, 'Shown'), el('dd', {}, 'masked')] : []),
  );
  show($('reveal-form'), contact.masked);
}

function renderWork() {
  moved();
  const call = work?.call;
  const consultedBy = call ? null : work?.consulted_by ?? null;
  show($('consulted'), Boolean(consultedBy));
  if (consultedBy) {
    $('consulted-state').textContent = consultedBy.conference
      ? `In conference with ${consultedBy.agent.name} and their caller.`
      : `${consultedBy.agent.name} is consulting you; their caller waits on hold.`;
  }
  show($('idle'), !call && !consultedBy);
  show($('contact'), Boolean(call));
  show($('disposition'), call?.state === 'wrap_up');
  if (!call) {
    announce(false);
    offer = null;
    timers = { state: null, hold: null, wrapUpEnds: null };
    tick();
    $('script').replaceChildren(el('p', { class: 'muted' }, 'The script of the campaign or queue shows here.'));
    return;
  }
  const source = work.campaign ?? work.queue;
  const held = call.state === 'connected' && call.held_since !== null;
  $('call-state').textContent = call.state.replace('_', ' ') + (held ? ' (on hold)' : '');
  $('hold').hidden = call.state !== 'connected';
  $('hold').setAttribute('aria-pressed', String(held));
  $('hold').replaceChildren(held ? 'Take back ' : 'Hold ', el('kbd', {}, 'P'));
  $('call-source').textContent = source ? `· ${work.campaign ? 'campaign' : 'queue'} ${source.name}` : '';
  const incoming = call.state === 'offered' && call.direction === 'inbound';
  $('dial').hidden = call.state !== 'offered' || incoming;
  $('skip').hidden = call.state !== 'offered' || incoming;
  $('dial').disabled = false;
  $('skip').disabled = false;
  $('cancel-dial').hidden = call.state !== 'ringing';
  const started = (seconds) => (Number.isFinite(seconds) ? performance.now() - seconds * 1000 : null);
  timers = {
    state: started(work.in_state_for),
    hold: started(work.on_hold_for),
    wrapUpEnds: Number.isFinite(work.wrap_up_within) ? performance.now() + work.wrap_up_within * 1000 : null,
  };
  tick();
  $('accept').hidden = !incoming;
  $('decline').hidden = !incoming;
  show($('incoming'), incoming);
  offer = incoming && Number.isFinite(work.answer_within)
    ? { ends: performance.now() + work.answer_within * 1000, seconds: Math.max(work.answer_within, 1) }
    : null;
  if (incoming) $('incoming-source').textContent = source ? `for ${source.name}` : '';
  announce(incoming, source ? `for ${source.name}` : '');
  countDown();
  $('hang-up').hidden = call.state !== 'connected';
  // Agents are told who monitors their conversation (as the call was last read).
  const monitors = new Map((work.monitoring ?? []).map((line) => [line.supervisor ?? 'a supervisor', line.mode]));
  const watching = [...monitors].filter(([, mode]) => mode !== 'stop').map(([who, mode]) => `${who} ${MONITOR_WORDS[mode] ?? mode}`);
  $('monitored').textContent = watching.length ? `Monitored: ${watching.join('; ')}.` : '';
  if (PHONE) $('dial-pad').hidden = call.state !== 'connected' || held;
  const consult = call.state === 'connected' ? work.consult ?? null : null;
  const transferring = call.state === 'connected' && !consult;
  if (transferring && $('transfer-form').hidden) attempt(loadTransferTargets);
  show($('transfer-form'), transferring);
  show($('consulting'), Boolean(consult));
  if (consult) {
    const who = consult.colleague?.name ?? consult.number;
    const state = consult.conference ? 'the three of you talk together'
      : consult.colleague ? 'the person waits on hold'
        : consult.answered ? 'answered; the person waits on hold' : 'ringing';
    $('consult-state').textContent = `${consult.conference ? 'In conference with' : 'Consulting'} ${who}: ${state}.`;
    $('consult-complete').disabled = !consult.answered;
    $('consult-complete').textContent = consult.conference ? 'Leave them talking' : 'Hand over';
    $('consult-conference').hidden = consult.conference;
    $('consult-conference').disabled = !consult.answered;
    $('consult-end').textContent = consult.conference ? `Drop ${who}` : 'Back to the caller';
  }
  if (work.contact) renderContact(work.contact);
  $('history').replaceChildren(...(work.history ?? []).map((h) => el('li', {},
    `${whenHere(h.at)}: ${h.disposition_label ?? h.disposition ?? RESULTS[h.result] ?? h.result ?? 'no result'}${h.agent ? ` · ${h.agent}` : ''}`)));
  const notes = work.notes ?? [];
  $('notes').replaceChildren(...notes.map((n) => el('li', {}, `${whenHere(n.at)}${n.author ? ` · ${n.author}` : ''}: ${n.text ?? '(expired)'}`)));
  show($('notes'), notes.length > 0);
  show($('notes-title'), notes.length > 0);
  $('script').replaceChildren(...(source?.script ?? '').split('\n').map((line) => el('p', {}, line)));
  const select = $('disposition-code');
  const codes = source?.dispositions ?? [];
  if (select.dataset.call !== String(call.id)) {
    select.dataset.call = String(call.id);
    select.replaceChildren(el('option', { value: '' }, 'Choose…'), ...codes.map((d) => el('option', { value: d.code, 'data-outcome': d.outcome }, d.label)));
    $('disposition-form').reset();
    show($('callback-fields'), false);
  }
}

// m:ss (h:mm:ss past an hour) of a number of milliseconds.
function clock(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  const pad = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

// The time since `start`, and the time left until `end`, by this page's clock.
const elapsed = (start) => clock(performance.now() - start);
const left = (end) => clock(end - performance.now());

// The running timers: how long the call has rung, talked or been wrapped up, and the hold.
function tick() {
  $('call-timer').textContent = timers.state === null ? '' : elapsed(timers.state);
  $('hold-timer').textContent = timers.hold === null ? '' : `on hold ${elapsed(timers.hold)}`;
  // Counted down: the time until the wrap-up closes by itself.
  $('wrap-up-left').textContent = timers.wrapUpEnds === null ? ''
    : `Without a disposition you are made available in ${left(timers.wrapUpEnds)}.`;
  countDown();
}

// The incoming call's countdown; when it reaches zero the server gives the call to someone else.
function countDown() {
  if (!offer) return;
  const left = Math.max(0, Math.ceil((offer.ends - performance.now()) / 1000));
  $('incoming-left').textContent = `${left} s`;
  $('incoming-clock').max = offer.seconds;
  $('incoming-clock').value = left;
}

async function loadWork() {
  work = await api('GET', '/api/agent/work', undefined, { background: true });
  renderWork();
}

// Work is read again when the agent's state changes, or a call of theirs
// moves on; changes that come together are read once (each read of the
// contact is audited).
let readDue = null;
function readSoon() {
  if (readDue === null) readDue = setTimeout(() => { readDue = null; attempt(loadWork); }, 100);
}

function onAgent(view) {
  const declined = offer && view.state === 'break';
  agent = view;
  renderState();
  // The phone is open while the agent works, whoever started or ended the work (a reload reopens it).
  if (PHONE) {
    if (agent.state === 'offline') softphone.stop();
    else softphone.start(sound);
  }
  const key = ACTIVE.includes(agent.state) ? `${agent.state}:${agent.since}` : 'idle';
  if (key === seen) return;
  seen = key;
  if (key === 'idle') {
    work = null;
    renderWork();
  } else {
    readSoon();
  }
  if (declined) say(`The call went back to the queue; you are on a break (${agent.reason}). Press A when you are back.`);
}

function onCall(call) {
  if (work?.call?.id !== call.id || work.call.state !== call.state) readSoon();
}

// The agent's state as it is now (after the agent's own steps, whose
// changes also come on the feed).
window.addEventListener('trustline:agent', (event) => {
  if (event.detail.from === 'header') onAgent(event.detail.view);
});

async function watch() {
  onAgent(await api('GET', '/api/agent/state', undefined, { background: true }));
}

async function move(event, reason) {
  agent = await api('POST', '/api/agent/state', reason ? { event, reason } : { event });
  renderState();
  say(`You are ${STATE_WORDS[agent.state] ?? agent.state}.`);
}

const actions = {
  start: () => {
    prepareAlerts();
    if (PHONE) softphone.start(sound);
    return attempt(() => move(agent?.state === 'break' ? 'end_break' : 'log_in'));
  },
  pause: () => attempt(() => move('take_break', $('break-reason').value)),
  stop: () => attempt(async () => {
    await move('log_out');
    if (PHONE) softphone.stop();
  }),
  checkMicrophone: () => {
    prepareAlerts();
    return softphone.checkMicrophone(sound);
  },
  mute: () => {
    const muted = softphone.mute(!softphone.isMuted());
    $('mute').setAttribute('aria-pressed', String(muted));
    $('mute').firstChild.textContent = muted ? 'Unmute ' : 'Mute ';
    say(muted ? 'Muted: the caller hears silence.' : 'Unmuted.');
  },
  next: () => attempt(async () => {
    work = await api('POST', '/api/agent/next');
    if (!work.call) say('Nobody can be called now.');
    renderWork();
  }),
  dial: () => attempt(async () => {
    // Pressed once: a second press would only be refused while the call rings.
    $('dial').disabled = true;
    $('skip').disabled = true;
    try {
      await api('POST', `/api/calls/${work.call.id}/dial`);
    } finally {
      await loadWork();
    }
  }),
  cancelDial: () => attempt(async () => { await api('POST', `/api/calls/${work.call.id}/cancel`); await watch(); say('Call cancelled.'); }),
  skip: () => attempt(async () => { await api('POST', `/api/calls/${work.call.id}/skip`); await watch(); say('Skipped.'); }),
  accept: () => attempt(async () => { await api('POST', `/api/calls/${work.call.id}/accept`); await watch(); say('Connected.'); }),
  decline: () => attempt(async () => { await api('POST', `/api/calls/${work.call.id}/decline`); await watch(); }),
  hold: () => attempt(async () => {
    const held = work.call.held_since !== null;
    await api('POST', `/api/calls/${work.call.id}/${held ? 'resume' : 'hold'}`);
    say(held ? 'Back with the caller.' : 'On hold.');
    await loadWork();
  }),
  hangUp: () => attempt(async () => { await api('POST', `/api/calls/${work.call.id}/hangup`); await watch(); }),
};

$('start-work').addEventListener('click', actions.start);
$('take-break').addEventListener('click', actions.pause);
$('stop-work').addEventListener('click', actions.stop);
$('next-contact').addEventListener('click', actions.next);
$('accept').addEventListener('click', actions.accept);
$('decline').addEventListener('click', actions.decline);
$('dial').addEventListener('click', actions.dial);
$('skip').addEventListener('click', actions.skip);
$('cancel-dial').addEventListener('click', actions.cancelDial);
$('hold').addEventListener('click', actions.hold);
$('hang-up').addEventListener('click', actions.hangUp);
if (PHONE) {
  $('mic-check').addEventListener('click', actions.checkMicrophone);
  $('mute').addEventListener('click', actions.mute);
  // One key per press, played to the person; the status line says which went.
  $('dial-pad').addEventListener('click', (event) => {
    const key = event.target.closest('button')?.dataset.key;
    if (key) attempt(async () => { await api('POST', `/api/calls/${work.call.id}/keys`, { keys: key }); say(`Sent ${key}.`); });
  });
}

// Where the conversation may go: the tenant's queues (a closed one shown
// but not choosable), colleagues ready now, and an outside number for
// those allowed. Read again whenever the agent opens the list.
async function loadTransferTargets() {
  const targets = await api('GET', '/api/agent/transfer-targets');
  const chosen = $('transfer-to').value;
  const groups = [el('option', { value: '' }, 'Choose…')];
  if (targets.queues.length) {
    groups.push(el('optgroup', { label: 'Queues' }, ...targets.queues.map((q) =>
      el('option', { value: `queue:${q.id}`, disabled: !q.open }, q.open ? q.name : `${q.name} (closed)`))));
  }
  groups.push(el('optgroup', { label: 'Colleagues ready now' }, ...(targets.agents.length
    ? targets.agents.map((a) => el('option', { value: `agent:${a.id}` }, a.name))
    : [el('option', { value: '', disabled: true }, 'nobody is ready')])));
  if (targets.agents.length) {
    groups.push(el('optgroup', { label: 'A colleague, consulted first' }, ...targets.agents.map((a) =>
      el('option', { value: `consult-agent:${a.id}` }, `${a.name}, consulted first`))));
  }
  if (targets.outside) {
    groups.push(el('option', { value: 'outside' }, 'An outside number…'));
    groups.push(el('option', { value: 'consult' }, 'An outside number, consulted first…'));
  }
  $('transfer-to').replaceChildren(...groups);
  if ([...$('transfer-to').options].some((o) => o.value === chosen && !o.disabled)) $('transfer-to').value = chosen;
  showNumber();
}

function showNumber() {
  const outside = ['outside', 'consult'].includes($('transfer-to').value);
  $('transfer-number').hidden = !outside;
  $('transfer-number').labels[0].hidden = !outside;
  $('transfer-number').required = outside;
}

// Those allowed call a number themselves, for one of the queues (its
// number is shown to the person, its dispositions close the call).
async function offerManualCalls() {
  const targets = await api('GET', '/api/agent/transfer-targets', undefined, { background: true });
  if (!targets.call_out || !targets.queues.length) return;
  $('manual-queue').replaceChildren(...targets.queues.map((q) => el('option', { value: String(q.id) }, q.name)));
  show($('manual-call'), true);
}

$('manual-call').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    await api('POST', '/api/agent/calls', { number: $('manual-number').value.trim(), queue: Number($('manual-queue').value) });
    $('manual-number').value = '';
    say('Calling…');
    await watch();
  });
});

// A colleague's consultation has its own steps: handing a person to a number needs a right that this does not.
const consultPath = () => `/api/calls/${work.call.id}/${work.consult?.colleague ? 'consult-colleague' : 'consult'}`;
$('consult-complete').addEventListener('click', () => attempt(async () => {
  await api('POST', `${consultPath()}/complete`);
  await watch();
  say('Handed over. Set the disposition.');
}));
$('consult-conference').addEventListener('click', () => attempt(async () => {
  await api('POST', `${consultPath()}/conference`);
  await loadWork();
  say('The caller is in: the three of you talk together.');
}));
$('consult-end').addEventListener('click', () => attempt(async () => {
  await api('DELETE', `/api/calls/${work.call.id}/consult`);
  say('Back with the caller.');
  await loadWork();
}));

$('consulted-leave').addEventListener('click', () => attempt(async () => {
  await api('DELETE', '/api/agent/consultation');
  say('You left the consultation.');
  await loadWork();
}));

$('transfer-to').addEventListener('focus', () => attempt(loadTransferTargets));
$('transfer-to').addEventListener('change', showNumber);
$('transfer-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const [kind, id] = $('transfer-to').value.split(':');
    const choice = $('transfer-to').selectedOptions[0]?.textContent ?? '';
    let said;
    if (kind === 'outside') {
      await api('POST', `/api/calls/${work.call.id}/transfer-outside`, { number: $('transfer-number').value.trim() });
      said = 'Transferred to the outside number. Set the disposition.';
    } else if (kind === 'consult') {
      await api('POST', `/api/calls/${work.call.id}/consult`, { number: $('transfer-number').value.trim() });
      said = 'The person waits on hold while you consult.';
    } else if (kind === 'consult-agent') {
      await api('POST', `/api/calls/${work.call.id}/consult-colleague`, { agent: Number(id) });
      said = 'The person waits on hold while you consult your colleague.';
    } else {
      await api('POST', `/api/calls/${work.call.id}/transfer`, { [kind]: Number(id) });
      said = `Transferred to ${choice}. Set the disposition.`;
    }
    $('transfer-number').value = '';
    // Said in the situation it leads to (the wrap-up), or the move clears it.
    await watch();
    say(said);
  });
});

$('reveal-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const shown = await api('POST', `/api/contacts/${work.contact.id}/reveal`, { reason: $('reveal-reason').value });
    renderContact(shown.contact ?? shown);
    say('Revealed; the reason was recorded.');
  });
});

$('disposition-code').addEventListener('change', () => {
  const chosen = $('disposition-code').selectedOptions[0];
  const callback = chosen?.dataset.outcome === 'callback';
  show($('callback-fields'), callback);
  $('callback-at').required = callback;
});

$('disposition-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const body = { disposition: $('disposition-code').value };
    const note = $('note').value.trim();
    if (note) body.note = note;
    if (!$('callback-fields').hidden) {
      body.callback_at = Math.floor(new Date($('callback-at').value).getTime() / 1000);
      body.personal_callback = $('callback-personal').checked;
    }
    await api('POST', `/api/calls/${work.call.id}/disposition`, body);
    await watch();
    say('Disposition saved.');
  });
});

// Each shortcut presses its button, when the button can be pressed. Hanging
// up needs Shift as well; single-key shortcuts can be turned off (WCAG
// 2.1.4), and the choice is kept in this browser.
const SHORTCUTS = { a: 'start-work', b: 'take-break', q: 'stop-work', n: 'next-contact', c: 'accept', x: 'decline', d: 'dial', s: 'skip', p: 'hold', h: 'hang-up', m: 'mute' };
const WITH_SHIFT = new Set(['hang-up']);
const SHORTCUTS_KEY = 'trustline.desk.shortcuts';
$('shortcuts-on').checked = localStorage.getItem(SHORTCUTS_KEY) !== 'off';
$('shortcuts-on').addEventListener('change', () => localStorage.setItem(SHORTCUTS_KEY, $('shortcuts-on').checked ? 'on' : 'off'));
document.addEventListener('keydown', (event) => {
  if (!$('shortcuts-on').checked) return;
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.closest('input, textarea, select')) return;
  const key = event.key.toLowerCase();
  if (SHORTCUTS[key] && WITH_SHIFT.has(SHORTCUTS[key]) !== event.shiftKey) return;
  if (key === 'o' && !$('disposition').hidden) {
    event.preventDefault();
    $('disposition-code').focus();
    return;
  }
  if (key === 't' && !$('transfer-form').hidden) {
    event.preventDefault();
    $('transfer-to').focus();
    return;
  }
  const button = SHORTCUTS[key] ? $(SHORTCUTS[key]) : null;
  if (button && !button.disabled && !button.hidden && button.offsetParent !== null) {
    event.preventDefault();
    button.click();
  }
});

// New work arrives on the agent's feed, without reloading the page.
follow('/api/agent/events', {
  agent: (event) => onAgent(JSON.parse(event.data)),
  call: (event) => onCall(JSON.parse(event.data)),
  // A supervisor joined, changed how, or left: the desk says so.
  monitor: () => readSoon(),
  // A consultation rang, was answered or ended.
  consult: () => readSoon(),
  // The agent's desk phone hung up: the desk says so and offers to ring it again.
  desk_phone_down: () => softphone.deskPhoneDown(),
  resync: () => attempt(watch),
});
setInterval(tick, 250);
attempt(offerManualCalls);
