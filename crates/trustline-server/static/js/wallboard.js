// The supervisor wallboard: agents by state with time in state and
// today's figures, queues and campaigns, updated live from the server's
// event stream, with an agent's day and moves on demand (and a move made
// for them, with a reason), CSV exports and charts the server draws.

import { api, attempt, duration, el, follow, percent, say, when } from './api.js';
import { alertOf } from './work_rules.js';
import * as softphone from './softphone.js';

const $ = (id) => document.getElementById(id);
const agents = new Map();
const waiting = new Map();
let names = new Map();
let campaigns = [];
let queues = [];
// Each queue's alert levels, by id.
let queueAlerts = new Map();
// Today's figures per agent (calls, handle time, time in each state).
let today = new Map();
// The agent whose details are open.
let shown = null;
// Seconds to add to this browser's clock to get the server's.
let skew = 0;
let figuresDue = null;

const now = () => Date.now() / 1000 + skew;
const dayStart = () => Math.floor(now() / 86400) * 86400;

// Marks `node` amber or red (or neither), in colour and in words.
function marked(node, level) {
  node.classList.remove('alert-amber', 'alert-red');
  node.querySelector('.alert-word')?.remove();
  if (!level) return node;
  node.classList.add(`alert-${level}`);
  node.append(el('span', { class: 'alert-word' }, ` (${level})`));
  return node;
}

function renderAgents() {
  const counts = { available: 0, on_call: 0, wrap_up: 0, reserved: 0, break: 0 };
  const rows = [...agents.values()]
    .filter((a) => a.state !== 'offline')
    .sort((a, b) => (names.get(a.user_id) ?? '').localeCompare(names.get(b.user_id) ?? ''))
    .map((a) => {
      counts[a.state] = (counts[a.state] ?? 0) + 1;
      return el('tr', { 'data-agent': a.user_id, class: `state-${a.state}` },
        el('td', {}, names.get(a.user_id) ?? `user ${a.user_id}`),
        el('td', {}, a.state.replace('_', ' ') + (a.reason ? ` (${a.reason})` : '')),
        el('td', { class: 'since', 'data-since': a.since ?? '' }, a.since ? duration(now() - a.since) : '—'),
        el('td', { class: 'handled' }, today.get(a.user_id)?.calls_handled ?? 0),
        el('td', {}, duration(today.get(a.user_id)?.average_handle_seconds)),
        el('td', {}, today.get(a.user_id)?.last_worked_on ?? '—'),
        el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => attempt(() => history(a.user_id)) }, 'Details')));
    });
  $('agents').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 7 }, 'Nobody is working.'))]));
  for (const [state, count] of Object.entries(counts)) {
    const tile = $(`count-${state}`);
    if (tile) tile.textContent = String(count);
  }
  // The strictest break levels of the running campaigns and the queues.
  const breakLevels = [...campaigns.filter((c) => c.status === 'running').map((c) => c.settings?.alerts?.agents_on_break), ...[...queueAlerts.values()].map((a) => a.agents_on_break)]
    .filter(Boolean);
  const strictest = breakLevels.length
    ? { amber: Math.min(...breakLevels.map((l) => l.amber)), red: Math.min(...breakLevels.map((l) => l.red)) }
    : null;
  marked($('count-break').parentElement, alertOf(counts.break, strictest));
  $('count-waiting').textContent = String(waiting.size);
}

const STATE_NAMES = { available: 'available', reserved: 'reserved', on_call: 'on calls', wrap_up: 'in wrap-up', break: 'on breaks' };

// An agent's day (time in each state) and latest moves, with the form to move them.
async function history(user) {
  shown = user;
  const moves = await api('GET', `/api/agents/${user}/history`);
  const day = today.get(user);
  $('agent-title').textContent = names.get(user) ?? `user ${user}`;
  $('agent-today').textContent = day
    ? `Today: logged in ${duration(day.logged_in_seconds)}; ` + Object.entries(STATE_NAMES).map(([code, words]) => `${words} ${duration(day.seconds[code] ?? 0)}`).join(', ') + '.'
    : 'Not logged in today.';
  $('agent-moves').replaceChildren(...moves.slice(0, 30).map((m) => el('li', {}, `${when(m.at)}: ${m.from} → ${m.to}${m.reason ? ` (${m.reason})` : ''}`)));
  $('agent-history').hidden = false;
}

// Monitoring from the supervisor's own phone: the same buttons start,
// change and end it; each press is audited on the agent's call.
if ($('phone')) {
  let context = null;
  const audio = () => (context ??= new AudioContext());
  $('phone-connect').addEventListener('click', () => softphone.start(audio()));
  $('mic-check').addEventListener('click', () => softphone.checkMicrophone(audio()));
  $('mute').addEventListener('click', () => {
    const muted = softphone.mute(!softphone.isMuted());
    $('mute').setAttribute('aria-pressed', String(muted));
    $('mute').textContent = muted ? 'Unmute' : 'Mute';
  });
  const WORDS = { listen: 'You are listening to', whisper: 'You are whispering to', barge: 'You have joined the call of' };
  $('agent-monitor').addEventListener('click', (event) => {
    const mode = event.target.closest('button')?.dataset.mode;
    if (!mode) return;
    attempt(async () => {
      const who = names.get(shown) ?? 'the agent';
      if (mode === 'stop') {
        await api('DELETE', `/api/agents/${shown}/monitor`);
        say(`You left ${who}'s call.`);
      } else {
        await api('POST', `/api/agents/${shown}/monitor`, { mode });
        say(`${WORDS[mode]} ${who}.`);
      }
    });
  });
}

$('move-change').addEventListener('change', () => { $('move-break').disabled = $('move-change').value !== 'take_break'; });
$('agent-move').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const change = $('move-change').value;
    const body = { change, reason: $('move-reason').value };
    if (change === 'take_break') body.break_reason = $('move-break').value;
    const view = await api('POST', `/api/agents/${shown}/state`, body);
    agents.set(view.user_id, view);
    renderAgents();
    say(`${names.get(shown) ?? 'The agent'} is now ${view.state.replace('_', ' ')}${view.reason ? ` (${view.reason})` : ''}; the reason was recorded.`);
    $('move-reason').value = '';
    await history(shown);
  });
});

async function figures() {
  figuresDue = null;
  const start = dayStart();
  const period = `from=${start}&seconds=${Math.ceil(now()) + 1 - start}`;
  const [byCampaign, byQueue, time] = await Promise.all([
    api('GET', `/api/reports/campaigns?${period}`, undefined, { background: true }),
    api('GET', `/api/reports/queues?${period}`, undefined, { background: true }),
    api('GET', `/api/reports/agent-time?${period}&format=json`, undefined, { background: true }),
  ]);
  // A campaign's occupancy: its calls' talk and wrap-up over the floor's time logged in today.
  const staffed = time.floor.logged_in_seconds;
  const share = (seconds) => (staffed > 0 ? seconds / staffed : null);
  $('occupancy').textContent = percent(time.floor.occupancy);
  today = new Map(time.agents.map((a) => [a.user_id, a]));
  renderAgents();
  const none = (text, columns) => [el('tr', {}, el('td', { colspan: columns }, text))];
  $('campaigns').replaceChildren(...(campaigns.length ? [] : none('No campaigns.', 7)), ...campaigns.map((c) => {
    const k = byCampaign.campaigns.find((f) => f.campaign_id === c.id)?.figures ?? {};
    const cap = c.settings?.abandonment?.cap;
    const ofCap = k.abandonment_rate !== null && k.abandonment_rate !== undefined && cap ? k.abandonment_rate / cap : null;
    const abandonment = alertOf(ofCap, c.settings?.alerts?.abandonment_of_cap) || (ofCap > 1 ? 'red' : '');
    return el('tr', { 'data-campaign': c.id },
      el('td', {}, c.name), el('td', {}, c.status),
      el('td', { class: 'dialled' }, k.attempted ?? 0), el('td', { class: 'answered' }, k.connected ?? 0),
      marked(el('td', { class: 'abandonment' }, `${percent(k.abandonment_rate)} (${percent(cap)})`), abandonment),
      el('td', { class: 'occupancy' }, percent(share(k.handle_seconds ?? 0))),
      el('td', {}, k.conversions ?? 0));
  }));
  $('queues').replaceChildren(...(queues.length ? [] : none('No queues.', 6)), ...queues.map((q) => {
    const k = byQueue.queues.find((f) => f.queue_id === q.id)?.figures ?? {};
    const mine = [...waiting.values()].filter((w) => w.queue_id === q.id);
    const longest = mine.length ? now() - Math.min(...mine.map((w) => w.offered_at)) : null;
    const ringing = mine.filter((w) => w.state === 'offered').length;
    return el('tr', { 'data-queue': q.id },
      el('td', {}, q.name), el('td', { class: 'waiting' }, ringing ? `${mine.length} (${ringing} ringing)` : mine.length),
      marked(el('td', { class: 'longest' }, longest === null ? '—' : duration(longest)), alertOf(longest, queueAlerts.get(q.id)?.longest_wait_seconds)),
      marked(el('td', { class: 'service-level' }, percent(k.service_level)), alertOf(k.service_level, queueAlerts.get(q.id)?.service_level, true)),
      el('td', {}, k.answered ?? 0), el('td', {}, k.abandoned ?? 0));
  }));
  for (const [id, kind] of [['export-campaigns', 'campaigns'], ['export-queues', 'queues']]) {
    $(id).href = `/api/reports/${kind}?${period}&format=csv`;
  }
  $('export-agents').href = `/api/reports/agent-time?${period}`;
  // Up to now: a new address each time, so the drawing is fetched again.
  const upTo = Math.ceil(now()) + 1;
  $('chart-calls').src = `/wallboard/charts/calls.svg?day=${dayStart()}&to=${upTo}`;
  $('chart-abandonment').src = `/wallboard/charts/abandonment.svg?day=${dayStart()}&to=${upTo}`;
  $('chart-service').src = `/wallboard/charts/service-level.svg?day=${dayStart()}&to=${upTo}`;
}

// Figures are read again a moment after calls change, not for every event.
function figuresSoon() {
  if (figuresDue === null) figuresDue = setTimeout(() => attempt(figures), 1500);
}

async function start() {
  const [users, allCampaigns, allQueues] = await Promise.all([api('GET', '/api/users'), api('GET', '/api/campaigns'), api('GET', '/api/queues')]);
  names = new Map(users.map((u) => [u.id, u.display_name || u.username]));
  queueAlerts = new Map(allQueues.map((q) => [q.id, q.settings.alerts]));
  const feed = follow('/api/live', {
    snapshot: (event) => {
      const snapshot = JSON.parse(event.data);
      skew = snapshot.now - Date.now() / 1000;
      $('live-since').textContent = when(snapshot.now);
      agents.clear();
      for (const a of snapshot.agents) agents.set(a.user_id, a);
      waiting.clear();
      for (const w of snapshot.waiting) waiting.set(w.id, w);
      queues = snapshot.queues;
      campaigns = allCampaigns.filter((c) => snapshot.campaigns.some((s) => s.id === c.id));
      $('connection').textContent = '';
      renderAgents();
      attempt(figures);
    },
    agent: (event) => {
      const a = JSON.parse(event.data);
      agents.set(a.user_id, a);
      renderAgents();
    },
    call: (event) => {
      const call = JSON.parse(event.data);
      if (call.queue_id && ['queued', 'offered', 'callback'].includes(call.state)) {
        waiting.set(call.id, { id: call.id, queue_id: call.queue_id, state: call.state, offered_at: waiting.get(call.id)?.offered_at ?? now() });
      } else {
        waiting.delete(call.id);
      }
      renderAgents();
      figuresSoon();
    },
    resync: () => {
      feed.close();
      attempt(start);
    },
    error: () => {
      $('connection').textContent = 'Reconnecting…';
    },
  });
}

attempt(start);
setInterval(() => {
  for (const cell of document.querySelectorAll('td.since[data-since]')) {
    const since = Number(cell.dataset.since);
    if (since) cell.textContent = duration(now() - since);
  }
}, 1000);
setInterval(() => attempt(figures), 30000);
