// One kiosk: the buttons of its fleet row (details and a screenshot for
// everyone, reload and restart for publishers), the panel that follows a
// command until the kiosk has answered (showing the screenshot when it
// arrives), and the kiosk's page: its peripherals, its recent commands and
// their results, its newest screenshot, and its screen times (publishers).
import { api } from './api.js';
import { t } from './i18n.js';
import { sayError, say, currentStaff, when, devWord, faultWords } from './app.js';

const $ = (id) => document.getElementById(id);
let following = 0;

function statusText(c) {
  if (c.status === 'queued') return t('cmd_queued');
  if (c.status === 'delivered') return t('cmd_delivered');
  if (c.status === 'unanswered') return t('cmd_unanswered');
  return c.ok ? t('cmd_done_ok') : t('cmd_done_fail') + (c.message || '');
}

async function follow(kioskId, command) {
  const mine = ++following;
  $('kiosk-panel').hidden = false;
  $('kiosk-title').textContent = `${t(command.kind)} — ${kioskId}`;
  $('kiosk-shot').hidden = true;
  for (let c = command; mine === following; ) {
    $('kiosk-command').textContent = statusText(c);
    if (c.screenshot) {
      const img = $('kiosk-shot');
      img.alt = `${t('shot_of')} ${kioskId}`;
      img.src = `api/screenshots/${c.screenshot}`;
      img.hidden = false;
    }
    if (c.status === 'unanswered') return;
    if (c.status === 'done' && (c.kind !== 'screenshot' || c.screenshot || !c.ok)) {
      if (pageKiosk === kioskId) showPage(kioskId);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    c = (await api('GET', `commands/${c.id}`)).command;
  }
}

function commandButton(kioskId, kind) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = t(kind);
  b.dataset.kind = kind;
  b.addEventListener('click', async () => {
    try {
      const { command } = await api('POST', `kiosks/${encodeURIComponent(kioskId)}/commands`, { kind });
      await follow(kioskId, command);
    } catch (e) {
      sayError(e);
    }
  });
  return b;
}

// ---- the kiosk's page ---------------------------------------------------

let pageKiosk = '';

function fact(dl, label, value, bad) {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  if (bad) dd.className = 'bad';
  dl.append(dt, dd);
}

function commandRow(c) {
  const tr = document.createElement('tr');
  const td = (text) => { const x = document.createElement('td'); x.textContent = text; tr.appendChild(x); };
  const args = c.kind === 'set_schedule' && c.args ? ` ${c.args.on}–${c.args.off}`
    : c.kind === 'update' && c.args ? ` ${c.args.version}` : '';
  td(t(c.kind) + args);
  td(c.staff);
  td(when(c.created));
  td(statusText(c));
  return tr;
}

async function showPage(kioskId) {
  try {
    const { kiosk: k, commands, screenshot } = await api('GET', `kiosks/${encodeURIComponent(kioskId)}`);
    pageKiosk = kioskId;
    const d = k.devices || {};
    $('kiosk-page').hidden = false;
    $('kiosk-page-title').textContent = `${t('details')} — ${k.name ? `${k.id} ${k.name}` : k.id}`;
    const dl = $('kiosk-facts');
    dl.replaceChildren();
    fact(dl, t('state'), k.online ? t('online') : t('offline'), !k.online);
    fact(dl, t('last'), when(k.last_heartbeat));
    fact(dl, t('group'), k.group ?? t('no_group'));
    fact(dl, t('mode'), k.mode ?? '-');
    fact(dl, t('version_sw'), k.version ?? '-');
    fact(dl, t('content'), k.content_version ?? '-');
    fact(dl, t('screen_now'), k.screen ?? '-');
    fact(dl, t('uptime'), k.uptime_s === null || k.uptime_s === undefined ? '-'
      : t('hours_n', { n: (k.uptime_s / 3600).toFixed(1) }));
    fact(dl, t('printer'), `${devWord(d.printer)} / ${devWord(d.paper)}`,
      (d.printer && d.printer !== 'ok') || d.paper === 'low' || d.paper === 'out');
    fact(dl, t('reader'), devWord(d.reader), d.reader && d.reader !== 'ok');
    fact(dl, t('queue'), `${d.queue_depth ?? '-'} / ${d.dead_letters ?? '-'}`, d.dead_letters > 0);
    fact(dl, t('disk'), d.disk_free_mb === null || d.disk_free_mb === undefined ? '-' : `${d.disk_free_mb} MB`,
      k.faults.includes('disk_low'));
    fact(dl, t('memory'), d.mem_kb === null || d.mem_kb === undefined ? '-' : `${Math.round(d.mem_kb / 1024)} MB`);
    if (k.update) fact(dl, t('update'), `${k.update.version ?? ''} ${k.update.outcome}`, k.update.outcome !== 'updated' && k.update.outcome !== 'current');
    fact(dl, t('faults'), k.faults.length ? faultWords(k.faults) : '-', k.faults.length > 0);
    const rows = $('kiosk-commands');
    rows.replaceChildren(...commands.map(commandRow));
    if (!commands.length) {
      const tr = document.createElement('tr'), td = document.createElement('td');
      td.colSpan = 4;
      td.textContent = t('no_commands');
      tr.appendChild(td);
      rows.appendChild(tr);
    }
    const img = $('kiosk-page-shot');
    if (screenshot) {
      img.alt = `${t('latest_shot')} — ${k.id}`;
      img.src = `api/screenshots/${screenshot}`;
    }
    img.hidden = !screenshot;
    const me = currentStaff();
    $('schedule-form').hidden = !(me && (me.role === 'publisher' || me.role === 'admin'));
  } catch (e) {
    sayError(e);
  }
}

$('schedule-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!pageKiosk) return;
  try {
    const { command } = await api('POST', `kiosks/${encodeURIComponent(pageKiosk)}/commands`,
      { kind: 'set_schedule', args: { on: $('schedule-on').value, off: $('schedule-off').value } });
    say('');
    await follow(pageKiosk, command);
  } catch (e) {
    sayError(e);
  }
});

$('kiosk-page-close').addEventListener('click', () => {
  pageKiosk = '';
  $('kiosk-page').hidden = true;
});

document.addEventListener('console:kiosk-row', (ev) => {
  const { kiosk, cell } = ev.detail;
  const me = currentStaff();
  const details = document.createElement('button');
  details.type = 'button';
  details.textContent = t('details');
  details.dataset.kind = 'details';
  details.setAttribute('aria-label', `${t('details')} ${kiosk.id}`);
  details.addEventListener('click', () => showPage(kiosk.id));
  cell.append(details, ' ', commandButton(kiosk.id, 'screenshot'));
  if (me && (me.role === 'publisher' || me.role === 'admin')) {
    cell.append(' ', commandButton(kiosk.id, 'reload_content'), ' ', commandButton(kiosk.id, 'restart'));
  }
});
