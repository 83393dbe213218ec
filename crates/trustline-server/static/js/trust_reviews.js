// Access reviews: the campaigns, starting one, and deciding each account.

import { api, attempt, el, say, when } from './api.js';

const $ = (id) => document.getElementById(id);
const manage = $('review').dataset.manage === 'true';
// Nobody reviews their own access: the server refuses it, so it is not offered.
const me = Number(document.querySelector('meta[name="user-id"]')?.content);

async function open(id) {
  const [review, users] = await Promise.all([api('GET', `/api/access-reviews/${id}`), api('GET', '/api/users')]);
  const names = new Map(users.map((u) => [u.id, u.username]));
  const decide = (item, decision) => el('button', { type: 'button', onclick: () => attempt(async () => {
    await api('POST', `/api/access-reviews/${id}/decisions`, { user_id: item.user_id, decision });
    say(`${names.get(item.user_id)}: ${decision === 'revoke' ? 'access revoked, account disabled' : 'access confirmed'}.`);
    await open(id);
    await load();
  }) }, decision === 'revoke' ? 'Revoke' : 'Confirm');
  $('review').replaceChildren(el('h3', {}, `Campaign #${review.id}, due ${when(review.due_at)}`),
    el('div', { class: 'table-scroll' }, el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, ['Account', 'Role', 'Decision', ''].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, review.items.map((item) => el('tr', { 'data-user': names.get(item.user_id) },
        el('td', {}, names.get(item.user_id) ?? item.user_id), el('td', {}, item.manual_calls ? `${item.role}, calls out` : item.role), el('td', {}, item.decision),
        el('td', {}, manage && item.decision === 'pending' && item.user_id !== me ? [decide(item, 'confirm'), decide(item, 'revoke')] : '')))))));
  $('review').hidden = false;
}

async function load() {
  const reviews = await api('GET', '/api/access-reviews');
  $('reviews').replaceChildren(...(reviews.length ? reviews.map((r) => el('tr', { class: r.overdue ? 'overdue' : '' },
    el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => attempt(() => open(r.id)) }, `#${r.id}`)),
    el('td', {}, when(r.started_at)), el('td', {}, when(r.due_at)), el('td', {}, r.accounts), el('td', {}, r.pending),
    el('td', {}, r.completed_at ? when(r.completed_at) : '—')))
    : [el('tr', {}, el('td', { colspan: 6 }, 'No access review yet.'))]));
}

$('start-review')?.addEventListener('click', () => attempt(async () => {
  const started = await api('POST', '/api/access-reviews');
  say(`Campaign #${started.id} started.`);
  await load();
  await open(started.id);
}));

attempt(load);
