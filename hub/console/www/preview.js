// Preview as the kiosk shows it: the hub has the kiosk binary draw the draft
// (POST /console/api/preview) at each screen size of the fleet in the
// standard, elder and contrast themes; the pictures go beside the form, and
// every one that does not fit says so, with what the kiosk found.
// Forms call showPreview(container, item), or addPreviewButton(form, fields)
// for a button of their own; their approve and publish buttons call
// fitsOrAsk(item) first, so what does not fit is flagged without a click.
import { api, ApiError } from './api.js';
import { t } from './i18n.js';
import { say } from './app.js';

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

// The preview's item from a form's body or a listed notice or item: an
// event's start "YYYY-MM-DD HH:MM" (China time, as the console writes it)
// as the kiosk's seconds; its places with those left (all of a draft's).
// Groups go along: the hub draws at the sizes of their kiosks.
export function previewItem(x) {
  const p = { kind: x.kind || 'notice', title: x.title, body: x.body, category: x.category, pinned: !!x.pinned };
  if (x.groups && x.groups.length) p.groups = x.groups;
  if (x.images && x.images.length) p.images = x.images;
  if (x.data) p.data = x.data;
  if (x.starts) {
    const ms = Date.parse(`${x.starts.replace(' ', 'T')}:00+08:00`);
    if (!Number.isNaN(ms)) p.starts = ms / 1000;
  }
  if (x.places) {
    p.places = x.places;
    p.left = Math.max(0, x.places - (x.registered || 0));
  }
  return p;
}

// The last few answers, by the item drawn: approving and then publishing
// the same content (or publishing what was just previewed) draws it once.
// Kept small: an answer holds every picture.
const answers = new Map();
const ANSWERS_MAX = 4;

async function preview(item) {
  const key = JSON.stringify(item);
  if (answers.has(key)) return answers.get(key);
  const r = await api('POST', 'preview', item);
  answers.set(key, r);
  if (answers.size > ANSWERS_MAX) answers.delete(answers.keys().next().value);
  return r;
}

// Draws ITEM (the form's fields: title, body, category, pinned; kind and the
// other kinds' fields optional) into CONTAINER. Returns the hub's answer, or
// null when there is none (the reason is shown in the container).
export async function showPreview(container, item) {
  container.setAttribute('aria-busy', 'true');
  container.replaceChildren(el('p', t('preview_drawing')));
  try {
    const r = await preview(item);
    const summary = el('p', r.fits ? t('preview_fits') : t('preview_not_fit'), r.fits ? 'ok' : 'bad');
    if (!r.fits) summary.setAttribute('role', 'alert');
    // Where the sizes came from: the draft's groups' kiosks, or hub.ini.
    const from = el('p', t(r.sizes_from === 'fleet' ? 'preview_sizes_fleet' : 'preview_sizes_config'), 'sizes-from');
    const grid = el('div', undefined, 'preview-grid');
    for (const p of r.previews) grid.append(figure(p));
    container.replaceChildren(summary, from, grid);
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
    try { await showPreview(panel, previewItem(fields())); } finally { b.disabled = false; }
  });
  form.append(b);
  return panel;
}

// A modal question: TITLE, the lines of TEXT and the no-fit FIGURES (may be
// empty), "cancel" focused first; true when the publisher goes on.
function ask(title, lines, figures) {
  const d = el('dialog', undefined, 'fit-confirm');
  d.setAttribute('aria-labelledby', 'fit-confirm-title');
  const h = el('h2', title);
  h.id = 'fit-confirm-title';
  const ul = el('ul');
  for (const line of lines) ul.append(el('li', line));
  const grid = el('div', undefined, 'preview-grid');
  grid.append(...figures);
  const f = el('form');
  f.method = 'dialog';
  const no = el('button', t('fit_confirm_no'));
  no.value = 'no';
  no.autofocus = true;
  const yes = el('button', t('fit_confirm_yes'), 'danger');
  yes.value = 'yes';
  f.append(no, ' ', yes);
  d.append(h, ul, grid, f);
  document.body.append(d);
  return new Promise((resolve) => {
    d.addEventListener('close', () => {
      resolve(d.returnValue === 'yes');
      d.remove();
    });
    d.showModal();
  });
}

// Before an approve or a publish of X (a listed notice or item, or a form's
// body): the kiosk's pictures of it (drawn now, or the last ones of the same
// content), and when some size or theme does not fit, a question naming
// them. Resolves to go on; throws ApiError 'publish_cancelled' when the
// publisher keeps it back. With previews off it goes on and says so; when
// a preview fails it asks, saying why. The hub's own routes never wait for
// a preview (seconds of drawing): this is the page's check.
export async function fitsOrAsk(x) {
  const item = previewItem(x);
  let r;
  say(t('fit_checking'));
  try {
    r = await preview(item);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'preview_unavailable') {
      say(t('err_preview_unavailable'));
      return;
    }
    const known = e instanceof ApiError ? t(`err_${e.code}`) : '';
    const why = known && !known.startsWith('err_') ? known : e.message;
    if (await ask(t('fit_unchecked_title', { title: x.title }), [why], [])) return;
    throw new ApiError(0, 'publish_cancelled', 'kept back');
  }
  const bad = r.previews.filter((p) => !p.fits);
  if (!bad.length) return;
  const lines = bad.map((p) => `${p.size} · ${t(`theme_${p.theme}`)}`);
  if (await ask(t('fit_confirm_title', { title: x.title }), lines, bad.map(figure))) return;
  throw new ApiError(0, 'publish_cancelled', 'kept back');
}
