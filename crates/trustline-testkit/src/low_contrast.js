// Text on the page drawn with less contrast than WCAG 2.2 AA asks (1.4.3):
// 4.5:1, or 3:1 for large text (24px, or 18.66px bold). Each element with
// text of its own is measured against the first opaque background behind
// it, blending any translucent ones on the way. Disabled controls are exempt,
// as WCAG allows; text over a background image cannot be measured here and
// is left out.
const channels = (css) => {
  const m = css.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
};
const over = (top, below) => [0, 1, 2].map((i) => top[i] * top[3] + below[i] * (1 - top[3])).concat(1);
const luminance = (rgb) => {
  const [r, g, b] = rgb.slice(0, 3).map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
// The colour behind `element`, or null when an image is behind it.
const backdrop = (element) => {
  const layers = [];
  for (let e = element; e; e = e.parentElement) {
    const style = getComputedStyle(e);
    if (style.backgroundImage !== 'none') return null;
    const colour = channels(style.backgroundColor);
    if (colour && colour[3] > 0) {
      layers.push(colour);
      if (colour[3] === 1) break;
    }
  }
  return layers.reduceRight((below, top) => over(top, below), [255, 255, 255, 1]);
};
const found = [];
for (const element of document.body.querySelectorAll('*')) {
  const own = [...element.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim();
  if (!own || !element.checkVisibility() || element.closest(':disabled')) continue;
  const style = getComputedStyle(element);
  const behind = backdrop(element);
  const text = channels(style.color);
  if (!behind || !text) continue;
  const drawn = over(text, behind);
  const [light, dark] = [luminance(drawn), luminance(behind)].sort((a, b) => b - a);
  const ratio = (light + 0.05) / (dark + 0.05);
  const size = parseFloat(style.fontSize);
  const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
  if (ratio < (large ? 3 : 4.5)) {
    const name = element.id ? `#${element.id}` : element.tagName.toLowerCase() + (element.className ? `.${element.className}` : '');
    found.push(`${name} "${own.slice(0, 40)}": ${ratio.toFixed(2)}:1, ${style.color} on rgb(${behind.slice(0, 3).map(Math.round).join(', ')})`);
  }
}
return found;
