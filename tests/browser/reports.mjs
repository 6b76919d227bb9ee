// Event registrations and proof-of-play reports in the browser (called by
// console.mjs with its context): a north publisher sees no event meant for
// every kiosk; a publisher of every group sees the demo event's list with
// phones masked, reveals one registration (by keyboard) and the change log
// has it without the number; the masked list and the plays report download
// as CSV files with a BOM; the plays report shows what the demo kiosk
// reported. Data come through the kiosk API with the demo kiosk's token.
// ctx: { browser, hub, kioskToken, check, signIn, shots, accessibility }.
import { readFileSync } from 'node:fs';

const EVENT = 111;                 // hub/demo/content.sql: an event for every kiosk
const PHONE = '13812345678';

async function kiosk(ctx, method, path, body, key) {
  const headers = { Authorization: `Bearer ${ctx.kioskToken}` };
  if (body) {
    headers['Content-Type'] = 'application/json';
    headers['Idempotency-Key'] = key;
  }
  const r = await fetch(`${ctx.hub}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  return { status: r.status, json: await r.json().catch(() => null) };
}

async function signedIn(ctx, name, password) {
  const page = await (await ctx.browser.newContext({ locale: 'zh-CN', acceptDownloads: true })).newPage();
  await page.goto(`${ctx.hub}/console/`);
  await page.waitForSelector('#signin:not([hidden])');
  await ctx.signIn(page, name, password);
  await page.waitForSelector('#events:not([hidden]), #status.error');
  const status = await page.textContent('#status');
  if (status) throw new Error(`signing in as ${name}: ${status}`);
  return page;
}

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await dl.path();
  return { name: dl.suggestedFilename(), text: path ? readFileSync(path, 'utf8') : '', raw: path ? readFileSync(path) : Buffer.alloc(0) };
}

export async function run(ctx) {
  const { check } = ctx;
  // The hub's clock, not this machine's: plays a minute and two ago.
  const now = (await (await fetch(`${ctx.hub}/v1/health`)).json()).time;
  const reg = await kiosk(ctx, 'POST', `/v1/events/${EVENT}/registrations`, { name: '王小明', phone: PHONE }, 'reports-reg-1');
  check('a resident registers at the kiosk', reg.status === 201, JSON.stringify(reg));
  const plays = await kiosk(ctx, 'POST', '/v1/proof-of-play', { plays: [
    { content_id: EVENT, playlist_id: 0, kind: 'item', started: now - 120, shown_ms: 10000 },
    { content_id: EVENT, playlist_id: 0, kind: 'item', started: now - 60, shown_ms: 12000 },
  ] }, 'reports-plays-1');
  check('the kiosk reports its plays', plays.status === 201, JSON.stringify(plays));

  // A publisher of north only: an event for every kiosk is not theirs.
  const north = await signedIn(ctx, 'wang', 'publisher-pw-1');
  await north.waitForSelector('#event-none:not([hidden])');
  check('a north publisher sees no event meant for every kiosk',
    (await north.$$('#event-rows tr')).length === 0);
  await north.click('#logout');

  // The admin makes a publisher of every group.
  const admin = await signedIn(ctx, 'boss', 'admin-password-1');
  const made = await admin.evaluate(async () => {
    const me = await (await fetch('api/me')).json();
    const r = await fetch('api/staff', { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf },
      body: JSON.stringify({ name: 'zhou', role: 'publisher', groups: '*', password: 'zhou-password-1' }) });
    return r.status;
  });
  check('an admin adds a publisher of every group', made === 200 || made === 201, String(made));

  const page = await signedIn(ctx, 'zhou', 'zhou-password-1');
  await page.waitForSelector(`#event-rows tr[data-event="${EVENT}"] button`);
  await page.click(`#event-rows tr[data-event="${EVENT}"] button`);
  await page.waitForSelector('#reg-rows tr[data-registration]');
  const row = '#reg-rows tr[data-registration]';
  const masked = await page.textContent(row);
  check('the registration list shows the name and phone masked',
    masked.includes('王*明') && masked.includes('138****5678') && !masked.includes(PHONE), masked);
  check('the desk sign-ups are counted apart', (await page.textContent('#reg-summary')).includes('服务台报名 23 人'),
    await page.textContent('#reg-summary'));
  if (ctx.accessibility) {
    const a11y = await (await ctx.browser.newContext({ locale: 'zh-CN', bypassCSP: true })).newPage();
    await a11y.goto(`${ctx.hub}/console/`);
    await a11y.waitForSelector('#signin:not([hidden])');
    await ctx.signIn(a11y, 'zhou', 'zhou-password-1');
    await a11y.waitForSelector(`#event-rows tr[data-event="${EVENT}"] button`);
    await a11y.click(`#event-rows tr[data-event="${EVENT}"] button`);
    await a11y.waitForSelector('#reg-rows tr[data-registration]');
    await a11y.waitForSelector('#rp-summary:not(:empty)');
    await ctx.accessibility(a11y, 'registrations and the plays report');
    await a11y.close();
  }

  if (ctx.shots) await page.locator('#events').screenshot({ path: `${ctx.shots}/console-registrations.png` });

  // The masked list as a file.
  const regCsv = await download(page, '#reg-csv');
  check('the registration list downloads as CSV, masked, with a BOM',
    regCsv.name === `registrations-event-${EVENT}.csv` && regCsv.raw[0] === 0xef && regCsv.raw[1] === 0xbb &&
    regCsv.text.includes('王*明,138****5678') && !regCsv.text.includes(PHONE), `${regCsv.name} ${regCsv.text.slice(0, 120)}`);

  // The reveal, by keyboard.
  await page.focus(`${row} button`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((sel) => document.querySelector(sel).textContent.includes('13812345678'), row);
  const clear = await page.textContent(row);
  check('a publisher reveals the full name and phone', clear.includes('王小明') && clear.includes(PHONE), clear);
  const log = await admin.evaluate(async () => (await (await fetch('api/changes')).json()).changes);
  const reveals = log.filter((c) => c.action === 'registration_reveal' && c.staff === 'zhou');
  check('the reveal is in the change log, without the number',
    reveals.length === 1 && !JSON.stringify(log).includes(PHONE) && !JSON.stringify(log).includes('王小明'),
    JSON.stringify(reveals));

  // The plays report: the last 7 days by default, the demo kiosk's two plays.
  await page.waitForSelector('#rp-rows tr');
  const cells = await page.$$eval('#rp-rows tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  check('the plays report shows the item played twice for 22 s on one kiosk',
    cells.some((c) => c[2] === `社区敬老茶话会 (#${EVENT})` && c[3] === '2' && c[4] === '22' && c[5] === '1'),
    JSON.stringify(cells));
  const playsCsv = await download(page, '#rp-csv');
  check('the plays report downloads as CSV with a BOM',
    /^plays-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$/.test(playsCsv.name) && playsCsv.raw[0] === 0xef &&
    playsCsv.text.includes('日期（北京时间）,类型') && playsCsv.text.includes(`内容,${EVENT},社区敬老茶话会,2,22,1`),
    `${playsCsv.name} ${playsCsv.text.slice(0, 200)}`);
  if (ctx.shots) await page.locator('#reports').screenshot({ path: `${ctx.shots}/console-reports.png` });
  await page.click('#logout');
  await admin.click('#logout');
}
