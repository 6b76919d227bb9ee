// Accounts, for admins: the list (within the admin's groups), new accounts,
// disable and enable. Roles and groups of an existing account change through
// the API (POST api/staff/NAME); the page offers the common case.
import { api } from './api.js';
import { t } from './i18n.js';
import { say, sayError } from './app.js';

const $ = (id) => document.getElementById(id);
let me = null;

async function loadAccounts() {
  const { staff } = await api('GET', 'staff');
  const rows = $('account-rows');
  rows.replaceChildren();
  for (const a of staff) {
    const tr = document.createElement('tr');
    tr.dataset.account = a.name;
    for (const text of [a.name, t(`role_${a.role}`) + (a.disabled ? ` (${t('disabled')})` : ''), a.groups]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    const td = document.createElement('td');
    if (a.name !== me.name) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = a.disabled ? t('enable') : t('disable');
      b.addEventListener('click', async () => {
        try {
          await api('POST', `staff/${encodeURIComponent(a.name)}`, { disabled: !a.disabled });
          await loadAccounts();
        } catch (e) { sayError(e); }
      });
      td.appendChild(b);
    }
    tr.appendChild(td);
    rows.appendChild(tr);
  }
}

$('account-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    await api('POST', 'staff', {
      name: $('acc-name').value,
      role: $('acc-role').value,
      groups: $('acc-groups').value.replace(/\s+/g, ''),
      password: $('acc-password').value,
    });
    say(t('saved'));
    $('account-form').reset();
    await loadAccounts();
  } catch (e) {
    sayError(e);
  }
  $('acc-password').value = '';
});

document.addEventListener('console:signed-in', async (ev) => {
  me = ev.detail;
  $('accounts').hidden = me.role !== 'admin';
  if (me.role !== 'admin') return;
  try { await loadAccounts(); } catch (e) { sayError(e); }
});
