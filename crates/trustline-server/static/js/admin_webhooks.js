// Webhooks: CRM subscriptions (the signing secret is shown once) and their deliveries.

import { api, attempt, el, say, when } from './api.js';
import { showOnce } from './keep.js';

const $ = (id) => document.getElementById(id);

async function deliveries(hook) {
  const list = await api('GET', `/api/webhooks/${hook.id}/deliveries`);
  $('deliveries').replaceChildren(el('h3', {}, `Deliveries to ${hook.url}`),
    el('div', { class: 'table-scroll' }, el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, ['Event', 'State', 'Attempts', 'Last answer', 'Created'].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, list.map((d) => el('tr', {}, el('td', {}, d.event), el('td', {}, d.state), el('td', {}, d.attempts), el('td', {}, d.last_status ?? d.last_error ?? '—'), el('td', {}, when(d.created_at))))))));
  $('deliveries').hidden = false;
}

async function load() {
  const hooks = await api('GET', '/api/webhooks');
  $('webhooks').replaceChildren(...hooks.map((hook) => el('tr', {},
    el('td', {}, hook.url), el('td', {}, hook.events.join(', ')), el('td', {}, hook.description),
    el('td', { class: 'actions' },
      el('button', { type: 'button', onclick: () => attempt(() => deliveries(hook)) }, 'Deliveries'),
      el('button', { type: 'button', onclick: () => attempt(async () => {
        await api('DELETE', `/api/webhooks/${hook.id}`);
        say('Subscription removed.');
        await load();
      }) }, 'Remove')))));
}

$('webhook-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const form = new FormData(event.target);
    const body = { url: form.get('url'), events: form.getAll('events') };
    const description = String(form.get('description')).trim();
    if (description) body.description = description;
    const created = await api('POST', '/api/webhooks', body);
    showOnce($('webhook-secret'), 'Signing secret (shown once)', created.secret, 'webhook-signing-secret.txt');
    event.target.reset();
    await load();
  });
});

attempt(load);
