// The console's preview in a real browser (called once from console.mjs):
// an editor previews a notice too long for large text on a small panel and
// sees the kiosk's pictures beside the form, every size and theme, the ones
// that do not fit outlined and named, the pictures shown under the CSP
// (data: images) at their true sizes; a short notice then fits everywhere.
// The hub draws them with the kiosk binary (console_browser.sh sets
// [console] preview_kiosk and preview_sizes = 1920x1080,1280x800).
// CTX: the browser's check(), the SHOTS directory ('' for none) and PAGE, an
// editor's signed-in console page (a sign-in of its own would spend the
// address's sign-in rate that the lockout check after it needs).
export async function run({ check, shots, page }) {
  const blocked = [];
  const onConsole = (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) blocked.push(m.text());
  };
  page.on('console', onConsole);
  try {
    await page.waitForSelector('#notice-form:not([hidden]) .preview-button');

    await page.fill('#notice-title', `停水通知${'W'.repeat(60)}`);
    await page.fill('#notice-body', '很长的正文。'.repeat(100));
    await page.click('#notice-form .preview-button');
    await page.waitForSelector('#notices .preview-panel figure', { timeout: 90000 });
    const seen = await page.evaluate(() => [...document.querySelectorAll('#notices .preview-panel figure')].map((f) => ({
      bad: f.classList.contains('no-fit'),
      caption: f.querySelector('figcaption').textContent,
      w: f.querySelector('img').naturalWidth,
      h: f.querySelector('img').naturalHeight,
      alt: f.querySelector('img').alt,
    })));
    check('the preview shows 2 sizes x 3 themes beside the form', seen.length === 6, JSON.stringify(seen.map((s) => s.caption)));
    const sizes = ['1920x1080', '1920x1080', '1920x1080', '1280x800', '1280x800', '1280x800'];
    check('each picture is shown (CSP allows it) at the size the kiosk drew',
      seen.every((s, i) => `${s.w}x${s.h}` === sizes[i] && s.alt.includes(sizes[i])),
      JSON.stringify(seen.map((s) => `${s.w}x${s.h}`)));
    const elder = seen[4] || {};
    check('the large-text picture at 1280x800 is flagged "does not fit" with what was cut',
      elder.bad && elder.caption.includes('显示不下') && elder.caption.includes('内容太长，被截断'), elder.caption);
    const summary = await page.textContent('#notices .preview-panel p[role=alert]');
    check('the form says the notice does not fit before it is published', summary.includes('显示不下'), summary);
    check('the form sits beside the pictures',
      await page.evaluate(() => {
        const f = document.getElementById('notice-form').getBoundingClientRect();
        const p = document.querySelector('#notices .preview-panel').getBoundingClientRect();
        return p.left >= f.right - 1 && p.top < f.bottom;
      }));
    if (shots) await page.locator('#notices .preview-wrap').screenshot({ path: `${shots}/console-preview.png` });

    await page.fill('#notice-title', '社区义诊');
    await page.fill('#notice-body', '周六上午九点在社区活动室。');
    await page.click('#notice-form .preview-button');
    await page.waitForSelector('#notices .preview-panel p.ok', { timeout: 90000 });
    check('a short notice fits every size and theme',
      (await page.$$('#notices .preview-panel figure.no-fit')).length === 0 && (await page.$$('#notices .preview-panel figure')).length === 6);
    check('previews break no CSP rule', blocked.length === 0, blocked.join('; '));
    await page.evaluate(() => document.getElementById('notice-form').reset());
  } catch (e) {
    check('the preview in the browser', false, e.stack || String(e));
  } finally {
    page.off('console', onConsole);
  }
}

// "Flagged before it is published", without a click on preview (called once
// from console.mjs with PAGE, a publisher's signed-in console page): approving
// a short notice asks nothing; approving one too long for large text opens a
// question naming the sizes and themes where it does not fit; "cancel" keeps
// it a draft, approving again asks again (the same pictures, not drawn twice)
// and "go on" approves it. Nothing here is published: the bundles of the
// checks after it stay as they were.
export async function publishCheck({ check, page }) {
  const rowOf = async (title) => {
    await page.waitForFunction((t) => [...document.querySelectorAll('#notice-rows tr')]
      .some((tr) => tr.textContent.includes(t)), title);
    const id = await page.evaluate((t) => [...document.querySelectorAll('#notice-rows tr')]
      .find((tr) => tr.textContent.includes(t)).dataset.notice, title);
    return `#notice-rows tr[data-notice="${id}"]`;
  };
  const write = async (title, body) => {
    await page.fill('#notice-title', title);
    await page.fill('#notice-body', body);
    await page.check('#notice-groups input[value="north"]');
    await page.click('#notice-save');
    return rowOf(title);
  };
  try {
    await page.evaluate(() => {
      window.fitAsked = 0;
      new MutationObserver((ms) => {
        for (const m of ms) for (const n of m.addedNodes) if (n.matches && n.matches('dialog.fit-confirm')) window.fitAsked++;
      }).observe(document.body, { childList: true });
    });
    const short = await write('社区读书会', '周五晚上七点，图书室。');
    await page.click(`${short} button:has-text("审核通过")`);
    await page.waitForSelector(`${short} button:has-text("发布")`, { timeout: 90000 });
    check('approving a notice that fits asks nothing', (await page.evaluate(() => window.fitAsked)) === 0);

    const long = await write(`停水通知${'W'.repeat(60)}`, '很长的正文。'.repeat(100));
    await page.click(`${long} button:has-text("审核通过")`);
    await page.waitForSelector('dialog.fit-confirm[open]', { timeout: 90000 });
    const asked = await page.textContent('dialog.fit-confirm');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.value);
    check('approving a notice that does not fit asks first, naming the sizes and themes',
      asked.includes('显示不下') && asked.includes('1280x800 · 长辈模式') &&
        (await page.$$('dialog.fit-confirm figure.no-fit img')).length > 0 && focused === 'no', `${asked} (focus ${focused})`);
    await page.click('dialog.fit-confirm button[value="no"]');
    await page.waitForSelector('dialog.fit-confirm', { state: 'detached' });
    await page.waitForFunction(() => document.getElementById('status').textContent.includes('已取消'));
    check('"cancel" keeps it a draft', (await page.textContent(long)).includes('草稿'), await page.textContent(long));
    const started = Date.now();
    await page.click(`${long} button:has-text("审核通过")`);
    await page.waitForSelector('dialog.fit-confirm[open]');
    const again = Date.now() - started;
    check('asked again from the same pictures, not drawn twice', again < 3000, `${again} ms`);
    await page.click('dialog.fit-confirm button[value="yes"]');
    await page.waitForFunction((sel) => document.querySelector(sel).textContent.includes('已审核'), long);
    check('"go on" approves it', (await page.evaluate(() => window.fitAsked)) === 2);
  } catch (e) {
    check('the fit question before publishing', false, e.stack || String(e));
  }
}
