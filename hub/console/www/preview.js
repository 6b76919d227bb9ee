// Preview as the kiosk shows it: the hub has the kiosk binary draw the draft
// (POST /console/api/preview) at each screen size of the fleet in the
// standard, elder and contrast themes; the pictures go beside the form, and
// every one that does not fit says so, with what the kiosk found.
// Forms call showPreview(container, item), or addPreviewButton(form, fields)
// for a button of their own.
import { api, ApiError } from './api.js';
import { t } from './i18n.js';

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// What a problem is about, in the form's words: the kiosk names its widgets.
function part(id) {
  if (/\.title$/.test(id)) return t('alert_title');
  if (/\.body$/.test(id)) return t('alert_body');
  if (id === 'notice.meta') return t('fit_meta');
  return id;
}

function figure(p) {
  const fig = el('figure', undefined, p.fits ? 'fits' : 'no-fit');
  const img = el('img');
  // data: is in the console's CSP (img-src 'self' data:); nothing else is.
  img.src = `data:image/png;base64,${p.png}`;
  img.alt = t('preview_alt', { size: p.size, theme: t(`theme_${p.theme}`) });
  const [w, h] = p.size.split('x').map(Number);
  img.width = w;
  img.height = h;
  const cap = el('figcaption', `${p.size} · ${t(`theme_${p.theme}`)}`);
  if (!p.fits) {
    cap.append(' ', el('strong', t('preview_cell_bad')));
    const ul = el('ul');
    for (const q of p.problems) {
      const text = t(`fit_${q.kind}`, { what: part(q.id) });
      const li = el('li', text.startsWith('fit_') ? q.message : text);
      li.title = q.message;          // the kiosk's own words, for whoever fixes the screen
      ul.append(li);
    }
    cap.append(ul);
  }
  fig.append(img, cap);
  return fig;
}

// Draws ITEM (the form's fields: title, body, category, pinned; kind and the
// other kinds' fields optional) into CONTAINER. Returns the hub's answer, or
// null when there is none (the reason is shown in the container).
export async function showPreview(container, item) {
  container.setAttribute('aria-busy', 'true');
  container.replaceChildren(el('p', t('preview_drawing')));
  try {
    const r = await api('POST', 'preview', item);
    const summary = el('p', r.fits ? t('preview_fits') : t('preview_not_fit'), r.fits ? 'ok' : 'bad');
    if (!r.fits) summary.setAttribute('role', 'alert');
    const grid = el('div', undefined, 'preview-grid');
    for (const p of r.previews) grid.append(figure(p));
    container.replaceChildren(summary, grid);
    return r;
  } catch (e) {
    const known = e instanceof ApiError ? t(`err_${e.code}`) : '';
    const text = known && !known.startsWith('err_') ? known : t('err_other') + e.message;
    const p = el('p', text, 'bad');
    p.setAttribute('role', 'alert');
    container.replaceChildren(p);
    return null;
  } finally {
    container.removeAttribute('aria-busy');
  }
}

// A "preview" button at the end of FORM, and the pictures beside the form:
// FIELDS() gives the item as the form would send it.
export function addPreviewButton(form, fields) {
  const wrap = el('div', undefined, 'preview-wrap');
  form.before(wrap);
  const panel = el('div', undefined, 'preview-panel');
  panel.setAttribute('aria-live', 'polite');
  wrap.append(form, panel);
  const b = el('button', t('preview'));
  b.type = 'button';
  b.dataset.i18n = 'preview';
  b.className = 'preview-button';
  b.addEventListener('click', async () => {
    b.disabled = true;
    try { await showPreview(panel, fields()); } finally { b.disabled = false; }
  });
  form.append(b);
  return panel;
}
