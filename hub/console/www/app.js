// The console page: sign-in, the fleet, emergency alerts, password, change
// log. Everything shown is set with textContent or created as elements, so
// nothing a kiosk or a colleague wrote can become markup.
import { api, setCsrf, ApiError } from './api.js';
import { t, applyWords, toggleLang } from './i18n.js';

const $ = (id) => document.getElementById(id);
let me = null;
let timer = 0;

function say(text, isError) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', !!isError);
}

function sayError(e) {
  if (e instanceof ApiError) {
    const known = t(`err_${e.code}`);
    say(known.startsWith('err_') ? t('err_other') + e.message : known, true);
    if (e.status === 401 && me) showSignedOut();
  } else {
    say(t('err_other') + e.message, true);
  }
}

function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
}

function when(unix) {
  if (!unix) return t('never');
  return new Date(unix * 1000).toLocaleString(document.documentElement.lang);
}

// A peripheral's state in words ("ok", "offline" ...; unknown words as sent).
function devWord(v) {
  if (v === null || v === undefined) return '-';
  const w = t(`dev_${v}`);
  return w.startsWith('dev_') ? v : w;
}

function faultWords(faults) {
  return faults.map((f) => { const w = t(`fault_${f}`); return w.startsWith('fault_') ? f : w; }).join('，');
}

let fleet = null;

// The fault filter offers the faults the fleet has now, besides "any" and "offline".
function fillFilters(kiosks) {
  const groupSel = $('fleet-group'), faultSel = $('fleet-fault');
  const keepG = groupSel.value, keepF = faultSel.value;
  const groups = [...new Set(kiosks.map((k) => k.group ?? ''))].sort();
  groupSel.replaceChildren(new Option(t('all'), ''),
    ...groups.map((g) => new Option(g === '' ? t('no_group') : g, g === '' ? '-' : g)));
  const faults = [...new Set(kiosks.flatMap((k) => k.faults))].sort();
  faultSel.replaceChildren(new Option(t('all'), ''), new Option(t('any_fault'), '*'),
    new Option(t('offline'), 'offline'), ...faults.map((f) => new Option(faultWords([f]), f)));
  groupSel.value = [...groupSel.options].some((o) => o.value === keepG) ? keepG : '';
  faultSel.value = [...faultSel.options].some((o) => o.value === keepF) ? keepF : '';
}

function shown(k) {
  const g = $('fleet-group').value, f = $('fleet-fault').value;
  if (g && (g === '-' ? k.group !== null : k.group !== g)) return false;
  if (f === '*') return !k.online || k.faults.length > 0;
  if (f === 'offline') return !k.online;
  return !f || k.faults.includes(f);
}

function renderFleet() {
  const rows = $('fleet-rows');
  rows.replaceChildren();
  for (const k of fleet.kiosks.filter(shown)) {
    const d = k.devices || {};
    const tr = document.createElement('tr');
    tr.dataset.kiosk = k.id;
    cell(tr, k.name ? `${k.id} ${k.name}` : k.id);
    cell(tr, k.group ?? '-');
    cell(tr, k.online ? t('online') : t('offline'), k.online ? 'ok' : 'bad');
    cell(tr, when(k.last_heartbeat));
    cell(tr, k.mode ?? '-');
    cell(tr, k.content_version ?? '-');
    const printerBad = (d.printer && d.printer !== 'ok') || d.paper === 'low' || d.paper === 'out';
    cell(tr, `${devWord(d.printer)} / ${devWord(d.paper)}`, printerBad ? 'bad' : '');
    cell(tr, devWord(d.reader), d.reader && d.reader !== 'ok' ? 'bad' : '');
    cell(tr, `${d.queue_depth ?? '-'} / ${d.dead_letters ?? '-'}`, d.dead_letters > 0 ? 'bad' : '');
    cell(tr, d.disk_free_mb === null || d.disk_free_mb === undefined ? '-' : `${d.disk_free_mb} MB`,
      k.faults.includes('disk_low') ? 'bad' : '');
    cell(tr, k.faults.length ? faultWords(k.faults) : '-', k.faults.length ? 'bad' : '');
    const actions = document.createElement('td');
    actions.className = 'actions';
    tr.appendChild(actions);
    rows.appendChild(tr);
    document.dispatchEvent(new CustomEvent('console:kiosk-row', { detail: { kiosk: k, cell: actions } }));
  }
  $('fleet-summary').textContent = t('summary', { total: fleet.total, online: fleet.online });
}

async function loadFleet() {
  try {
    fleet = await api('GET', 'fleet');
    fillFilters(fleet.kiosks);
    renderFleet();
  } catch (e) {
    sayError(e);
  }
}

function showSignedIn(who) {
  me = who.staff;
  setCsrf(who.csrf);
  $('who').textContent = `${me.name} (${me.role})`;
  $('signin').hidden = true;
  $('logout').hidden = false;
  $('fleet').hidden = false;
  $('account').hidden = false;
  $('changes').hidden = me.role !== 'admin';
  $('alert').hidden = !(me.role === 'publisher' || me.role === 'admin');
  document.dispatchEvent(new CustomEvent('console:signed-in', { detail: me }));
  loadFleet();
  clearInterval(timer);
  timer = setInterval(loadFleet, 15000);
}

function showSignedOut() {
  me = null;
  setCsrf('');
  clearInterval(timer);
  $('who').textContent = '';
  for (const id of ['help', 'bundles', 'events', 'reports', 'fleet', 'alert', 'notices', 'playlists', 'items', 'accounts', 'devices', 'account', 'changes', 'logout']) $(id).hidden = true;
  $('signin').hidden = false;
  $('name').focus();
}

$('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    const who = await api('POST', 'login', { name: $('name').value, password: $('password').value });
    $('password').value = '';
    say('');
    showSignedIn(who);
  } catch (e) {
    $('password').value = '';
    sayError(e);
  }
});

$('logout').addEventListener('click', async () => {
  try { await api('POST', 'logout'); } catch (e) { sayError(e); }
  showSignedOut();
});

$('password-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    await api('POST', 'password', { current: $('pw-current').value, new: $('pw-new').value });
    say(t('pw_changed'));
  } catch (e) {
    sayError(e);
  }
  $('pw-current').value = '';
  $('pw-new').value = '';
});

$('refresh').addEventListener('click', loadFleet);
$('fleet-group').addEventListener('change', () => { if (fleet) renderFleet(); });
$('fleet-fault').addEventListener('change', () => { if (fleet) renderFleet(); });
$('lang').addEventListener('click', () => { toggleLang(); if (me) loadFleet(); });

export { say, sayError, loadFleet, when, devWord, faultWords };
export function currentStaff() { return me; }

// Signed out only when the hub says so (401): a busy or unreachable hub is
// said in words, and asked again, without losing the session.
function whoAmI() {
  api('GET', 'me').then((who) => { say(''); showSignedIn(who); }, (e) => {
    if (e instanceof ApiError && e.status === 401) {
      say('');
      showSignedOut();
      return;
    }
    sayError(e);
    setTimeout(whoAmI, 5000);
  });
}

applyWords();
whoAmI();
