// The agent's state in the header of every page, with a selector to start
// work, take a break (with its reason), come back or stop. During a call
// the state shows and cannot be changed here. The desk and this selector
// tell each other of changes with a `trustline:agent` event.

import { api, attempt, say } from './api.js';

const select = document.getElementById('agent-header-state');
const BUSY = { reserved: 'Reserved for a call', on_call: 'On a call', wrap_up: 'In wrap-up' };
const WORDS = { offline: 'not working', available: 'available', break: 'on a break' };
let current = null;

function show(view) {
  current = view;
  select.querySelector('option[data-busy]')?.remove();
  const busy = BUSY[view.state];
  select.disabled = Boolean(busy);
  if (busy) {
    const option = new Option(busy, 'busy', true, true);
    option.dataset.busy = '';
    select.prepend(option);
    return;
  }
  select.value = view.state === 'break' ? `break:${view.reason}` : view.state;
}

// The steps from the state now to the one chosen.
function steps(choice) {
  const [kind, reason] = choice.split(':');
  if (kind === 'offline') return current.state === 'offline' ? [] : [{ event: 'log_out' }];
  const out = [];
  if (current.state === 'offline') out.push({ event: 'log_in' });
  else if (current.state === 'break') out.push({ event: 'end_break' });
  if (kind === 'break') out.push({ event: 'take_break', reason });
  return out;
}

select.addEventListener('change', () => attempt(async () => {
  let view = current;
  try {
    for (const step of steps(select.value)) view = await api('POST', '/api/agent/state', step);
  } finally {
    show(view);
    window.dispatchEvent(new CustomEvent('trustline:agent', { detail: { view, from: 'header' } }));
  }
  say(`You are ${WORDS[view.state] ?? view.state}${view.reason ? ` (${view.reason})` : ''}.`);
}));

window.addEventListener('trustline:agent', (event) => {
  if (event.detail.from !== 'header') show(event.detail.view);
});

async function refresh() {
  show(await api('GET', '/api/agent/state', undefined, { background: true }));
}
attempt(refresh);
setInterval(() => attempt(refresh), 15000);
