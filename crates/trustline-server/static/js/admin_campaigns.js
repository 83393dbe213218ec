// Campaigns: the list with start, pause and finish, and a form for a new
// campaign or, after Edit, a change to one (lists, mode, caller ID, hours,
// holidays, retries, wrap-up, cap, script, dispositions).

import { api, attempt, confirmFirst, el, say } from './api.js';
import { FormEditing } from './form_editing.js';
import { dispositionLines, levels, lines, parseDispositions } from './work_rules.js';

const $ = (id) => document.getElementById(id);
const MOVES = { draft: ['running'], running: ['paused', 'finished'], paused: ['running', 'finished'], finished: [] };
const LABELS = { running: 'Start', paused: 'Pause', finished: 'Finish' };
const editing = new FormEditing($('campaign-form'));

async function load() {
  const [campaigns, lists] = await Promise.all([api('GET', '/api/campaigns'), api('GET', '/api/lists')]);
  const names = new Map(lists.map((l) => [l.id, l.name]));
  $('campaigns').replaceChildren(...campaigns.map((c) => el('tr', { 'data-campaign': c.id },
    el('td', {}, c.name), el('td', {}, c.settings.mode), el('td', {}, c.status),
    el('td', {}, c.list_ids.map((id) => names.get(id) ?? id).join(', ')),
    el('td', { class: 'actions' }, (MOVES[c.status] ?? []).map((to) => move(c, to)),
      c.status === 'finished' ? null : el('button', { type: 'button', class: 'secondary', onclick: () => edit(c) }, 'Edit')))));
  $('campaign-lists').replaceChildren(...lists.map((l) => el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'lists', value: l.name }), ` ${l.name} (${l.members})`)));
}

// The form, filled with the campaign's settings as they are.
function edit(c) {
  const s = c.settings;
  editing.edit(c, (fields) => {
    fields.name.value = s.name;
    fields.mode.value = s.mode;
    for (const box of document.querySelectorAll('#campaign-lists input')) box.checked = s.lists.includes(box.value);
    fields.caller_id.value = s.caller_id ?? '';
    fields.hours.value = s.hours.join('\n');
    fields.holidays.value = s.holidays.join('\n');
    fields.max_attempts.value = s.retry.max_attempts;
    fields.retry_delay_minutes.value = Math.round(s.retry.delay_seconds / 60);
    fields.wrap_up_seconds.value = s.wrap_up_seconds;
    fields.abandonment_cap.value = Math.round(s.abandonment.cap * 1000) / 10;
    fields.script.value = s.script;
    fields.dispositions.value = dispositionLines(s.dispositions);
    const a = s.alerts;
    [fields.alert_abandon_amber.value, fields.alert_abandon_red.value] = [a.abandonment_of_cap.amber * 100, a.abandonment_of_cap.red * 100];
    [fields.alert_breaks_amber.value, fields.alert_breaks_red.value] = [a.agents_on_break.amber, a.agents_on_break.red];
  });
}

// A status button; finishing cannot be undone, so it asks first.
function move(c, to) {
  const button = el('button', { type: 'button' }, LABELS[to]);
  const act = () => attempt(async () => {
    await api('POST', `/api/campaigns/${c.id}/status`, { status: to });
    say(`${c.name}: ${to}.`);
    await load();
  });
  button.onclick = to === 'finished' ? confirmFirst(button, `Finish ${c.name} for good? Click again`, act) : act;
  return button;
}

$('campaign-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const form = new FormData(event.target);
    const body = {
      name: form.get('name'),
      mode: form.get('mode'),
      lists: form.getAll('lists'),
      hours: lines(form.get('hours')),
      holidays: lines(form.get('holidays')),
      dispositions: parseDispositions(form.get('dispositions')),
      max_attempts: Number(form.get('max_attempts')),
      retry_delay_minutes: Number(form.get('retry_delay_minutes')),
      wrap_up_seconds: Number(form.get('wrap_up_seconds')),
      abandonment_cap: Number(form.get('abandonment_cap')) / 100,
      alerts: { abandonment_of_cap: levels(form, 'alert_abandon', 100), agents_on_break: levels(form, 'alert_breaks', 1) },
    };
    const script = String(form.get('script')).trim();
    if (script) body.script = script;
    const callerId = String(form.get('caller_id')).trim();
    if (callerId) body.caller_id = callerId;
    const changed = editing.item;
    if (changed) {
      body.abandonment_window = changed.settings.abandonment.window === 'hours24' ? '24h' : '30d';
      await api('PUT', `/api/campaigns/${changed.id}`, body);
      say(`Campaign ${body.name} saved.`);
    } else {
      await api('POST', '/api/campaigns', body);
      say(`Campaign ${body.name} created; start it when ready.`);
    }
    editing.done();
    await load();
  });
});

attempt(load);
