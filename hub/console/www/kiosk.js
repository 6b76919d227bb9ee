// One kiosk: the buttons of its fleet row (a screenshot for everyone, reload
// and restart for publishers) and the panel that follows the command until
// the kiosk has answered, showing the screenshot when it arrives.
import { api } from './api.js';
import { t } from './i18n.js';
import { sayError, currentStaff } from './app.js';

const $ = (id) => document.getElementById(id);
let following = 0;

function statusText(c) {
  if (c.status === 'queued') return t('cmd_queued');
  if (c.status === 'delivered') return t('cmd_delivered');
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
    if (c.status === 'done' && (c.kind !== 'screenshot' || c.screenshot || !c.ok)) return;
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

document.addEventListener('console:kiosk-row', (ev) => {
  const { kiosk, cell } = ev.detail;
  const me = currentStaff();
  cell.append(commandButton(kiosk.id, 'screenshot'));
  if (me && (me.role === 'publisher' || me.role === 'admin')) {
    cell.append(' ', commandButton(kiosk.id, 'reload_content'), ' ', commandButton(kiosk.id, 'restart'));
  }
});
