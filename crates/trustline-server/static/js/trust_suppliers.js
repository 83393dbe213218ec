// Suppliers and sub-processors with their open tasks, and their reviews.

import { api, attempt, el, say, when } from './api.js';

const list = document.getElementById('suppliers');
const manage = list.dataset.manage === 'true';

function review(entry) {
  const outcome = el('select', { 'aria-label': `Outcome of the review of ${entry.supplier.name}` },
    ['approved', 'approved_with_conditions', 'rejected'].map((o) => el('option', { value: o }, o.replaceAll('_', ' '))));
  const notes = el('input', { type: 'text', 'aria-label': `What the review of ${entry.supplier.name} found`, required: true });
  return el('td', {}, outcome, notes, el('button', { type: 'button', onclick: () => attempt(async () => {
    await api('POST', `/api/suppliers/${entry.id}/reviews`, { outcome: outcome.value, notes: notes.value });
    say(`Review of ${entry.supplier.name} recorded.`);
    await load();
  }) }, 'Record'));
}

async function load() {
  const entries = await api('GET', '/api/suppliers');
  list.replaceChildren(...(entries.length ? entries.map((e) => el('tr', { class: e.tasks.some((t) => t.overdue) ? 'overdue' : '' },
    el('td', {}, e.supplier.name), el('td', {}, e.supplier.service), el('td', {}, e.supplier.data_touched),
    el('td', {}, e.supplier.certifications.map((c) => `${c.kind.replaceAll('_', ' ')} until ${c.expires_on}`).join('; ') || 'none'),
    el('td', {}, e.supplier.last_review_at ? `${when(e.supplier.last_review_at)}: ${e.supplier.last_review_outcome}` : 'never'),
    el('td', {}, e.tasks.map((t) => t.task).join('; ') || 'none'),
    manage ? review(e) : null))
    : [el('tr', {}, el('td', { colspan: manage ? 7 : 6 }, 'No suppliers registered.'))]));
}

attempt(load);
