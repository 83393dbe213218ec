// Warns before an idle session ends, and lets the person stay signed in.

import { api } from './api.js';

const idle = Number(document.querySelector('meta[name="idle-seconds"]')?.content ?? 0);
const WARN_BEFORE = 120;

if (idle > WARN_BEFORE) {
  const banner = document.getElementById('session-warning');
  let last = Date.now();
  window.addEventListener('trustline:activity', () => {
    last = Date.now();
    banner.hidden = true;
  });
  document.getElementById('stay-signed-in')?.addEventListener('click', () => api('GET', '/api/me'));
  setInterval(() => {
    const left = idle - (Date.now() - last) / 1000;
    if (left <= 0) {
      window.location.assign('/login');
    } else if (left <= WARN_BEFORE) {
      banner.hidden = false;
      document.getElementById('session-left').textContent = `${Math.ceil(left / 60)} min`;
    }
  }, 5000);
}
