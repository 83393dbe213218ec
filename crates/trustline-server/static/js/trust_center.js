// The trust center's overview: the evidence bundle of a chosen period,
// typed or taken from a preset (UTC days), and the controls table narrowed
// to a status and to a framework or one of its criteria.

const form = document.getElementById('bundle-form');
form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const from = Date.parse(form.elements.from.value + 'T00:00:00Z') / 1000;
  const to = Date.parse(form.elements.to.value + 'T00:00:00Z') / 1000 + 86400;
  window.location.assign(`/api/trust/evidence?from=${from}&seconds=${to - from}`);
});
for (const preset of form?.querySelectorAll('button[data-from]') ?? []) {
  preset.addEventListener('click', () => {
    form.elements.from.value = preset.dataset.from;
    form.elements.to.value = preset.dataset.to;
  });
}

const FRAMEWORKS = [['SOC 2', 3], ['ISO/IEC 27001', 4]];
const filter = document.getElementById('controls-filter');
const controls = [...document.querySelectorAll('table.controls tbody tr')].map((row) => ({
  row,
  status: row.cells[1].textContent.trim(),
  refs: FRAMEWORKS.map(([, cell]) => row.cells[cell].textContent.split(',').map((ref) => ref.trim()).filter(Boolean)),
}));

// Each framework, then each of its criteria in the order they sort.
const framework = filter.elements.framework;
FRAMEWORKS.forEach(([name], i) => {
  const group = document.createElement('optgroup');
  group.label = name;
  const criteria = [...new Set(controls.flatMap((c) => c.refs[i]))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const [value, label] of [[`${i}:`, `All of ${name}`], ...criteria.map((c) => [`${i}:${c}`, `${name} ${c}`])]) {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    group.append(option);
  }
  framework.append(group);
});

function narrow() {
  const status = filter.elements.status.value;
  const [i, criterion] = framework.value ? framework.value.split(/:(.*)/) : [null, ''];
  let shown = 0;
  for (const c of controls) {
    const refs = i === null ? [] : c.refs[Number(i)];
    const match = (!status || c.status === status) && (i === null || (criterion ? refs.includes(criterion) : refs.length > 0));
    c.row.hidden = !match;
    if (match) shown += 1;
  }
  document.getElementById('controls-shown').textContent = `${shown} of ${controls.length} controls shown`;
}
filter.addEventListener('change', narrow);
narrow();
