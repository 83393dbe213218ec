// Users: invite (the initial password is shown once), change roles,
// allow or stop an agent's own calls out, give a desk phone login (its
// password shown once), disable or enable, and reset a lost authenticator.

import { api, attempt, confirmFirst, el, say } from './api.js';
import { showOnce } from './keep.js';

const $ = (id) => document.getElementById(id);
// The roles the signed-in person may hand out, most privileged first.
const roles = [...$('invite-role').options].map((o) => o.value);
// An invitation starts at the least privileged role.
$('invite-role').value = roles.includes('agent') ? 'agent' : roles[roles.length - 1];

function actions(user) {
  // A role the viewer may not hand out (an owner, to an admin) is not offered as a choice.
  const manageable = roles.includes(user.role);
  const role = manageable
    ? el('select', { 'aria-label': `Role of ${user.username}` }, roles.map((r) => el('option', { value: r, selected: r === user.role }, r)))
    : null;
  const toggle = el('button', { type: 'button', 'data-action': 'disable' }, user.disabled ? 'Enable' : 'Disable');
  const change = () => attempt(async () => {
    await api('POST', `/api/users/${user.id}/${user.disabled ? 'enable' : 'disable'}`);
    say(`${user.username} ${user.disabled ? 'enabled' : 'disabled'}; their sessions ended.`);
    await load();
  });
  toggle.onclick = user.disabled ? change : confirmFirst(toggle, `Disable ${user.username}? Click again`, change);
  return [
    role,
    role ? el('button', { type: 'button', onclick: () => attempt(async () => {
      await api('PUT', `/api/users/${user.id}/role`, { role: role.value });
      say(`${user.username} is now ${role.value}.`);
      await load();
    }) }, 'Change role') : null,
    manageable && !user.calls_out_by_role ? el('button', { type: 'button', 'data-action': 'calls-out', onclick: () => attempt(async () => {
      await api('PUT', `/api/users/${user.id}/manual-calls`, { allowed: !user.manual_calls });
      say(user.manual_calls ? `${user.username} may no longer call numbers from the desk.` : `${user.username} may now call numbers from the desk.`);
      await load();
    }) }, user.manual_calls ? 'Stop calls out' : 'Allow calls out') : null,
    // Auditors work no calls; the server refuses them a desk phone anyway.
    manageable && user.role !== 'auditor' ? el('button', { type: 'button', 'data-action': 'desk-phone', onclick: () => attempt(async () => {
      const login = await api('POST', `/api/users/${user.id}/desk-phone`);
      const secret = `username ${login.username}, password ${login.password}, realm ${login.realm}`;
      showOnce($('desk-phone-result'), `Desk phone login for ${user.username} (shown once; it replaces any earlier one)`, secret, `${user.username}-desk-phone.txt`);
    }) }, 'New desk phone login') : null,
    manageable ? toggle : null,
    user.mfa_enrolled ? el('button', { type: 'button', onclick: () => attempt(async () => {
      await api('POST', `/api/users/${user.id}/reset-mfa`);
      say(`${user.username} must set up an authenticator again at the next sign-in.`);
      await load();
    }) }, 'Reset two-factor') : null,
  ];
}

// Whether the account may call numbers from the desk, and why.
function callsOut(user) {
  if (user.calls_out_by_role) return 'by role';
  return user.manual_calls ? 'allowed' : 'no';
}

async function load() {
  const users = await api('GET', '/api/users');
  $('users').replaceChildren(...users.map((user) => el('tr', { 'data-user': user.username },
    el('td', {}, user.username), el('td', {}, user.display_name), el('td', {}, user.role),
    el('td', {}, user.mfa_enrolled ? 'on' : 'off'), el('td', {}, callsOut(user)), el('td', {}, user.disabled ? 'disabled' : 'active'),
    el('td', { class: 'actions' }, actions(user)))));
}

$('invite-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const form = Object.fromEntries(new FormData(event.target));
    const created = await api('POST', '/api/users', form);
    const name = created.user.username;
    showOnce($('invite-result'), `Initial password for ${name} (shown once; they change it at first sign-in)`, created.initial_password, `${name}-initial-password.txt`);
    event.target.reset();
    await load();
  });
});

attempt(load);
