// Events, lectures, library items and service guides: editors write and
// edit drafts (the form shows the fields of the chosen kind: a start and
// places for events and lectures, steps and the rest for guides);
// publishers approve, publish, withdraw and change places. The hub checks
// every field and names the one it refuses; buttons are offered by role,
// the hub decides. Everything shown is set with textContent or built as
// elements, so nothing a colleague wrote can become markup.
import { api } from './api.js';
import { t } from './i18n.js';
import { say, sayError } from './app.js';
import { addPreviewButton, fitsOrAsk } from './preview.js';

const $ = (id) => document.getElementById(id);
const rank = { viewer: 0, editor: 1, publisher: 2, admin: 3 };
// The categories of each kind (docs/api.md "Content").
const categories = {
  event: ['culture', 'digital', 'health'],
  lecture: ['safety', 'health'],
  library: ['books', 'reading', 'hours'],
  guide: ['one_stop'],
};
const guideTexts = ['where', 'hours', 'phone', 'fee'];
let staff = null;

function el(tag, text) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  return e;
}

function timed(kind) { return kind === 'event' || kind === 'lecture'; }

// The fields of the form's kind: categories, and only its own inputs shown.
function showKind(category) {
  const kind = $('item-kind').value;
  const sel = $('item-category');
  sel.replaceChildren(...categories[kind].map((c) => {
    const o = el('option', t(`cat_${c}`));
    o.value = c;
    return o;
  }));
  if (category) sel.value = category;
  for (const e of document.querySelectorAll('#item-form .it-timed')) e.hidden = !timed(kind);
  for (const e of document.querySelectorAll('#item-form .it-guide')) e.hidden = kind !== 'guide';
  $('item-start-date').required = timed(kind);
  $('item-start-time').required = timed(kind);
  $('item-steps').required = kind === 'guide';
}

async function fillGroups() {
  let groups;
  if (staff.groups !== '*') {
    groups = staff.groups.split(',');
  } else {
    const f = await api('GET', 'fleet');
    groups = [...new Set(f.kiosks.map((k) => k.group).filter(Boolean))].sort();
  }
  const box = $('item-groups');
  for (const old of box.querySelectorAll('label')) old.remove();
  for (const g of groups) {
    const label = el('label');
    const input = el('input');
    input.type = 'checkbox';
    input.value = g;
    label.append(input, ` ${g}`);
    box.appendChild(label);
  }
}

function resetForm() {
  $('item-form').reset();
  $('item-id').value = '';
  showKind();
}

function lines(text) {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

// A guide's data from the form's fields whose ids end in SUFFIX ('' or '-en').
function guideData(suffix) {
  const d = { steps: lines($(`item-steps${suffix}`).value) };
  const bring = lines($(`item-bring${suffix}`).value);
  if (bring.length) d.bring = bring;
  for (const k of guideTexts) if ($(`item-${k}${suffix}`).value.trim()) d[k] = $(`item-${k}${suffix}`).value.trim();
  return d;
}

function formBody() {
  const kind = $('item-kind').value;
  const b = {
    kind,
    title: $('item-title').value,
    body: $('item-body').value,
    category: $('item-category').value,
    groups: [...document.querySelectorAll('#item-groups input:checked')].map((i) => i.value),
    published: $('item-published').value || null,
    expires: $('item-expires').value || null,
    pinned: $('item-pinned').checked,
  };
  if (timed(kind)) {
    b.starts = `${$('item-start-date').value} ${$('item-start-time').value}`;
    b.places = $('item-places').value ? Number($('item-places').value) : null;
  }
  if (kind === 'guide') b.data = guideData('');
  // English is optional: empty is none; a guide in English has its guide data in English too.
  b.title_en = $('item-title-en').value.trim() || null;
  b.body_en = $('item-body-en').value.trim() || null;
  if (kind === 'guide' && b.title_en) b.data_en = guideData('-en');
  return b;
}

function editInForm(it) {
  resetForm();
  $('item-id').value = String(it.id);
  $('item-kind').value = it.kind;
  showKind(it.category);
  $('item-title').value = it.title;
  $('item-body').value = it.body;
  $('item-published').value = it.published || '';
  $('item-expires').value = it.expires || '';
  $('item-pinned').checked = it.pinned;
  for (const i of document.querySelectorAll('#item-groups input')) i.checked = it.groups.includes(i.value);
  if (it.starts) {
    $('item-start-date').value = it.starts.slice(0, 10);
    $('item-start-time').value = it.starts.slice(11);
  }
  $('item-places').value = it.places ? String(it.places) : '';
  $('item-title-en').value = it.title_en || '';
  $('item-body-en').value = it.body_en || '';
  for (const [suffix, d] of [['', it.data || {}], ['-en', it.data_en || {}]]) {
    $(`item-steps${suffix}`).value = (d.steps || []).join('\n');
    $(`item-bring${suffix}`).value = (d.bring || []).join('\n');
    for (const k of guideTexts) $(`item-${k}${suffix}`).value = d[k] || '';
  }
  $('item-title').focus();
}

function whenText(it) {
  if (it.starts) return it.starts;
  const parts = [];
  if (it.published) parts.push(t('it_from', { date: it.published }));
  if (it.expires) parts.push(t('it_until', { date: it.expires }));
  return parts.join(' ') || '-';
}

function placesText(it) {
  if (!timed(it.kind)) return '-';
  if (!it.places) return t('it_open');
  return t('it_registered', { n: it.registered ?? 0, places: it.places });
}

function button(text, onClick) {
  const b = el('button', text);
  b.type = 'button';
  b.addEventListener('click', async () => {
    try {
      await onClick();
      say(t('saved'));
      await loadItems();
    } catch (e) { sayError(e); }
  });
  return b;
}

// A number input and its button: the places of an event or lecture.
function placesControl(it) {
  const span = el('span');
  const input = el('input');
  input.type = 'number';
  input.min = String(Math.max(1, it.registered ?? 0));
  input.max = '10000';
  input.value = String(it.places ?? '');
  input.className = 'places';
  input.setAttribute('aria-label', `${t('it_new_places')}: ${it.title}`);
  span.append(input, button(t('it_set_places'), () => api('POST', `items/${it.id}/places`, { places: Number(input.value) })));
  return span;
}

async function loadItems() {
  const { items } = await api('GET', 'items');
  const rows = $('item-rows');
  rows.replaceChildren();
  const canEdit = rank[staff.role] >= rank.editor;
  const canPublish = rank[staff.role] >= rank.publisher;
  for (const it of items) {
    const tr = el('tr');
    tr.dataset.item = String(it.id);
    for (const text of [it.title, t(`kind_${it.kind}`), it.groups.join(', '), whenText(it), placesText(it), t(`st_${it.state}`)])
      tr.appendChild(el('td', text));
    if (it.title_en) {
      const en = el('span', t('in_english', { title: it.title_en }));
      en.lang = 'en';
      en.className = 'en';
      tr.firstChild.append(el('br'), en);
    }
    const actions = el('td');
    actions.className = 'actions';
    if (canEdit && (it.state === 'draft' || it.state === 'approved')) actions.append(button(t('edit'), async () => editInForm(it)));
    if (canPublish && it.state === 'draft') actions.append(button(t('approve'), () => fitsOrAsk(it).then(() => api('POST', `items/${it.id}/approve`))));
    if (canPublish && it.state === 'approved') actions.append(button(t('publish'), () => fitsOrAsk(it).then(() => api('POST', `items/${it.id}/publish`))));
    if (canPublish && it.state === 'published') actions.append(button(t('withdraw'), () => api('POST', `items/${it.id}/withdraw`)));
    if (canPublish && timed(it.kind) && it.state === 'published') actions.append(placesControl(it));
    tr.appendChild(actions);
    rows.appendChild(tr);
  }
}

$('item-kind').addEventListener('change', () => showKind());
// The other language: the category names and the list in it (app.js turns the labels).
$('lang').addEventListener('click', async () => {
  if (!staff || $('items').hidden) return;    // signed out: nothing to show
  showKind($('item-category').value);
  try { await loadItems(); } catch (e) { sayError(e); }
});

$('item-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const id = $('item-id').value;
  try {
    await api('POST', id ? `items/${id}` : 'items', formBody());
    say(t('saved'));
    resetForm();
    await loadItems();
  } catch (e) {
    sayError(e);
  }
});

// The kiosk's own pictures of the draft, beside the form (preview.js).
addPreviewButton($('item-form'), formBody);

document.addEventListener('console:signed-in', async (ev) => {
  staff = ev.detail;
  $('items').hidden = false;
  $('item-form').hidden = rank[staff.role] < rank.editor;
  try {
    await fillGroups();
    resetForm();
    await loadItems();
  } catch (e) {
    sayError(e);
  }
});
