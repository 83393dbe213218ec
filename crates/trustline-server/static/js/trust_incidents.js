// Security incidents: the list with deadlines and the 72-hour breach clock,
// and one incident's timeline.

import { api, attempt, el, when } from './api.js';

const list = document.getElementById('incidents');
const detail = document.getElementById('incident');

function clock(incident) {
  if (!incident.personal_data_breach) return 'not a personal-data breach';
  if (incident.notified_at) return `regulator notified ${when(incident.notified_at)}`;
  const left = incident.notify_regulator_by - Date.now() / 1000;
  if (left <= 0) return 'notification OVERDUE';
  return `${Math.floor(left / 3600)} h ${Math.floor((left % 3600) / 60)} min left to notify`;
}

async function show(id) {
  const incident = await api('GET', `/api/incidents/${id}`);
  detail.replaceChildren(
    el('h2', {}, `#${incident.id} ${incident.title}`),
    el('p', {}, `${incident.severity} · ${incident.status} · respond by ${when(incident.respond_by)} · ${clock(incident)}`),
    el('ol', { class: 'timeline' }, incident.timeline.map((entry) => el('li', {}, el('time', {}, when(entry.at)), ` ${entry.actor}: ${entry.entry}`))),
  );
  detail.hidden = false;
}

async function load() {
  const incidents = await api('GET', '/api/incidents');
  const rows = incidents.map((incident) =>
    el('tr', { class: incident.overdue || incident.notification_overdue ? 'overdue' : '' },
      el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => attempt(() => show(incident.id)) }, `#${incident.id}`)),
      el('td', {}, incident.title),
      el('td', {}, incident.severity),
      el('td', {}, incident.status),
      el('td', {}, when(incident.respond_by), incident.overdue ? ' (overdue)' : ''),
      el('td', { class: 'breach-clock' }, clock(incident))));
  list.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: 6 }, 'No incidents.'))]));
}

attempt(load);
