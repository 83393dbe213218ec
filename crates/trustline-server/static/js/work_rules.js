// The parts of a campaign's or queue's rules that admins write as lines of
// text (hours, holidays and dispositions) or as pairs of fields (alert
// levels), and how the wallboard judges a figure by those levels. The server checks them again and
// names any field it refuses.

const OUTCOMES = ['success', 'final', 'callback', 'retry_later', 'do_not_call', 'wrong_number'];

// The non-empty lines of a text field, trimmed.
export function lines(text) {
  return String(text ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
}

// "code, label, outcome" per line → dispositions; none: undefined (the
// server's default set). A line that does not read is refused by number.
export function parseDispositions(text) {
  const given = lines(text);
  if (given.length === 0) return undefined;
  return given.map((line, i) => {
    const parts = line.split(',').map((part) => part.trim());
    if (parts.length !== 3 || !parts[0] || !parts[1]) {
      throw new Error(`Dispositions, line ${i + 1}: write a code, a label and an outcome, separated by commas.`);
    }
    const [code, label, outcome] = parts;
    if (!OUTCOMES.includes(outcome)) {
      throw new Error(`Dispositions, line ${i + 1}: the outcome must be one of ${OUTCOMES.join(', ')}.`);
    }
    return { code, label, outcome };
  });
}

// Dispositions → the lines parseDispositions reads back.
export function dispositionLines(dispositions) {
  return dispositions.map((d) => `${d.code}, ${d.label}, ${d.outcome}`).join('\n');
}

// The amber and red levels of the fields `{prefix}_amber` and `{prefix}_red`,
// written in `unit`s (100: percent) of the value the API takes.
export function levels(form, prefix, unit) {
  return { amber: Number(form.get(`${prefix}_amber`)) / unit, red: Number(form.get(`${prefix}_red`)) / unit };
}

// 'red', 'amber' or '' for `value` against `levels`; `lowerIsWorse` for
// figures such as a service level.
export function alertOf(value, levels, lowerIsWorse = false) {
  if (value === null || value === undefined || Number.isNaN(value) || !levels) return '';
  const past = (limit) => (lowerIsWorse ? value < limit : value >= limit);
  if (past(levels.red)) return 'red';
  return past(levels.amber) ? 'amber' : '';
}
