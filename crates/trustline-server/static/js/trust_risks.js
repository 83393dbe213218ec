// The risk register, with reviews due and recording a review.

import { api, attempt, el, say, when } from './api.js';

const list = document.getElementById('risks');
const manage = list.dataset.manage === 'true';

async function load() {
  const entries = await api('GET', '/api/risks');
  list.replaceChildren(...(entries.length ? entries.map((e) => {
    const notes = el('input', { type: 'text', 'aria-label': `What the review of ${e.risk.title} concluded` });
    return el('tr', { class: e.review_overdue ? 'overdue' : '' },
      el('td', {}, e.risk.title), el('td', {}, `${e.risk.likelihood} × ${e.risk.impact} = ${e.score}`), el('td', {}, e.risk.treatment),
      el('td', {}, e.risk.controls.join(', ')), el('td', {}, when(e.review_due), e.review_overdue ? ' (overdue)' : ''),
      manage ? el('td', {}, notes, el('button', { type: 'button', onclick: () => attempt(async () => {
        await api('POST', `/api/risks/${e.id}/reviews`, { notes: notes.value });
        say(`Review of ${e.risk.title} recorded.`);
        await load();
      }) }, 'Record review')) : null);
  }) : [el('tr', {}, el('td', { colspan: manage ? 6 : 5 }, 'No risks registered.'))]));
}

attempt(load);
