// Calls the JSON API as the signed-in person: the session cookie goes with
// every request and state changes carry the page's CSRF token.

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// `background` calls (polling) are not the person's activity: they do not
// hold off the idle warning.
export async function api(method, path, body, { background = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  let payload;
  if (body instanceof FormData || body instanceof Blob) {
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (response.status === 401) {
    window.location.assign('/login');
    throw new ApiError(401, 'signed_out', 'your session has ended; sign in again');
  }
  const type = response.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const error = data?.error ?? {};
    throw new ApiError(response.status, error.code ?? 'error', error.message ?? `request failed (${response.status})`);
  }
  if (!background) window.dispatchEvent(new Event('trustline:activity'));
  return data;
}

// Follows a Server-Sent Events feed, with `handlers` by event name. The
// server ends a feed whose session is over: the person signs in again.
export function follow(path, handlers) {
  const feed = new EventSource(path);
  for (const [name, handle] of Object.entries(handlers)) feed.addEventListener(name, handle);
  feed.addEventListener('signed_out', () => {
    feed.close();
    window.location.assign('/login');
  });
  return feed;
}

// Builds an element without parsing HTML: text is always text.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// What the page is showing now (on the desk: the agent's state and call).
// A message belongs to the situation it was said in and is cleared when
// that changes, so the status line never describes a moment that passed.
let current = '';
let saidIn = null;
export function situation(key) {
  current = key;
  if (saidIn !== null && saidIn !== key) say('');
}

// Shows a message in the page's status line (role="status"), or an error
// (role="alert"); an empty text clears it (and an empty line takes no room).
export function say(text, isError = false) {
  const status = document.getElementById('status');
  if (!status) return;
  status.textContent = text;
  status.className = isError ? 'error' : 'notice';
  status.setAttribute('role', isError ? 'alert' : 'status');
  saidIn = text ? current : null;
}

export function when(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

// A length of time as m:ss, or h and min from an hour on; '—' for none.
export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  return s >= 3600 ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// A fraction as a percentage with one decimal; '—' for none.
export const percent = (rate) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`);

// A time in this person's own zone, e.g. "18 Mar 2030, 13:05".
export function whenHere(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  return new Date(seconds * 1000).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// The time of day now in `zone` (an IANA name), or null for a zone this
// browser does not know.
export function timeIn(zone) {
  try {
    return new Date().toLocaleTimeString(undefined, { timeZone: zone, hour: '2-digit', minute: '2-digit', weekday: 'short' });
  } catch {
    return null;
  }
}

// A click handler for a step that cannot be undone: the first click asks
// (the button says `question`), a second within five seconds does it.
export function confirmFirst(button, question, work) {
  const label = button.textContent;
  let timer = null;
  return () => {
    if (timer === null) {
      button.textContent = question;
      timer = setTimeout(() => { button.textContent = label; timer = null; }, 5000);
      return;
    }
    clearTimeout(timer);
    timer = null;
    button.textContent = label;
    work();
  };
}

// Runs `work`, reporting an ApiError in the status line instead of throwing.
export async function attempt(work) {
  try {
    return await work();
  } catch (error) {
    say(error.message, true);
    return undefined;
  }
}
