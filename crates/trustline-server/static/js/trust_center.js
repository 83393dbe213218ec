// The trust center's overview: the evidence bundle of a chosen period.

const form = document.getElementById('bundle-form');
form?.addEventListener('submit', (event) => {
  event.preventDefault();
  const from = Date.parse(form.elements.from.value + 'T00:00:00Z') / 1000;
  const to = Date.parse(form.elements.to.value + 'T00:00:00Z') / 1000 + 86400;
  window.location.assign(`/api/trust/evidence?from=${from}&seconds=${to - from}`);
});
