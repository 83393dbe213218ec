// API tokens: scoped, expiring; the secret is shown once.

import { api, attempt, confirmFirst, el, say, when } from './api.js';
import { showOnce } from './keep.js';

const $ = (id) => document.getElementById(id);

function revokeButton(t) {
  const button = el('button', { type: 'button' }, 'Revoke');
  button.onclick = confirmFirst(button, `Revoke ${t.name}? Click again`, () => attempt(async () => {
    await api('DELETE', `/api/tokens/${t.id}`);
    say(`Token ${t.name} revoked.`);
    await load();
  }));
  return button;
}

async function load() {
  const tokens = await api('GET', '/api/tokens');
  $('tokens').replaceChildren(...tokens.map((t) => el('tr', {},
    el('td', {}, t.name), el('td', {}, t.scopes.join(', ')), el('td', {}, when(t.expires_at)), el('td', {}, t.revoked ? 'revoked' : '—'),
    el('td', {}, t.revoked ? '' : revokeButton(t)))));
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const form = new FormData(event.target);
    const created = await api('POST', '/api/tokens', { name: form.get('name'), scopes: form.getAll('scopes'), expires_in_days: Number(form.get('expires_in_days')) });
    showOnce($('token-secret'), `Token for ${created.details.name} (shown once)`, created.token, `${created.details.name}-token.txt`);
    event.target.reset();
    await load();
  });
});

attempt(load);
