// A busy hub in the browser (called by console.mjs): the hub's rate limit
// counts console calls per address, so staff behind one address share it,
// and a refusal must not lose a page load or sign anyone out. The browser's
// calls are answered here, once, as the hub would when busy; after that they
// go through to the hub.
// ctx: { browser, hub, check, signIn }.

// Answers the next call to PATH with STATUS and CODE; the later ones pass.
// Returns a counter of the calls seen.
async function refuseOnce(page, path, status, code, retryAfter) {
  const seen = { calls: 0 };
  await page.route(`**/console/api/${path}`, async (route) => {
    seen.calls++;
    if (seen.calls > 1) return route.continue();
    const headers = { 'Content-Type': 'application/json' };
    if (retryAfter) headers['Retry-After'] = String(retryAfter);
    return route.fulfill({ status, headers, body: JSON.stringify({ error: { code, message: `${code} (test)` } }) });
  });
  return seen;
}

export async function run(ctx) {
  const { browser, hub, check, signIn } = ctx;
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  try {
    await page.goto(`${hub}/console/`);
    await page.waitForSelector('#signin:not([hidden])');
    await signIn(page, 'wang', 'publisher-pw-1');
    await page.waitForSelector('#fleet-rows tr[data-kiosk="demo-01"]');

    // Rate limited while the page loads: asked again after Retry-After.
    const me = await refuseOnce(page, 'me', 429, 'rate_limited', 1);
    const fleet = await refuseOnce(page, 'fleet', 429, 'rate_limited', 1);
    await page.reload();
    await page.waitForSelector('#fleet-rows tr[data-kiosk="demo-01"]', { timeout: 15000 });
    const signinShown = await page.isVisible('#signin');
    check('a page load refused by the rate limit is asked again: still signed in, the fleet listed',
      !signinShown && me.calls === 2 && fleet.calls === 2, `signin ${signinShown}, me ${me.calls}, fleet ${fleet.calls}`);
    await page.unroute('**/console/api/me');
    await page.unroute('**/console/api/fleet');

    // A fault that is not worth asking again at once (storage): said in
    // words, the sign-in form not shown, the session kept; asked again later.
    const broken = await refuseOnce(page, 'me', 500, 'storage', 0);
    await page.reload();
    await page.waitForSelector('#status.error');
    const words = await page.textContent('#status');
    const formAfterError = await page.isVisible('#signin');
    await page.waitForSelector('#fleet:not([hidden])', { timeout: 15000 });
    check('a hub fault at load is said, not taken for a sign-out; the page signs in when it passes',
      !formAfterError && words.startsWith('出错了') && broken.calls === 2 && !(await page.isVisible('#signin')),
      `form ${formAfterError}, "${words}", calls ${broken.calls}`);
    await page.unroute('**/console/api/me');

    // A lockout ("locked", minutes away) is never asked again: one call, its words shown.
    await page.click('#logout');
    await page.waitForSelector('#signin:not([hidden])');
    const login = await refuseOnce(page, 'login', 429, 'locked', 900);
    await signIn(page, 'wang', 'publisher-pw-1');
    await page.waitForSelector('#status.error');
    check('a lockout is shown at once and not retried',
      login.calls === 1 && (await page.textContent('#status')).includes('错误次数过多'), `calls ${login.calls}`);
  } finally {
    await context.close();
  }
}
