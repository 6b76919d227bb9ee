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

async function loadFleet() {
  try {
    const f = await api('GET', 'fleet');
    const rows = $('fleet-rows');
    rows.replaceChildren();
    for (const k of f.kiosks) {
      const tr = document.createElement('tr');
      tr.dataset.kiosk = k.id;
      cell(tr, k.name ? `${k.id} ${k.name}` : k.id);
      cell(tr, k.group ?? '-');
      cell(tr, k.online ? t('online') : t('offline'), k.online ? 'ok' : 'bad');
      cell(tr, when(k.last_heartbeat));
      cell(tr, k.mode ?? '-');
      cell(tr, k.content_version ?? '-');
      cell(tr, k.faults.length ? k.faults.join(', ') : '-', k.faults.length ? 'bad' : '');
      const actions = document.createElement('td');
      actions.className = 'actions';
      tr.appendChild(actions);
      rows.appendChild(tr);
      document.dispatchEvent(new CustomEvent('console:kiosk-row', { detail: { kiosk: k, cell: actions } }));
    }
    $('fleet-summary').textContent = t('summary', { total: f.total, online: f.online });
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
  for (const id of ['help', 'bundles', 'events', 'reports', 'fleet', 'alert', 'notices', 'playlists', 'accounts', 'devices', 'account', 'changes', 'logout']) $(id).hidden = true;
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
$('lang').addEventListener('click', () => { toggleLang(); if (me) loadFleet(); });

export { say, sayError, loadFleet };
export function currentStaff() { return me; }

applyWords();
api('GET', 'me').then(showSignedIn, showSignedOut);
