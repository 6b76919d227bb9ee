// Published content versions of the account's groups; a publisher restores
// an earlier one in one step (the hub publishes it again as the newest).
import { api } from './api.js';
import { t } from './i18n.js';
import { say, sayError } from './app.js';

const $ = (id) => document.getElementById(id);
let staff = null;

async function loadBundles() {
  const { bundles } = await api('GET', 'bundles');
  const rows = $('bundle-rows');
  rows.replaceChildren();
  const canPublish = staff.role === 'publisher' || staff.role === 'admin';
  bundles.forEach((b, i) => {
    const tr = document.createElement('tr');
    tr.dataset.version = String(b.version);
    const target = b.groups.length ? b.groups.join(', ') : (b.kiosks.length ? b.kiosks.join(', ') : t('all_kiosks'));
    // One publish can make two versions (hall and street screens part once a
    // group has a street playlist): the column tells them apart.
    const screens = t(`mode_${b.mode}`);
    for (const text of [String(b.version), screens.startsWith('mode_') ? b.mode : screens, target, String(b.items),
      new Date(b.published * 1000).toLocaleString(document.documentElement.lang), b.staff]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.appendChild(td);
    }
    const td = document.createElement('td');
    if (canPublish && i > 0) {
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.textContent = t('rollback');
      btn.addEventListener('click', async () => {
        try {
          const r = await api('POST', `bundles/${b.version}/rollback`);
          say(t('rolled_back', { v: r.bundle.version }));
          await loadBundles();
        } catch (e) { sayError(e); }
      });
      td.appendChild(btn);
    }
    tr.appendChild(td);
    rows.appendChild(tr);
  });
}

document.addEventListener('console:signed-in', async (ev) => {
  staff = ev.detail;
  $('bundles').hidden = false;
  try { await loadBundles(); } catch (e) { sayError(e); }
});
