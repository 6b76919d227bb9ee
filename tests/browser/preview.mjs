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
    await page.waitForSelector('.preview-panel figure', { timeout: 90000 });
    const seen = await page.evaluate(() => [...document.querySelectorAll('.preview-panel figure')].map((f) => ({
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
    const summary = await page.textContent('.preview-panel p[role=alert]');
    check('the form says the notice does not fit before it is published', summary.includes('显示不下'), summary);
    check('the form sits beside the pictures',
      await page.evaluate(() => {
        const f = document.getElementById('notice-form').getBoundingClientRect();
        const p = document.querySelector('.preview-panel').getBoundingClientRect();
        return p.left >= f.right - 1 && p.top < f.bottom;
      }));
    if (shots) await page.locator('.preview-wrap').screenshot({ path: `${shots}/console-preview.png` });

    await page.fill('#notice-title', '社区义诊');
    await page.fill('#notice-body', '周六上午九点在社区活动室。');
    await page.click('#notice-form .preview-button');
    await page.waitForSelector('.preview-panel p.ok', { timeout: 90000 });
    check('a short notice fits every size and theme',
      (await page.$$('.preview-panel figure.no-fit')).length === 0 && (await page.$$('.preview-panel figure')).length === 6);
    check('previews break no CSP rule', blocked.length === 0, blocked.join('; '));
    await page.evaluate(() => document.getElementById('notice-form').reset());
  } catch (e) {
    check('the preview in the browser', false, e.stack || String(e));
  } finally {
    page.off('console', onConsole);
  }
}
