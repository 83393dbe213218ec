// Secrets shown once (initial passwords, recovery codes, API tokens,
// signing secrets) get a Copy button and a Download link, so nobody has to
// select them by hand or retype them. Elements already on the page that are
// marked `data-keep="file name"` get them when the page loads.

// The two controls for `text`, saved as `filename`.
export function keepControls(text, filename) {
  const copy = document.createElement('button');
  copy.type = 'button';
  copy.className = 'keep';
  copy.textContent = 'Copy';
  copy.addEventListener('click', async () => {
    copy.textContent = await copied(text) ? 'Copied' : 'Copying was refused: select the text instead';
    setTimeout(() => { copy.textContent = 'Copy'; }, 3000);
  });
  const download = document.createElement('a');
  download.className = 'keep';
  download.download = filename;
  download.href = `data:text/plain;charset=utf-8,${encodeURIComponent(`${text}\n`)}`;
  download.textContent = 'Download';
  return [copy, download];
}

// Shows a secret in `shown` after `intro`, with its controls.
export function showOnce(shown, intro, secret, filename) {
  const code = document.createElement('code');
  code.textContent = secret;
  shown.replaceChildren(`${intro}: `, code, ' ', ...keepControls(secret, filename));
  shown.hidden = false;
}

async function copied(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

for (const shown of document.querySelectorAll('[data-keep]')) {
  const text = [...shown.querySelectorAll('li')].map((item) => item.textContent.trim()).join('\n') || shown.textContent.trim();
  const controls = document.createElement('p');
  controls.className = 'keep-controls';
  controls.append(...keepControls(text, shown.dataset.keep));
  shown.after(controls);
}
