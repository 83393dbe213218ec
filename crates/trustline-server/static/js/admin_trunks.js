// SIP trunks: where the tenant's calls go and where its carrier's calls come from.

import { api, attempt, el, say } from './api.js';

const $ = (id) => document.getElementById(id);

async function load() {
  const trunks = await api('GET', '/api/trunks');
  $('trunks').replaceChildren(...trunks.map((trunk) => el('tr', {},
    el('td', {}, trunk.name), el('td', {}, `${trunk.host}:${trunk.port}`), el('td', {}, trunk.sources.join(', ') || '—'),
    el('td', {}, trunk.caller_id ?? '—'), el('td', {}, trunk.digest_username ?? '—'),
    el('td', { class: 'actions' },
      el('button', { type: 'button', onclick: () => attempt(async () => {
        await api('DELETE', `/api/trunks/${trunk.id}`);
        say('Trunk removed.');
        await load();
      }) }, 'Remove')))));
}

$('trunk-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const form = new FormData(event.target);
    const text = (name) => String(form.get(name)).trim();
    const body = { name: text('name'), host: text('host'), sources: text('sources').split(/\s+/).filter(Boolean) };
    if (text('port')) body.port = Number(text('port'));
    if (text('caller_id')) body.caller_id = text('caller_id');
    if (text('username') || form.get('password')) body.digest = { username: text('username'), password: String(form.get('password')) };
    await api('POST', '/api/trunks', body);
    say('Trunk added.');
    event.target.reset();
    await load();
  });
});

attempt(load);
