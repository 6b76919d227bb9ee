// Emergency alerts: a publisher (or admin) writes one, picks groups, sends;
// the list shows what is on the screens and withdraws it.
import { api } from './api.js';
import { t } from './i18n.js';
import { say, sayError } from './app.js';

const $ = (id) => document.getElementById(id);
let staff = null;

// The groups this account may pick: its own, or (for "*") those of its fleet.
async function groupChoices() {
  if (staff.groups !== '*') return staff.groups.split(',');
  const f = await api('GET', 'fleet');
  return [...new Set(f.kiosks.map((k) => k.group).filter(Boolean))].sort();
}

async function fillGroups() {
  const box = $('alert-groups');
  for (const old of box.querySelectorAll('label')) old.remove();
  for (const g of await groupChoices()) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.value = g;
    input.name = 'group';
    label.append(input, ` ${g}`);
    box.appendChild(label);
  }
}

async function loadAlerts() {
  const list = $('alerts');
  const { alerts } = await api('GET', 'alerts');
  list.replaceChildren();
  const now = Date.now() / 1000;
  for (const a of alerts) {
    const li = document.createElement('li');
    const live = a.withdrawn === null && a.expires > now;
    const until = new Date(a.expires * 1000).toLocaleString(document.documentElement.lang);
    li.textContent = `${a.title} — ${a.groups.join(', ')} — ${live ? `${t('until')} ${until}` : t('withdrawn')}`;
    if (live) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = t('withdraw');
      b.addEventListener('click', async () => {
        try {
          await api('POST', `alerts/${a.id}/withdraw`);
          await loadAlerts();
        } catch (e) { sayError(e); }
      });
      li.append(' ', b);
    }
    list.appendChild(li);
  }
}

$('alert-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const groups = [...document.querySelectorAll('#alert-groups input:checked')].map((i) => i.value);
  try {
    await api('POST', 'alerts', {
      title: $('alert-title').value,
      body: $('alert-body').value,
      minutes: Number($('alert-minutes').value),
      groups,
    });
    say(t('alert_sent'));
    $('alert-title').value = '';
    $('alert-body').value = '';
    await loadAlerts();
  } catch (e) {
    sayError(e);
  }
});

document.addEventListener('console:signed-in', async (ev) => {
  staff = ev.detail;
  if (staff.role !== 'publisher' && staff.role !== 'admin') return;
  try {
    await fillGroups();
    await loadAlerts();
  } catch (e) {
    sayError(e);
  }
});
