// Event registrations: the events and lectures with places of the account's
// groups, and per event the residents registered at kiosks, their names and
// phones masked by the hub. A publisher of the event's groups may reveal one
// registration's full name and phone (to call about a change): the hub logs
// every reveal and allows a few an hour; the page shows the clear values in
// that row only, and masks them again after a minute. The CSV export is the
// masked list, downloaded by a plain link (no script, the CSP stays strict).
import { api } from './api.js';
import { t } from './i18n.js';
import { say, sayError } from './app.js';

const $ = (id) => document.getElementById(id);
const REMASK_MS = 60000;
let current = null;                // the event whose list is open

// Events happen in China time, whatever zone the browser is in.
function when(unix) {
  return unix ? new Date(unix * 1000).toLocaleString(document.documentElement.lang,
    { timeZone: 'Asia/Shanghai', dateStyle: 'medium', timeStyle: 'short' }) : '-';
}

function td(tr, text) {
  const c = document.createElement('td');
  c.textContent = text;
  tr.appendChild(c);
  return c;
}

function csvLang() { return document.documentElement.lang === 'en' ? 'en' : 'zh'; }

async function loadEvents() {
  const { events } = await api('GET', 'events');
  const rows = $('event-rows');
  rows.replaceChildren();
  $('event-none').hidden = events.length > 0;
  for (const e of events) {
    const tr = document.createElement('tr');
    tr.dataset.event = String(e.id);
    td(tr, e.title);
    td(tr, when(e.starts));
    td(tr, `${e.registered} / ${e.places}`);
    td(tr, e.groups ? e.groups.join(', ') : t('all_kiosks'));
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = t('rg_view');
    b.setAttribute('aria-controls', 'reg-panel');
    b.addEventListener('click', () => openEvent(e).catch(sayError));
    td(tr, '').appendChild(b);
    rows.appendChild(tr);
  }
}

function showClear(tr, r, clear) {
  tr.children[1].textContent = clear ? clear.name : r.name;
  tr.children[2].textContent = clear ? clear.phone : r.phone;
  tr.classList.toggle('revealed', !!clear);
}

async function reveal(e, r, tr, btn) {
  try {
    const { registration } = await api('POST', `events/${e.id}/registrations/${r.id}/reveal`);
    showClear(tr, r, registration);
    btn.disabled = true;
    say(t('rg_revealed', { n: registration.left }));
    setTimeout(() => { showClear(tr, r, null); btn.disabled = false; }, REMASK_MS);
  } catch (err) {
    sayError(err);
  }
}

async function openEvent(e) {
  const { registrations } = await api('GET', `events/${e.id}/registrations`);
  current = e;
  $('reg-panel').hidden = false;
  $('reg-title').textContent = `${e.title} · ${when(e.starts)}`;
  $('reg-note').textContent = e.may_reveal ? t('rg_reveal_note') : '';
  const desk = e.registered - registrations.length;
  $('reg-summary').textContent = t('rg_summary', { n: registrations.length, desk: Math.max(desk, 0) });
  const csv = $('reg-csv');
  csv.href = `api/events/${e.id}/registrations?format=csv&lang=${csvLang()}`;
  csv.setAttribute('download', `registrations-event-${e.id}.csv`);
  const rows = $('reg-rows');
  rows.replaceChildren();
  registrations.forEach((r, i) => {
    const tr = document.createElement('tr');
    tr.dataset.registration = String(r.id);
    td(tr, String(i + 1));
    td(tr, r.name);
    td(tr, r.phone);
    td(tr, when(r.created));
    td(tr, r.kiosk);
    const cell = td(tr, '');
    if (e.may_reveal) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = t('rg_reveal');
      b.setAttribute('aria-label', `${t('rg_reveal')} ${i + 1}`);
      b.addEventListener('click', () => reveal(e, r, tr, b));
      cell.appendChild(b);
    }
    rows.appendChild(tr);
  });
  $('reg-title').focus();
}

document.addEventListener('console:signed-in', () => {
  $('events').hidden = false;
  $('reg-panel').hidden = true;
  current = null;
  loadEvents().catch(sayError);
});

$('events-refresh').addEventListener('click', () => {
  loadEvents().catch(sayError);
  if (current) openEvent(current).catch(sayError);
});
