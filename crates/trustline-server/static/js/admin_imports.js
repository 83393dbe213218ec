// Call-list import: the file's header is read here and each column gets a
// proposed field the admin can change (or ignore the column); the file is
// uploaded with a progress bar, the import's progress follows line by
// line, and the rejected rows are listed.

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
  return `${record.accepted} imported, ${record.linked} already known (added to the list with the details already held; `
    + `this file's values for them were not applied), ${record.duplicates} duplicates, `
    + `${record.suppressed} on the do-not-contact list, ${record.rejected} rejected.`;
}

// The header row's column names: the first line, split at the separator it
// uses most (comma, semicolon or tab), quotes respected.
// Each column with its proposed field, to confirm or change.
async function proposeMapping(file) {
  // The server reads the header as the upload will; 8 KiB holds it and stays
  // within a request's limit however the text is escaped.
  const proposal = await api('POST', '/api/imports/columns', { start: await file.slice(0, 8192).text() });
  if (!proposal.columns.length) throw new Error(`${file.name} has no header row: its first line must name the columns.`);
  $('mapping').replaceChildren(...proposal.columns.map(({ column, field }, i) => {
    const choice = el('select', { id: `map-${i}`, 'data-column': column },
      el('option', { value: '' }, 'choose a field…'),
      proposal.fields.map((f) => el('option', { value: f, selected: f === field }, f === 'ignore' ? 'ignore this column' : f)));
    return el('tr', {}, el('td', {}, el('label', { for: `map-${i}` }, column)), el('td', {}, choice));
  }));
  $('import-mapping').hidden = false;
}

// The mapping as the upload takes it; a column left unchosen is refused here.
function chosenMapping() {
  const choices = [...document.querySelectorAll('#mapping select')];
  const open = choices.filter((c) => !c.value).map((c) => c.dataset.column);
  if (open.length) throw new Error(`Choose a field for ${open.join(', ')}, or ignore ${open.length === 1 ? 'it' : 'them'}.`);
  const unwritable = choices.map((c) => c.dataset.column).filter((column) => /[,=]/.test(column));
  if (unwritable.length) throw new Error(`Rename ${unwritable.join(', ')} in the file: a column name cannot hold a comma or =.`);
  return choices.map((c) => `${c.dataset.column}=${c.value}`).join(',');
}

$('import-file').addEventListener('change', () => {
  const file = $('import-file').files[0];
  $('import-mapping').hidden = true;
  if (file) attempt(() => proposeMapping(file));
});

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
    const params = new URLSearchParams({ list: $('import-list').value.trim(), name: file.name, map: chosenMapping() });
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
