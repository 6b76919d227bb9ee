// Proof-of-play report: what the street screens of the account's groups
// showed, per day (China time) and item, for a range the hub bounds (92
// days; empty dates: the last 7 days). The CSV link asks the hub for the
// same report as a file (UTF-8 with a BOM for Excel); a plain link, so the
// strict CSP needs no blob: or inline script.
import { api } from './api.js';
import { t } from './i18n.js';
import { sayError } from './app.js';

const $ = (id) => document.getElementById(id);

function query() {
  const q = new URLSearchParams();
  if ($('rp-from').value) q.set('from', $('rp-from').value);
  if ($('rp-to').value) q.set('to', $('rp-to').value);
  if ($('rp-group').value) q.set('group', $('rp-group').value);
  return q;
}

function td(tr, text, numeric) {
  const c = document.createElement('td');
  c.textContent = text;
  if (numeric) c.className = 'num';
  tr.appendChild(c);
}

async function loadReport() {
  const q = query();
  const r = await api('GET', `reports/plays?${q}`);
  $('rp-from').value = r.from;
  $('rp-to').value = r.to;
  const rows = $('rp-rows');
  rows.replaceChildren();
  for (const row of r.rows) {
    const tr = document.createElement('tr');
    td(tr, row.day);
    td(tr, row.kind === 'alert' ? t('rp_alert') : t('rp_item'));
    td(tr, row.title ? `${row.title} (#${row.content_id})` : `#${row.content_id}`);
    td(tr, String(row.plays), true);
    td(tr, String(row.seconds), true);
    td(tr, String(row.kiosks), true);
    rows.appendChild(tr);
  }
  $('rp-table').hidden = r.rows.length === 0;
  $('rp-summary').textContent = r.rows.length
    ? t('rp_summary', { from: r.from, to: r.to, plays: r.totals.plays, seconds: r.totals.seconds })
      + (r.truncated ? ` ${t('rp_truncated')}` : '')
    : t('rp_none', { from: r.from, to: r.to });
  const csv = new URLSearchParams({ from: r.from, to: r.to, format: 'csv',
    lang: document.documentElement.lang === 'en' ? 'en' : 'zh' });
  if (r.group) csv.set('group', r.group);
  $('rp-csv').href = `api/reports/plays?${csv}`;
  $('rp-csv').setAttribute('download', `plays-${r.from}-${r.to}${r.group ? `-${r.group}` : ''}.csv`);
  $('rp-csv').hidden = false;
}

async function fillGroups(staff) {
  const sel = $('rp-group');
  for (const o of [...sel.options].slice(1)) o.remove();
  let groups = staff.groups === '*' ? [] : staff.groups.split(',');
  if (staff.groups === '*') {
    const f = await api('GET', 'fleet');
    groups = [...new Set(f.kiosks.map((k) => k.group).filter(Boolean))].sort();
  }
  for (const g of groups) {
    const o = document.createElement('option');
    o.value = g;
    o.textContent = g;
    sel.appendChild(o);
  }
}

document.addEventListener('console:signed-in', (ev) => {
  $('reports').hidden = false;
  $('rp-csv').hidden = true;
  fillGroups(ev.detail).catch(sayError);
  loadReport().catch(sayError);
});

$('rp-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  loadReport().catch(sayError);
});
