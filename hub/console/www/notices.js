// Notices: editors write and edit drafts, with pictures (uploaded as they
// are chosen: the hub checks, shrinks and strips them, and answers with
// the picture it kept, shown as a thumbnail); publishers approve, publish
// and withdraw. Buttons are offered by role; the hub decides (staff_may).
import { api, apiUpload } from './api.js';
import { t } from './i18n.js';
import { say, sayError } from './app.js';
import { addPreviewButton, fitsOrAsk } from './preview.js';

const $ = (id) => document.getElementById(id);
const rank = { viewer: 0, editor: 1, publisher: 2, admin: 3 };
let staff = null;
let pictures = [];                 // the form's: [{ sha256, width, height }]
const PICTURES_MAX = 8;
const PICTURE_BYTES_MAX = 8 * 1024 * 1024;

function showPictures() {
  const list = $('notice-picture-list');
  list.replaceChildren();
  pictures.forEach((p, i) => {
    const li = document.createElement('li');
    li.dataset.picture = p.sha256;
    const img = document.createElement('img');
    img.src = `api/pictures/${p.sha256}`;
    img.alt = p.width ? t('picture_n', { n: i + 1, w: p.width, h: p.height }) : t('pictures');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = t('picture_remove');
    remove.setAttribute('aria-label', `${t('picture_remove')} ${img.alt}`);
    remove.addEventListener('click', () => {
      pictures = pictures.filter((q) => q.sha256 !== p.sha256);
      showPictures();
      $('notice-picture-file').focus();
    });
    li.append(img, remove);
    list.appendChild(li);
  });
  $('notice-picture-file').disabled = pictures.length >= PICTURES_MAX;
}

// The chosen file, checked here for what can be (type, size) so a
// mistake is said at once; the hub checks everything again.
async function addPicture(file) {
  if (pictures.length >= PICTURES_MAX) return say(t('err_too_many_pictures'), true);
  if (file.type !== 'image/png' && file.type !== 'image/jpeg') return say(t('err_unsupported_type'), true);
  if (file.size > PICTURE_BYTES_MAX) return say(t('err_picture_too_large'), true);
  say(t('picture_uploading'));
  // The hub makes one picture at a time: during another one's turn it says
  // "busy", and apiUpload asks again after the seconds it names.
  const p = await apiUpload('pictures', file);
  if (!pictures.some((q) => q.sha256 === p.sha256)) pictures.push(p);
  showPictures();
  return say(t('picture_added', { w: p.width, h: p.height }));
}

$('notice-picture-file').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  if (!file) return;
  try {
    await addPicture(file);
  } catch (e) {
    sayError(e);
  } finally {
    ev.target.value = '';
  }
});

async function groupChoices() {
  if (staff.groups !== '*') return staff.groups.split(',');
  const f = await api('GET', 'fleet');
  return [...new Set(f.kiosks.map((k) => k.group).filter(Boolean))].sort();
}

async function fillGroups() {
  const box = $('notice-groups');
  for (const old of box.querySelectorAll('label')) old.remove();
  for (const g of await groupChoices()) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = g;
    label.append(input, ` ${g}`);
    box.appendChild(label);
  }
}

function button(text, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.addEventListener('click', async () => {
    try {
      await onClick();
      await loadNotices();
    } catch (e) { sayError(e); }
  });
  return b;
}

function editInForm(n) {
  $('notice-id').value = String(n.id);
  $('notice-title').value = n.title;
  $('notice-body').value = n.body;
  $('notice-title-en').value = n.title_en || '';
  $('notice-body-en').value = n.body_en || '';
  $('notice-category').value = n.category;
  $('notice-days').value = String(n.days);
  $('notice-pinned').checked = n.pinned;
  for (const i of document.querySelectorAll('#notice-groups input')) i.checked = n.groups.includes(i.value);
  pictures = (n.images || []).map((sha256) => ({ sha256 }));
  showPictures();
  $('notice-title').focus();
}

// The English title under the Chinese one in the list (written in the form when there is English).
function englishTitle(title) {
  const span = document.createElement('span');
  span.lang = 'en';
  span.className = 'en';
  span.textContent = t('in_english', { title });
  return span;
}

async function loadNotices() {
  const { notices } = await api('GET', 'notices');
  const rows = $('notice-rows');
  rows.replaceChildren();
  const canEdit = rank[staff.role] >= rank.editor;
  const canPublish = rank[staff.role] >= rank.publisher;
  for (const n of notices) {
    const tr = document.createElement('tr');
    tr.dataset.notice = String(n.id);
    const title = n.images && n.images.length ? `${n.title} · ${t('picture_count', { n: n.images.length })}` : n.title;
    for (const text of [title, n.groups.join(', '), t(`st_${n.state}`), n.author]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    if (n.title_en) tr.firstChild.append(document.createElement('br'), englishTitle(n.title_en));
    const actions = document.createElement('td');
    if (canEdit && (n.state === 'draft' || n.state === 'approved')) actions.append(button(t('edit'), async () => editInForm(n)));
    if (canPublish && n.state === 'draft') actions.append(button(t('approve'), () => fitsOrAsk(n).then(() => api('POST', `notices/${n.id}/approve`))));
    if (canPublish && n.state === 'approved') actions.append(button(t('publish'), () => fitsOrAsk(n).then(() => api('POST', `notices/${n.id}/publish`))));
    if (canPublish && n.state === 'published') actions.append(button(t('withdraw'), () => api('POST', `notices/${n.id}/withdraw`)));
    tr.appendChild(actions);
    rows.appendChild(tr);
  }
}

$('notice-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const id = $('notice-id').value;
  const body = {
    title: $('notice-title').value,
    body: $('notice-body').value,
    // English is optional: empty is none (the hub wants a title and a text, or neither).
    title_en: $('notice-title-en').value.trim() || null,
    body_en: $('notice-body-en').value.trim() || null,
    category: $('notice-category').value,
    days: Number($('notice-days').value),
    pinned: $('notice-pinned').checked,
    groups: [...document.querySelectorAll('#notice-groups input:checked')].map((i) => i.value),
    images: pictures.map((p) => p.sha256),
  };
  try {
    await api('POST', id ? `notices/${id}` : 'notices', body);
    say(t('saved'));
    $('notice-form').reset();
    $('notice-id').value = '';
    pictures = [];
    showPictures();
    await loadNotices();
  } catch (e) {
    sayError(e);
  }
});

// The kiosk's own pictures of the draft, beside the form (preview.js).
addPreviewButton($('notice-form'), () => ({
  title: $('notice-title').value, body: $('notice-body').value,
  category: $('notice-category').value, pinned: $('notice-pinned').checked,
  images: pictures.map((p) => p.sha256), groups: [...document.querySelectorAll('#notice-groups input:checked')].map((i) => i.value),
}));

document.addEventListener('console:signed-in', async (ev) => {
  staff = ev.detail;
  $('notices').hidden = false;
  $('notice-form').hidden = rank[staff.role] < rank.editor;
  try {
    await fillGroups();
    await loadNotices();
  } catch (e) {
    sayError(e);
  }
});
