// SIP trunks: where the tenant's calls go and where its carrier's calls come from.

import { api, attempt, el, say, when } from './api.js';

const $ = (id) => document.getElementById(id);
// The trunk being changed, or null while the form adds one.
let editing = null;

function edit(trunk) {
  editing = trunk.id;
  const form = $('trunk-form');
  form.elements.name.value = trunk.name;
  form.elements.host.value = trunk.host;
  form.elements.port.value = trunk.port;
  form.elements.transport.value = trunk.transport;
  form.elements.srtp.checked = trunk.srtp;
  form.elements.sources.value = trunk.sources.join('\n');
  form.elements.caller_id.value = trunk.caller_id ?? '';
  form.elements.username.value = trunk.digest_username ?? '';
  form.elements.register.checked = trunk.registers;
  $('trunk-form-title').textContent = `Change ${trunk.name} (a password left empty keeps the stored login)`;
  $('trunk-submit').textContent = 'Save changes';
  form.elements.name.focus();
}

function stopEditing(form) {
  editing = null;
  form.reset();
  $('trunk-form-title').textContent = 'New trunk';
  $('trunk-submit').textContent = 'Add trunk';
}

function registration(trunk) {
  if (!trunk.registers) return 'no';
  const last = trunk.registration;
  if (!last) return 'yes, not tried yet';
  return `${last.state}${last.detail ? ` (${last.detail})` : ''}, ${when(last.at)}`;
}

async function load() {
  const trunks = await api('GET', '/api/trunks');
  $('trunks').replaceChildren(...trunks.map((trunk) => el('tr', {},
    el('td', {}, trunk.name), el('td', {}, `${trunk.host}:${trunk.port} (${trunk.transport.toUpperCase()}${trunk.srtp ? ', SRTP' : ''})`), el('td', {}, trunk.sources.join(', ') || '—'),
    el('td', {}, trunk.caller_id ?? '—'), el('td', {}, trunk.digest_username ?? '—'), el('td', {}, registration(trunk)),
    el('td', { class: 'actions' },
      el('button', { type: 'button', onclick: () => edit(trunk) }, 'Change'),
      trunk.digest_username ? el('button', { type: 'button', onclick: () => attempt(async () => {
        await api('DELETE', `/api/trunks/${trunk.id}/digest`);
        say('Login removed.');
        await load();
      }) }, 'Remove login') : null,
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
    const body = {
      name: text('name'), host: text('host'), transport: text('transport'), srtp: form.get('srtp') === 'on',
      sources: text('sources').split(/\s+/).filter(Boolean),
    };
    if (text('port')) body.port = Number(text('port'));
    if (text('caller_id')) body.caller_id = text('caller_id');
    if (form.get('password')) {
      body.digest = { username: text('username'), password: String(form.get('password')), register: form.get('register') === 'on' };
    }
    if (editing === null) {
      await api('POST', '/api/trunks', body);
      say('Trunk added.');
    } else {
      await api('PUT', `/api/trunks/${editing}`, body);
      say('Trunk changed.');
    }
    stopEditing(event.target);
    await load();
  });
});

attempt(load);
