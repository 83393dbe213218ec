// Users: invite (the initial password is shown once), change roles,
// disable or enable, and reset a lost authenticator.

import { api, attempt, el, say } from './api.js';

const $ = (id) => document.getElementById(id);
const roles = [...$('invite-role').options].map((o) => o.value);

function actions(user) {
  const role = el('select', { 'aria-label': `Role of ${user.username}` }, roles.map((r) => el('option', { value: r, selected: r === user.role }, r)));
  return [
    role,
    el('button', { type: 'button', onclick: () => attempt(async () => {
      await api('PUT', `/api/users/${user.id}/role`, { role: role.value });
      say(`${user.username} is now ${role.value}.`);
      await load();
    }) }, 'Change role'),
    el('button', { type: 'button', onclick: () => attempt(async () => {
      await api('POST', `/api/users/${user.id}/${user.disabled ? 'enable' : 'disable'}`);
      say(`${user.username} ${user.disabled ? 'enabled' : 'disabled'}; their sessions ended.`);
      await load();
    }) }, user.disabled ? 'Enable' : 'Disable'),
    user.mfa_enrolled ? el('button', { type: 'button', onclick: () => attempt(async () => {
      await api('POST', `/api/users/${user.id}/reset-mfa`);
      say(`${user.username} must set up an authenticator again at the next sign-in.`);
      await load();
    }) }, 'Reset two-factor') : null,
  ];
}

async function load() {
  const users = await api('GET', '/api/users');
  $('users').replaceChildren(...users.map((user) => el('tr', { 'data-user': user.username },
    el('td', {}, user.username), el('td', {}, user.display_name), el('td', {}, user.role),
    el('td', {}, user.mfa_enrolled ? 'on' : 'off'), el('td', {}, user.disabled ? 'disabled' : 'active'),
    el('td', { class: 'actions' }, actions(user)))));
}

$('invite-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const form = Object.fromEntries(new FormData(event.target));
    const created = await api('POST', '/api/users', form);
    const shown = $('invite-result');
    shown.textContent = `Initial password for ${created.user.username} (shown once; they change it at first sign-in): ${created.initial_password}`;
    shown.hidden = false;
    event.target.reset();
    await load();
  });
});

attempt(load);
