// Devices, for admins: the kiosks of the admin's groups, enrolling a new one,
// a new token for one, revoking one. A token is in the hub's answer once: it
// is shown here once (with a copy button and a warning) and forgotten when
// the box is closed or another device is changed; the hub keeps only a hash.
import { api } from './api.js';
import { t } from './i18n.js';
import { say, sayError } from './app.js';

const $ = (id) => document.getElementById(id);

function showToken(id, token) {
  $('dev-token-id').textContent = id;
  $('dev-token').textContent = token;
  $('dev-token-box').hidden = false;
  $('dev-token-copy').focus();
}

function hideToken() {
  $('dev-token').textContent = '';
  $('dev-token-id').textContent = '';
  $('dev-token-box').hidden = true;
}

function cell(tr, text) {
  const td = document.createElement('td');
  td.textContent = text;
  tr.appendChild(td);
  return td;
}

function actionButton(td, label, id, action, confirmKey) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = t(label);
  b.dataset.action = action;
  b.addEventListener('click', async () => {
    if (!window.confirm(t(confirmKey).replace('{id}', id))) return;
    hideToken();
    try {
      const r = await api('POST', `devices/${encodeURIComponent(id)}/${action}`);
      if (r.token) showToken(id, r.token);
      else say(t('dev_revoked_ok'));
      await loadDevices();
    } catch (e) { sayError(e); }
  });
  td.appendChild(b);
}

async function loadDevices() {
  const { devices } = await api('GET', 'devices');
  const rows = $('device-rows');
  rows.replaceChildren();
  for (const d of devices) {
    const tr = document.createElement('tr');
    tr.dataset.device = d.id;
    cell(tr, d.id);
    cell(tr, d.group || '—');
    cell(tr, d.community || '—');
    cell(tr, d.last_seen ? new Date(d.last_seen * 1000).toLocaleString() : t('never'));
    cell(tr, d.revoked ? t('dev_revoked') : t('dev_active'));
    const td = cell(tr, '');
    if (!d.revoked) {
      actionButton(td, 'dev_rotate', d.id, 'rotate', 'dev_rotate_confirm');
      actionButton(td, 'dev_revoke', d.id, 'revoke', 'dev_revoke_confirm');
    }
    rows.appendChild(tr);
  }
}

$('device-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  hideToken();
  const id = $('dev-id').value.trim();
  try {
    const r = await api('POST', 'devices', {
      id,
      group: $('dev-group').value.trim(),
      community: $('dev-community').value.trim() || null,
    });
    $('device-form').reset();
    showToken(id, r.token);
    await loadDevices();
  } catch (e) {
    if (e.code === 'exists') say(t('dev_exists'), true);
    else sayError(e);
  }
});

$('dev-token-copy').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('dev-token').textContent);
    say(t('dev_copied'));
  } catch {
    // No clipboard (plain http, or refused): the token stays selectable.
    const range = document.createRange();
    range.selectNodeContents($('dev-token'));
    window.getSelection().removeAllRanges();
    window.getSelection().addRange(range);
    say(t('dev_copy_by_hand'), true);
  }
});

$('dev-token-done').addEventListener('click', hideToken);

document.addEventListener('console:signed-in', async (ev) => {
  const me = ev.detail;
  hideToken();
  $('devices').hidden = me.role !== 'admin';
  if (me.role !== 'admin') return;
  try { await loadDevices(); } catch (e) { sayError(e); }
});
