// Security training: the courses, and for owners and admins everyone's
// standing, recording completions and adding courses.

import { api, attempt, el, say } from './api.js';

const $ = (id) => document.getElementById(id);
let courses = [];

async function standing() {
  const people = await api('GET', '/api/training/status');
  $('standing').replaceChildren(...people.map((p) => {
    const course = el('select', { 'aria-label': `Course completed by ${p.username}` }, courses.map((c) => el('option', { value: c.id }, c.title)));
    return el('tr', { class: p.current ? '' : 'overdue', 'data-user': p.username },
      el('td', {}, p.username), el('td', {}, p.current ? 'current' : p.lapsed),
      el('td', {}, course, el('button', { type: 'button', onclick: () => attempt(async () => {
        await api('POST', `/api/training/courses/${course.value}/completions`, { user_id: p.user_id });
        say(`Completion recorded for ${p.username}.`);
        await standing();
      }) }, 'Completed today')));
  }));
}

async function load() {
  courses = await api('GET', '/api/training/courses');
  $('courses').replaceChildren(...(courses.length ? courses.map((c) => el('tr', {}, el('td', {}, c.title), el('td', {}, `${c.validity_days} days`), el('td', {}, c.required ? 'yes' : 'no')))
    : [el('tr', {}, el('td', { colspan: 3 }, 'No courses yet.'))]));
  if ($('standing')) await standing();
}

$('course-form')?.addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const form = event.target;
    await api('POST', '/api/training/courses', { title: form.elements.title.value, validity_days: Number(form.elements.validity_days.value), required: form.elements.required.checked });
    say('Course added.');
    form.reset();
    await load();
  });
});

attempt(load);
