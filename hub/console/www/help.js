// The help-request inbox: asked for every 10 s while signed in (new ones
// appear without a reload); "I am coming" acknowledges one, and the kiosk
// tells the resident. Phones arrive masked from the hub.
import { api } from './api.js';
import { t } from './i18n.js';
import { sayError } from './app.js';

const $ = (id) => document.getElementById(id);
let timer = 0;

function when(unix) {
  return new Date(unix * 1000).toLocaleString(document.documentElement.lang);
}

async function loadHelp() {
  const { help, pending } = await api('GET', 'help');
  $('help-pending').textContent = pending ? t('help_pending', { n: pending }) : '';
  const list = $('help-list');
  list.replaceChildren();
  for (const h of help) {
    const li = document.createElement('li');
    li.dataset.help = String(h.id);
    const parts = [when(h.created), h.device, h.location, h.message, h.contact].filter(Boolean);
    li.textContent = parts.join(' · ');
    if (h.acknowledged === null) {
      li.classList.add('pending');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = t('help_ack');
      b.addEventListener('click', async () => {
        try {
          await api('POST', `help/${h.id}/ack`);
        } catch (e) {
          sayError(e);
        }
        await loadHelp().catch(sayError);
      });
      li.append(' ', b);
    } else {
      li.append(` (${t('help_acked')})`);
    }
    list.appendChild(li);
  }
}

document.addEventListener('console:signed-in', () => {
  $('help').hidden = false;
  clearInterval(timer);
  loadHelp().catch(sayError);
  timer = setInterval(() => {
    if ($('help').hidden) { clearInterval(timer); return; }
    loadHelp().catch(() => {});
  }, 10000);
});
