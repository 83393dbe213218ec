// Call-list import: the file is uploaded with a progress bar, the import's
// progress follows line by line, and the rejected rows are listed.

import { api, attempt, el, say, when } from './api.js';

const $ = (id) => document.getElementById(id);
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

async function lines(file) {
  let count = 0;
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (const byte of value) if (byte === 10) count += 1;
  }
  return count;
}

// fetch() cannot report upload progress; XMLHttpRequest can.
function upload(url, file, progress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.setRequestHeader('Content-Type', 'text/csv');
    request.setRequestHeader('X-CSRF-Token', csrf);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) progress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      const body = JSON.parse(request.responseText || '{}');
      if (request.status === 202) resolve(body);
      else reject(new Error(body.error?.message ?? `upload refused (${request.status})`));
    });
    request.addEventListener('error', () => reject(new Error('the upload failed; check the connection and try again')));
    request.send(file);
  });
}

function counts(record) {
  return `${record.accepted} imported, ${record.linked} already known and added to the list, ${record.duplicates} duplicates, `
    + `${record.suppressed} on the do-not-contact list, ${record.rejected} rejected.`;
}

async function follow(id, total) {
  const bar = $('import-bar');
  for (;;) {
    const record = await api('GET', `/api/imports/${id}`, undefined, { background: true });
    // The first half of the bar is the upload; the second the rows.
    bar.value = 50 + 50 * Math.min(1, (record.next_line - 1) / Math.max(1, total));
    $('import-counts').textContent = counts(record);
    if (record.finished) {
      bar.value = 100;
      return record;
    }
    await new Promise((done) => setTimeout(done, 300));
  }
}

async function rejected(id) {
  const { rejections } = await api('GET', `/api/imports/${id}/rejections?limit=1000`);
  $('import-rejections-csv').href = `/api/imports/${id}/rejections?format=csv`;
  $('rejections').replaceChildren(...rejections.map((r) => el('tr', {}, el('td', {}, r.line), el('td', {}, r.field), el('td', {}, r.reason))));
  $('import-rejections').hidden = rejections.length === 0;
}

async function lists() {
  const all = await api('GET', '/api/lists');
  $('lists').replaceChildren(...all.map((l) => el('tr', {}, el('td', {}, l.name), el('td', {}, l.members), el('td', {}, l.status), el('td', {}, when(l.created_at)))));
}

$('import-form').addEventListener('submit', (event) => {
  event.preventDefault();
  attempt(async () => {
    const file = $('import-file').files[0];
    const params = new URLSearchParams({ list: $('import-list').value.trim(), name: file.name });
    const region = $('import-region').value.trim();
    if (region) params.set('region', region.toUpperCase());
    $('import-progress').hidden = false;
    $('import-rejections').hidden = true;
    $('import-bar').value = 0;
    const total = Math.max(0, (await lines(file)) - 1);
    say(`Uploading ${file.name} (${total} rows)…`);
    const started = await upload(`/api/imports?${params}`, file, (share) => { $('import-bar').value = 50 * share; });
    say('Importing…');
    const record = await follow(started.id, total);
    say(`Import finished: ${counts(record)}`);
    await rejected(started.id);
    await lists();
  });
});

attempt(lists);
