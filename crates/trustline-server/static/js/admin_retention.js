// The retention policy.

import { api, attempt, say } from './api.js';

const form = document.getElementById('retention-form');

async function load() {
  const policy = await api('GET', '/api/retention');
  form.elements.contact_idle_days.value = policy.contact_idle_days ?? '';
  form.elements.note_days.value = policy.note_days ?? '';
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const days = (name) => (form.elements[name].value ? Number(form.elements[name].value) : null);
    await api('PUT', '/api/retention', { contact_idle_days: days('contact_idle_days'), note_days: days('note_days') });
    say('Retention policy saved.');
  });
});

attempt(load);
