// Notices: editors write and edit drafts; publishers approve, publish and
// withdraw. Buttons are offered by role; the hub decides (staff_may).
import { api } from './api.js';
import { t } from './i18n.js';
import { say, sayError } from './app.js';
import { addPreviewButton } from './preview.js';

const $ = (id) => document.getElementById(id);
const rank = { viewer: 0, editor: 1, publisher: 2, admin: 3 };
let staff = null;

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
  $('notice-category').value = n.category;
  $('notice-days').value = String(n.days);
  $('notice-pinned').checked = n.pinned;
  for (const i of document.querySelectorAll('#notice-groups input')) i.checked = n.groups.includes(i.value);
  $('notice-title').focus();
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
    for (const text of [n.title, n.groups.join(', '), t(`st_${n.state}`), n.author]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    const actions = document.createElement('td');
    if (canEdit && (n.state === 'draft' || n.state === 'approved')) actions.append(button(t('edit'), async () => editInForm(n)));
    if (canPublish && n.state === 'draft') actions.append(button(t('approve'), () => api('POST', `notices/${n.id}/approve`)));
    if (canPublish && n.state === 'approved') actions.append(button(t('publish'), () => api('POST', `notices/${n.id}/publish`)));
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
    category: $('notice-category').value,
    days: Number($('notice-days').value),
    pinned: $('notice-pinned').checked,
    groups: [...document.querySelectorAll('#notice-groups input:checked')].map((i) => i.value),
  };
  try {
    await api('POST', id ? `notices/${id}` : 'notices', body);
    say(t('saved'));
    $('notice-form').reset();
    $('notice-id').value = '';
    await loadNotices();
  } catch (e) {
    sayError(e);
  }
});

// The kiosk's own pictures of the draft, beside the form (preview.js).
addPreviewButton($('notice-form'), () => ({
  title: $('notice-title').value, body: $('notice-body').value,
  category: $('notice-category').value, pinned: $('notice-pinned').checked,
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
