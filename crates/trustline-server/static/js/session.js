// Warns before an idle session ends, lets the person stay signed in, and
// signs out when the time is up. Screens that poll in the background keep
// the server's session fresh, so the idle limit is kept here as well.

import { api } from './api.js';

const idle = Number(document.querySelector('meta[name="idle-seconds"]')?.content ?? 0);
const WARN_BEFORE = 120;

if (idle > WARN_BEFORE) {
  const banner = document.getElementById('session-warning');
  let last = Date.now();
  const active = () => {
    last = Date.now();
    banner.hidden = true;
  };
  window.addEventListener('trustline:activity', active);
  document.addEventListener('keydown', active);
  document.addEventListener('pointerdown', active);
  document.getElementById('stay-signed-in')?.addEventListener('click', () => api('GET', '/api/me'));
  setInterval(() => {
    const left = idle - (Date.now() - last) / 1000;
    if (left <= 0) {
      document.querySelector('form[action="/logout"]')?.submit();
    } else if (left <= WARN_BEFORE) {
      banner.hidden = false;
      document.getElementById('session-left').textContent = `${Math.ceil(left / 60)} min`;
    }
  }, 5000);
}
