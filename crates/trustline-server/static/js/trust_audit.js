// The audit log: the chain's verification, and a search over its events.

import { api, attempt, el, say, when } from './api.js';

const form = document.getElementById('audit-search');
const rows = document.getElementById('audit-events');
const PAGE = 1000;
const SHOWN = 500;

async function verify() {
  const verdict = await api('GET', '/api/audit/verify');
  const status = document.getElementById('chain-status');
  status.textContent = verdict.intact
    ? `Intact: ${verdict.events} events, ${verdict.checkpoints} signed checkpoints. Signing key ${verdict.signing_key}`
    : `BROKEN at event ${verdict.first_broken_event}: ${verdict.reason}`;
  status.className = verdict.intact ? 'pass' : 'fail';
}

function matches(event, filter) {
  return (!filter.action || event.action.startsWith(filter.action))
    && (!filter.actor || event.actor.includes(filter.actor))
    && (!filter.target || event.target.includes(filter.target))
    && (!filter.outcome || event.outcome === filter.outcome);
}

async function search(filter) {
  const found = [];
  let after = 0;
  // Each read is itself audited, so the log grows while it is read: a short page is the end.
  for (;;) {
    const page = await api('GET', `/api/audit/events?after=${after}&limit=${PAGE}`);
    found.push(...page.filter((event) => matches(event, filter)));
    if (page.length < PAGE) break;
    after = page[page.length - 1].seq;
  }
  const newest = found.reverse().slice(0, SHOWN);
  rows.replaceChildren(...newest.map((event) => el('tr', {},
    el('td', {}, event.seq), el('td', {}, when(event.at)), el('td', {}, event.actor), el('td', {}, event.action),
    el('td', {}, event.target), el('td', {}, event.outcome), el('td', {}, event.source))));
  say(`${found.length} matching events${found.length > SHOWN ? `, the newest ${SHOWN} shown` : ''}.`);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const values = Object.fromEntries(new FormData(form));
  attempt(() => search(values));
});

attempt(verify);
attempt(() => search({}));
