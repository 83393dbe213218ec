// Inbound queues (a form for a new one or, after Edit, a change to one)
// and agents' skills.

import { api, attempt, el, say } from './api.js';
import { FormEditing } from './form_editing.js';
import { dispositionLines, levels, lines, parseDispositions } from './work_rules.js';

const $ = (id) => document.getElementById(id);
const editing = new FormEditing($('queue-form'));

// "billing 3, french 2" → { billing: 3, french: 2 }
function parseSkills(text) {
  return Object.fromEntries(text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const [skill, level] = s.split(/\s+/);
    return [skill, Number(level ?? 1)];
  }));
}

const showSkills = (skills) => Object.entries(skills).map(([skill, level]) => `${skill} ${level}`).join(', ');

async function load() {
  const [queues, users, skills] = await Promise.all([api('GET', '/api/queues'), api('GET', '/api/users'), api('GET', '/api/skills')]);
  $('queues').replaceChildren(...(queues.length ? queues.map((q) => el('tr', {},
    el('td', {}, q.name), el('td', {}, q.settings.number), el('td', {}, showSkills(q.settings.skills) || 'none'),
    el('td', {}, q.settings.priority), el('td', {}, `${Math.round(q.settings.service_level.target * 100)} % in ${q.settings.service_level.seconds} s`),
    el('td', {}, q.settings.hours.join('; ') || 'always open'),
    el('td', {}, q.settings.answer_within_seconds ? `${q.settings.answer_within_seconds} s` : 'connects at once'), el('td', {}, q.waiting),
    el('td', { class: 'actions' }, el('button', { type: 'button', class: 'secondary', onclick: () => edit(q) }, 'Edit'))))
    : [el('tr', {}, el('td', { colspan: 9 }, 'No queues yet.'))]));
  const held = new Map(skills.map((s) => [s.user_id, s.skills]));
  const agents = users.filter((u) => !u.disabled && ['agent', 'supervisor'].includes(u.role));
  $('skills').replaceChildren(...agents.map((u) => {
    const field = el('input', { type: 'text', value: showSkills(held.get(u.id) ?? []), 'aria-label': `Skills of ${u.username}` });
    return el('tr', { 'data-user': u.username }, el('td', {}, u.display_name || u.username), el('td', {}, field),
      el('td', {}, el('button', { type: 'button', onclick: () => attempt(async () => {
        await api('PUT', `/api/agents/${u.id}/skills`, { skills: parseSkills(field.value) });
        say(`Skills of ${u.username} saved.`);
      }) }, 'Save')));
  }));
}

// The form, filled with the queue's settings as they are.
function edit(q) {
  const s = q.settings;
  editing.edit(q, (fields) => {
    fields.name.value = s.name;
    fields.number.value = s.number;
    fields.skills.value = showSkills(s.skills);
    fields.priority.value = s.priority;
    fields.service_level_seconds.value = s.service_level.seconds;
    fields.service_level_target.value = Math.round(s.service_level.target * 100);
    fields.answer_within_seconds.value = s.answer_within_seconds ?? '';
    fields.wrap_up_seconds.value = s.wrap_up_seconds;
    fields.time_zone.value = s.time_zone;
    fields.hours.value = s.hours.join('\n');
    fields.holidays.value = s.holidays.join('\n');
    fields.script.value = s.script;
    fields.dispositions.value = dispositionLines(s.dispositions);
    const a = s.alerts;
    [fields.alert_wait_amber.value, fields.alert_wait_red.value] = [a.longest_wait_seconds.amber, a.longest_wait_seconds.red];
    [fields.alert_sl_amber.value, fields.alert_sl_red.value] = [a.service_level.amber * 100, a.service_level.red * 100];
    [fields.alert_breaks_amber.value, fields.alert_breaks_red.value] = [a.agents_on_break.amber, a.agents_on_break.red];
  });
}

// What the form does not show is kept as it is.
function unchanged(s) {
  const kept = { strategy: s.strategy };
  if (s.overflow) Object.assign(kept, { overflow_after_seconds: s.overflow.after_seconds, overflow_to: s.overflow.to });
  if (s.callback_after_seconds) kept.callback_after_seconds = s.callback_after_seconds;
  return kept;
}

$('queue-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const form = new FormData(event.target);
    const body = {
      name: form.get('name'),
      number: form.get('number'),
      skills: parseSkills(String(form.get('skills'))),
      priority: Number(form.get('priority')),
      service_level_seconds: Number(form.get('service_level_seconds')),
      service_level_target: Number(form.get('service_level_target')) / 100,
      time_zone: form.get('time_zone'),
      hours: lines(form.get('hours')),
      holidays: lines(form.get('holidays')),
      dispositions: parseDispositions(form.get('dispositions')),
      wrap_up_seconds: Number(form.get('wrap_up_seconds')),
      alerts: {
        longest_wait_seconds: levels(form, 'alert_wait', 1),
        service_level: levels(form, 'alert_sl', 100),
        agents_on_break: levels(form, 'alert_breaks', 1),
      },
    };
    const answer = String(form.get('answer_within_seconds')).trim();
    if (answer) body.answer_within_seconds = Number(answer);
    const script = String(form.get('script')).trim();
    if (script) body.script = script;
    const changed = editing.item;
    if (changed) {
      await api('PUT', `/api/queues/${changed.id}`, { ...body, ...unchanged(changed.settings) });
      say(`Queue ${body.name} saved.`);
    } else {
      await api('POST', '/api/queues', body);
      say(`Queue ${body.name} created.`);
    }
    editing.done();
    await load();
  });
});

attempt(load);
