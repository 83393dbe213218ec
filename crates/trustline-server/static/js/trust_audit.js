// The audit log: the chain's verification, and a search over its events
// (by action, actor, target, outcome and UTC days), done by the server a
// page at a time, newest first, or exported whole as CSV.

import { api, attempt, el, say, when } from './api.js';

const form = document.getElementById('audit-search');
const rows = document.getElementById('audit-events');
const older = document.getElementById('audit-older');
const PAGE = 100;
// The search shown, and where its next page starts.
let asked = new URLSearchParams();
let nextBefore = null;

async function verify() {
  const verdict = await api('GET', '/api/audit/verify');
  const status = document.getElementById('chain-status');
  status.textContent = verdict.intact
    ? `Intact: ${verdict.events} events, ${verdict.checkpoints} signed checkpoints. Signing key ${verdict.signing_key}`
    : `BROKEN at event ${verdict.first_broken_event}: ${verdict.reason}`;
  status.className = verdict.intact ? 'pass' : 'fail';
}

// Accounts by name, with the id the events use.
let names = {};
const named = (who) => (names[who] ? `${names[who]} (${who})` : who);

const row = (event) => el('tr', {},
  el('td', {}, event.seq), el('td', {}, when(event.at)), el('td', {}, named(event.actor)), el('td', {}, event.action),
  el('td', {}, named(event.target)), el('td', {}, event.outcome), el('td', {}, event.source));

// The search the form describes: days are UTC, `to` includes its day.
function described() {
  const query = new URLSearchParams();
  const data = new FormData(form);
  for (const name of ['action', 'actor', 'target', 'outcome']) {
    const value = String(data.get(name) ?? '').trim();
    if (value) query.set(name, value);
  }
  const day = (name) => (data.get(name) ? Date.parse(`${data.get(name)}T00:00:00Z`) / 1000 : null);
  if (day('from') !== null) query.set('from', String(day('from')));
  if (day('to') !== null) query.set('to', String(day('to') + 86400));
  if (data.get('routine')) query.set('not_action', 'contact.view');
  return query;
}

// The first page of a new search, or (`more`) the next page of this one.
async function search(more) {
  const query = new URLSearchParams(asked);
  query.set('limit', String(PAGE));
  if (more && nextBefore !== null) query.set('before', String(nextBefore));
  const page = await api('GET', `/api/audit/search?${query}`);
  names = more ? { ...names, ...page.names } : page.names;
  const found = page.events.map(row);
  if (more) rows.append(...found);
  else rows.replaceChildren(...found);
  nextBefore = page.next_before;
  older.hidden = nextBefore === null;
  const shown = rows.children.length;
  say(shown ? `${shown} matching events shown, newest first${nextBefore === null ? '; that is all' : ''}.` : 'No matching events.');
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  asked = described();
  attempt(() => search(false));
});
document.getElementById('audit-export').addEventListener('click', () => {
  const query = described();
  query.set('format', 'csv');
  window.location.assign(`/api/audit/search?${query}`);
});
older.addEventListener('click', () => attempt(() => search(true)));

attempt(verify);
asked = described();
attempt(() => search(false));
