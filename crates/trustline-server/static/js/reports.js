// The reports page: a campaign, queue or agent-time report over whole days
// in a chosen time zone (the browser's by default), as a table and as the
// server's CSV file of the same period.

import { api, attempt, duration, el, percent, say } from './api.js';

const $ = (id) => document.getElementById(id);
const form = $('report-form');

// Seconds east of UTC that `zone` is at the instant `ms`.
function offset(ms, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms));
  const v = Object.fromEntries(parts.map((p) => [p.type, Number(p.value)]));
  return Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second) - Math.floor(ms / 1000) * 1000;
}

// The Unix time at which `date` (YYYY-MM-DD) begins in `zone`.
function dayStart(date, zone) {
  const naive = Date.parse(`${date}T00:00:00Z`);
  const first = naive - offset(naive, zone);
  return (naive - offset(first, zone)) / 1000;
}

function knownZone(zone) {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone }).format();
    return true;
  } catch {
    return false;
  }
}

// Each report's columns: heading and how a row shows it.
const REPORTS = {
  campaigns: {
    rows: (r) => r.campaigns,
    columns: [
      ['Campaign', (c) => c.campaign], ['Dialled', (c) => c.figures.attempted], ['Reached', (c) => c.figures.reached],
      ['Connected', (c) => c.figures.connected], ['Abandoned', (c) => percent(c.figures.abandonment_rate)],
      ['Conversions', (c) => c.figures.conversions], ['Average handle', (c) => duration(c.figures.average_handle_seconds)],
    ],
  },
  queues: {
    rows: (r) => r.queues,
    columns: [
      ['Queue', (q) => q.queue], ['Offered', (q) => q.figures.offered], ['Answered', (q) => q.figures.answered],
      ['Abandoned', (q) => q.figures.abandoned], ['Service level', (q) => percent(q.figures.service_level)],
      ['Average wait', (q) => duration(q.figures.average_wait_seconds)], ['Average handle', (q) => duration(q.figures.average_handle_seconds)],
    ],
  },
  'agent-time': {
    rows: (r) => r.agents,
    columns: [
      ['Agent', (a) => a.username], ['Logged in', (a) => duration(a.logged_in_seconds)], ['Available', (a) => duration(a.seconds.available)],
      ['On calls', (a) => duration(a.seconds.on_call)], ['Wrap-up', (a) => duration(a.seconds.wrap_up)], ['Breaks', (a) => duration(a.seconds.break)],
      ['Occupancy', (a) => percent(a.occupancy)], ['Calls handled', (a) => a.calls_handled], ['Average handle', (a) => duration(a.average_handle_seconds)],
    ],
  },
};

async function show() {
  const { kind, from, to, zone } = Object.fromEntries(new FormData(form));
  if (!knownZone(zone)) throw new Error(`Time zone: ${zone} is not a zone this browser knows (e.g. Europe/London).`);
  if (to < from) throw new Error('To: the last day comes on or after the first.');
  const start = dayStart(from, zone);
  const next = new Date(Date.parse(`${to}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
  const period = `from=${start}&seconds=${dayStart(next, zone) - start}`;
  const report = REPORTS[kind];
  const answer = await api('GET', `/api/reports/${kind}?${period}${kind === 'agent-time' ? '&format=json' : ''}`);
  const rows = report.rows(answer);
  $('report-head').replaceChildren(el('tr', {}, report.columns.map(([heading]) => el('th', { scope: 'col' }, heading))));
  $('report-rows').replaceChildren(...(rows.length
    ? rows.map((row) => el('tr', {}, report.columns.map(([, cell]) => el('td', {}, cell(row)))))
    : [el('tr', {}, el('td', { colspan: report.columns.length }, 'Nothing in this period.'))]));
  $('report-period').textContent = `${form.elements.kind.selectedOptions[0].textContent}, ${from} to ${to} (${zone}).`;
  $('report-csv').href = `/api/reports/${kind}?${period}${kind === 'agent-time' ? '' : '&format=csv'}`;
  $('report-csv').hidden = false;
  say('');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(show);
});

// This week so far, in this browser's zone.
const today = new Date();
const local = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const monday = new Date(today);
monday.setDate(today.getDate() - ((today.getDay() + 6) % 7));
form.elements.from.value = local(monday);
form.elements.to.value = local(today);
form.elements.zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
attempt(show);
