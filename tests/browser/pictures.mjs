// Pictures for notices in a real browser: a publisher writes a notice, a
// file that is not a picture is refused in words, a 2000x1000 JPEG (drawn
// here on a canvas, a distinctive orange) is uploaded from the file input
// and its thumbnail loads (through the CSP's img-src 'self'), one removed
// and added again, the notice saved, approved and published: the kiosk's
// bundle names the picture in the item's images and its assets, and the
// kiosk fetches it shrunk to 1600x800, a JPEG with no EXIF.
// Called by console.mjs with ctx = { browser, hub, kioskToken, shots, check }.

const TITLE = '旧物义卖';

// The width and height of a JPEG's frame (its SOF marker), or null.
function jpegSize(buf) {
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return null;
    const m = buf[i + 1];
    const len = buf.readUInt16BE(i + 2);
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      return { h: buf.readUInt16BE(i + 5), w: buf.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return null;
}

export async function run({ browser, hub, kioskToken, shots, check }) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    const blocked = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) blocked.push(m.text());
    });
    await page.goto(`${hub}/console/`);
    await page.waitForSelector('#signin:not([hidden])');
    await page.fill('#name', 'wang');
    await page.fill('#password', 'publisher-pw-1');
    await page.click('#signin-submit');
    await page.waitForSelector('#notice-form:not([hidden])');
    await page.waitForSelector('#notice-groups input[value="north"]');

    await page.fill('#notice-title', TITLE);
    await page.fill('#notice-body', '周日上午，小区北门广场');
    await page.check('#notice-groups input[value="north"]');

    // Not a picture, though it says so: refused, in words.
    await page.evaluate(() => { document.getElementById('status').textContent = ''; });
    await page.setInputFiles('#notice-picture-file',
      { name: 'poster.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture at all') });
    await page.waitForSelector('#status.error');
    const refused = await page.textContent('#status');
    check('a file that is not a picture is refused in words', refused.includes('无法读取这张图片'), refused);

    // A real photo-sized JPEG, drawn in the page.
    const dataUrl = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 2000;
      c.height = 1000;
      const g = c.getContext('2d');
      g.fillStyle = '#ff8000';
      g.fillRect(0, 0, 2000, 1000);
      return c.toDataURL('image/jpeg', 0.9);
    });
    const jpeg = Buffer.from(dataUrl.split(',')[1], 'base64');
    const choose = async () => {
      await page.setInputFiles('#notice-picture-file', { name: 'poster.jpg', mimeType: 'image/jpeg', buffer: jpeg });
      await page.waitForFunction(() => /图片已添加/.test(document.getElementById('status').textContent));
    };
    await choose();
    await page.waitForSelector('#notice-picture-list li img');
    await page.waitForFunction(() => document.querySelector('#notice-picture-list img').complete);
    const thumb = await page.evaluate(() => {
      const img = document.querySelector('#notice-picture-list img');
      return { w: img.naturalWidth, h: img.naturalHeight, alt: img.alt };
    });
    check('the uploaded picture shows as a thumbnail, shrunk to 1600x800',
      thumb.w === 1600 && thumb.h === 800 && thumb.alt.includes('1600×800'), JSON.stringify(thumb));
    await page.click('#notice-picture-list li button.remove');
    check('a picture can be removed', (await page.$$('#notice-picture-list li')).length === 0);
    await choose();
    if (shots) await page.locator('#notices').screenshot({ path: `${shots}/console-notice-picture.png` });

    await page.click('#notice-save');
    const row = `#notice-rows tr:has-text("${TITLE}")`;
    await page.waitForSelector(row);
    check('the notice is listed with its picture', (await page.textContent(row)).includes('1 张图片'));
    await page.click(`${row} button:has-text("审核通过")`);
    await page.waitForSelector(`${row} button:has-text("发布")`);
    await page.click(`${row} button:has-text("发布")`);
    await page.waitForSelector(`${row}:has-text("已发布")`);

    const auth = { headers: { Authorization: `Bearer ${kioskToken}` } };
    const bundle = await (await fetch(`${hub}/v1/content/bundle?mode=hall&group=north`, auth)).json();
    const manifest = JSON.parse(bundle.manifest);
    const item = manifest.items.find((i) => i.title === TITLE);
    const sha = item && item.images && item.images[0];
    const asset = sha && manifest.assets.find((a) => a.sha256 === sha);
    check('the published notice names its picture, listed in the bundle\'s assets',
      Boolean(asset) && asset.type === 'image/jpeg', JSON.stringify(item));
    if (asset) {
      const got = Buffer.from(await (await fetch(`${hub}/v1/content/assets/${sha}`, auth)).arrayBuffer());
      const size = jpegSize(got);
      check('the kiosk fetches it as a 1600x800 JPEG without EXIF',
        got.length === asset.size && size && size.w === 1600 && size.h === 800 && !got.includes('Exif'),
        `${got.length} bytes, ${JSON.stringify(size)}`);
    }
    check('nothing of the pictures was blocked by the CSP', blocked.length === 0, blocked.join(' | '));
    await page.click('#logout');
  } finally {
    await context.close();
  }
}
