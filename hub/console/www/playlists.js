// Street screen playlists: editors write and edit drafts (name, priority,
// groups, weekdays, time windows, dates, items); publishers publish and
// withdraw them; everyone may see the day view of a kiosk of theirs: what
// its street screen plays at each hour of a date, as the hub computes it
// with the kiosk's own schedule engine. The hub checks every field and
// names the one it refuses; buttons are offered by role, the hub decides.
// Content ids are typed or chosen from the hub's content (a datalist).
import { api } from './api.js';
import { t } from './i18n.js';
import { say, sayError } from './app.js';

const $ = (id) => document.getElementById(id);
const rank = { viewer: 0, editor: 1, publisher: 2, admin: 3 };
let staff = null;
let lastDay = null;

function el(tag, text) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  return e;
}

function labelled(labelText, input) {
  input.setAttribute('aria-label', labelText);
  return input;
}

function removeButton(row) {
  const b = el('button', t('pl_remove'));
  b.type = 'button';
  b.className = 'remove';
  b.addEventListener('click', () => row.remove());
  return b;
}

function addWindow(from = '', to = '') {
  const row = el('div');
  row.className = 'row';
  const f = labelled(t('pl_from'), el('input'));
  f.type = 'time';
  f.required = true;
  f.value = from;
  f.className = 'win-from';
  const u = labelled(t('pl_to'), el('input'));
  u.type = 'time';
  u.required = true;
  u.value = to;
  u.className = 'win-to';
  row.append(f, ' – ', u, removeButton(row));
  $('playlist-window-rows').appendChild(row);
  return f;
}

function addItem(id = '', seconds = 15) {
  const row = el('div');
  row.className = 'row';
  const c = labelled(t('pl_content_id'), el('input'));
  c.type = 'number';
  c.min = '1';
  c.required = true;
  c.value = String(id);
  c.className = 'item-id';
  c.setAttribute('list', 'content-choices');
  const d = labelled(t('pl_seconds'), el('input'));
  d.type = 'number';
  d.min = '1';
  d.max = '3600';
  d.required = true;
  d.value = String(seconds);
  d.className = 'item-seconds';
  row.append(`${t('pl_content_id')} `, c, ` ${t('pl_seconds')} `, d, removeButton(row));
  $('playlist-item-rows').appendChild(row);
  return c;
}

function checkboxes(box, values, labelOf) {
  for (const old of box.querySelectorAll('label')) old.remove();
  for (const v of values) {
    const label = el('label');
    const input = el('input');
    input.type = 'checkbox';
    input.value = String(v);
    label.append(input, ` ${labelOf(v)}`);
    box.appendChild(label);
  }
}

async function groupChoices(kiosks) {
  if (staff.groups !== '*') return staff.groups.split(',');
  return [...new Set(kiosks.map((k) => k.group).filter(Boolean))].sort();
}

function resetForm() {
  $('playlist-form').reset();
  $('playlist-id').value = '';
  $('playlist-window-rows').replaceChildren();
  $('playlist-item-rows').replaceChildren();
  addItem();
}

function scheduleText(s) {
  const days = s.weekdays ? s.weekdays.map((d) => t(`wd${d}`)).join(' ') : t('pl_every_day');
  const wins = s.windows ? s.windows.map((w) => `${w.from}–${w.to}`).join(', ') : t('pl_all_day');
  const dates = s.from_date || s.to_date ? ` ${s.from_date ?? '…'} – ${s.to_date ?? '…'}` : '';
  return `${days}; ${wins}${dates}`;
}

function editInForm(p) {
  resetForm();
  $('playlist-item-rows').replaceChildren();
  $('playlist-id').value = String(p.id);
  $('playlist-name').value = p.name;
  $('playlist-priority').value = String(p.priority);
  for (const i of document.querySelectorAll('#playlist-groups input')) i.checked = p.groups.includes(i.value);
  const wd = p.schedule.weekdays || [];
  for (const i of document.querySelectorAll('#playlist-weekdays input')) i.checked = wd.includes(Number(i.value));
  for (const w of p.schedule.windows || []) addWindow(w.from, w.to === '24:00' ? '00:00' : w.to);
  $('playlist-from').value = p.schedule.from_date || '';
  $('playlist-to').value = p.schedule.to_date || '';
  for (const it of p.items) addItem(it.content_id, it.duration_s);
  $('playlist-name').focus();
}

function button(text, onClick) {
  const b = el('button', text);
  b.type = 'button';
  b.addEventListener('click', async () => {
    try {
      await onClick();
      await loadPlaylists();
    } catch (e) { sayError(e); }
  });
  return b;
}

async function loadPlaylists() {
  const { playlists } = await api('GET', 'playlists');
  const rows = $('playlist-rows');
  rows.replaceChildren();
  const canEdit = rank[staff.role] >= rank.editor;
  const canPublish = rank[staff.role] >= rank.publisher;
  for (const p of playlists) {
    const tr = el('tr');
    tr.dataset.playlist = String(p.id);
    for (const text of [p.name, String(p.priority), p.groups.join(', '), scheduleText(p.schedule), t(`st_${p.state}`)])
      tr.appendChild(el('td', text));
    const actions = el('td');
    actions.className = 'actions';
    if (canEdit && p.state === 'draft') actions.append(button(t('edit'), async () => editInForm(p)));
    if (canPublish && p.state === 'draft') actions.append(button(t('publish'), () => api('POST', `playlists/${p.id}/publish`)));
    if (canPublish && p.state === 'published') actions.append(button(t('withdraw'), () => api('POST', `playlists/${p.id}/withdraw`)));
    tr.appendChild(actions);
    rows.appendChild(tr);
  }
}

function formBody() {
  const schedule = {};
  const weekdays = [...document.querySelectorAll('#playlist-weekdays input:checked')].map((i) => Number(i.value));
  if (weekdays.length) schedule.weekdays = weekdays;
  // An end of 00:00 is the midnight after the start, as 24:00 is.
  const windows = [...document.querySelectorAll('#playlist-window-rows .row')].map((r) => ({
    from: r.querySelector('.win-from').value, to: r.querySelector('.win-to').value,
  }));
  if (windows.length) schedule.windows = windows;
  if ($('playlist-from').value) schedule.from_date = $('playlist-from').value;
  if ($('playlist-to').value) schedule.to_date = $('playlist-to').value;
  return {
    name: $('playlist-name').value,
    priority: Number($('playlist-priority').value),
    groups: [...document.querySelectorAll('#playlist-groups input:checked')].map((i) => i.value),
    schedule,
    items: [...document.querySelectorAll('#playlist-item-rows .row')].map((r) => ({
      content_id: Number(r.querySelector('.item-id').value),
      duration_s: Number(r.querySelector('.item-seconds').value),
    })),
  };
}

function playsText(plays) {
  return plays.map((p) => `${p.from}–${p.to} ${p.name ?? t('pl_nothing')}`).join('; ');
}

function showDay(d) {
  lastDay = d;
  $('day-caption').textContent = t('pl_day_of', { kiosk: d.kiosk ?? '', group: d.group, date: d.date, wd: t(`wd${d.weekday}`) });
  $('day-summary').textContent = [d.left_out ? t('pl_left_out', { n: d.left_out }) : '',
    d.unreadable ? t('pl_unreadable', { n: d.unreadable }) : ''].filter(Boolean).join(' ');
  const rows = $('day-rows');
  rows.replaceChildren();
  for (const h of d.hours) {
    const tr = el('tr');
    tr.dataset.hour = String(h.hour);
    tr.append(el('th', `${String(h.hour).padStart(2, '0')}:00`), el('td', playsText(h.plays)));
    tr.firstChild.scope = 'row';
    rows.appendChild(tr);
  }
  const changes = $('day-changes');
  changes.replaceChildren();
  for (const s of d.segments) {
    const li = el('li', `${s.from}–${s.to} ${s.name ?? t('pl_nothing')}`);
    const pl = d.playlists.find((p) => p.id === s.playlist_id && p.console_id === s.console_id);
    if (pl) li.title = pl.items.map((i) => `${i.title || i.content_id} (${i.duration_s}s)`).join(', ');
    changes.appendChild(li);
  }
  $('day-table').hidden = false;
  $('day-changes-title').hidden = false;
}

$('playlist-add-window').addEventListener('click', () => addWindow().focus());
$('playlist-add-item').addEventListener('click', () => addItem().focus());

$('playlist-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const id = $('playlist-id').value;
  try {
    await api('POST', id ? `playlists/${id}` : 'playlists', formBody());
    say(t('saved'));
    const { items } = await api('GET', 'playlist-content');
    $('content-choices').replaceChildren(...items.map((it) => {
      const o = el('option');
      o.value = String(it.id);
      o.label = `${it.title} (${it.kind})`;
      return o;
    }));
    resetForm();
    await loadPlaylists();
  } catch (e) {
    sayError(e);
  }
});

$('day-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = new URLSearchParams({ kiosk: $('day-kiosk').value });
  if ($('day-date').value) q.set('date', $('day-date').value);
  if ($('day-drafts').checked) q.set('drafts', '1');
  try {
    showDay(await api('GET', `dayview?${q}`));
    if (!$('day-date').value) $('day-date').value = lastDay.date;
  } catch (e) {
    sayError(e);
  }
});

document.addEventListener('console:signed-in', async (ev) => {
  staff = ev.detail;
  $('playlists').hidden = false;
  $('playlist-form').hidden = rank[staff.role] < rank.editor;
  try {
    const { kiosks } = await api('GET', 'fleet');
    checkboxes($('playlist-groups'), await groupChoices(kiosks), (g) => g);
    checkboxes($('playlist-weekdays'), [1, 2, 3, 4, 5, 6, 7], (d) => t(`wd${d}`));
    const sel = $('day-kiosk');
    sel.replaceChildren();
    for (const k of kiosks) {
      const o = el('option', k.name ? `${k.id} ${k.name}` : k.id);
      o.value = k.id;
      sel.appendChild(o);
    }
    resetForm();
    await loadPlaylists();
  } catch (e) {
    sayError(e);
  }
});
