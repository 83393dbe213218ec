// The audit log: the chain's verification, and a search over its events,
// done by the server a page at a time, newest first.

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

const row = (event) => el('tr', {},
  el('td', {}, event.seq), el('td', {}, when(event.at)), el('td', {}, event.actor), el('td', {}, event.action),
  el('td', {}, event.target), el('td', {}, event.outcome), el('td', {}, event.source));

// The first page of a new search, or (`more`) the next page of this one.
async function search(more) {
  const query = new URLSearchParams(asked);
  query.set('limit', String(PAGE));
  if (more && nextBefore !== null) query.set('before', String(nextBefore));
  const page = await api('GET', `/api/audit/search?${query}`);
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
  asked = new URLSearchParams();
  for (const [name, value] of new FormData(form)) if (String(value).trim()) asked.set(name, String(value).trim());
  attempt(() => search(false));
});
older.addEventListener('click', () => attempt(() => search(true)));

attempt(verify);
attempt(() => search(false));
