// Console items in the browser (called once by console.mjs): an editor
// writes a service guide (the form shows a guide's fields, not an event's),
// previews it (the kiosk's pictures at the size its group's kiosk reports,
// each flagged fits or not),
// cannot approve it; a publisher approves and publishes it; the kiosk of
// its group finds it in GET /v1/content?kind=guide with its steps, and its
// English (written in the form's English fields, guide data too) in
// GET /v1/content?kind=guide&locale=en. A title holding markup is shown as text.
// ctx: { browser, hub (URL), kioskToken (group north's kiosk), check(what,
// ok, detail), signIn(page, name, password), shots (directory or '') }.
export async function run(ctx) {
  const { browser, hub, kioskToken, check, signIn, shots } = ctx;
  const title = '居住证办理<i>新</i>';

  const ed = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 } })).newPage();
  await ed.goto(`${hub}/console/`);
  await ed.waitForSelector('#signin:not([hidden])');
  await signIn(ed, 'ed', 'editor-password-1');
  await ed.waitForSelector('#item-groups input[value="north"]');
  await ed.selectOption('#item-kind', 'guide');
  check('a guide\'s form shows steps, not a start or places',
    (await ed.isVisible('#item-steps')) && !(await ed.isVisible('#item-start-date')) && !(await ed.isVisible('#item-places')));
  check('a guide\'s category is one-stop service', (await ed.inputValue('#item-category')) === 'one_stop');
  await ed.fill('#item-title', title);
  await ed.fill('#item-body', '来本市居住半年以上的，可申领居住证。');
  await ed.check('#item-groups input[value="north"]');
  await ed.fill('#item-steps', '到综合窗口提出申请\n现场核验身份并采集照片\n约10个工作日后领取');
  await ed.fill('#item-bring', '本人身份证原件\n租房合同或房产证明');
  await ed.fill('#item-where', '党群服务中心一楼 综合窗口1号');
  await ed.fill('#item-hours', '周一至周五 9:00–17:00');
  await ed.fill('#item-phone', '6123 4501');
  await ed.fill('#item-fee', '免费');
  // The kiosk's pictures of the guide beside the form, each with its fit flag.
  await ed.click('#item-form .preview-button');
  await ed.waitForSelector('#items .preview-panel figure', { timeout: 90000 });
  const drawn = await ed.evaluate(() => [...document.querySelectorAll('#items .preview-panel figure')].map((f) => ({
    flag: f.classList.contains('fits') ? 'fits' : f.classList.contains('no-fit') ? 'no-fit' : '',
    caption: f.querySelector('figcaption').textContent,
    size: `${f.querySelector('img').naturalWidth}x${f.querySelector('img').naturalHeight}`,
  })));
  const summary = await ed.textContent('#items .preview-panel');
  // Group north's kiosk (console_browser.sh's, 1280x800) reports its size in its heartbeats.
  check('a guide\'s preview shows the kiosk\'s 3 pictures at its group\'s kiosk\'s size, each flagged',
    drawn.length === 3 && drawn.every((d) => d.flag && d.size === '1280x800') &&
      /完整显示|显示不下/.test(summary) && summary.includes('终端上报'), `${summary} ${JSON.stringify(drawn)}`);
  const guideFits = drawn.every((d) => d.flag === 'fits');
  if (shots) await ed.locator('#items .preview-wrap').screenshot({ path: `${shots}/console-items-preview.png` });
  // The optional English, a guide's English data with it.
  await ed.fill('#item-title-en', 'Residence permit');
  await ed.fill('#item-body-en', 'Living here for six months or more? Apply for a residence permit.');
  await ed.fill('#item-steps-en', 'Apply at the general window\nHave your ID checked and a photo taken');
  await ed.fill('#item-bring-en', 'Your ID card');
  await ed.fill('#item-fee-en', 'Free');
  // Saved from the keyboard: the submit button focused and Enter pressed.
  await ed.focus('#item-save');
  await ed.keyboard.press('Enter');
  await ed.waitForSelector('#item-rows tr[data-item]');
  const row = '#item-rows tr[data-item]:has-text("居住证办理")';
  const rowText = await ed.textContent(row);
  check('the editor\'s guide is listed as a draft', rowText.includes('草稿') && rowText.includes('办事指南'), rowText);
  check('the list shows the English title too', rowText.includes('英文：Residence permit'), rowText);
  check('a title with markup is shown as text', (await ed.$$(`${row} i`)).length === 0 && rowText.includes('<i>新</i>'), rowText);
  check('an editor sees no approve or publish button for an item',
    (await ed.$$('#item-rows button:has-text("审核通过"), #item-rows button:has-text("发布")')).length === 0);
  if (shots) await ed.locator('#items').screenshot({ path: `${shots}/console-items.png` });
  await ed.click('#logout');

  const pub = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await pub.goto(`${hub}/console/`);
  await pub.waitForSelector('#signin:not([hidden])');
  await signIn(pub, 'wang', 'publisher-pw-1');
  await pub.waitForSelector(`${row} button:has-text("审核通过")`);
  // Approving and publishing draw the guide first; what does not fit asks (preview.js fitsOrAsk).
  const goOn = async () => {
    if (guideFits) return;
    await pub.waitForSelector('dialog.fit-confirm[open]', { timeout: 90000 });
    await pub.click('dialog.fit-confirm button[value="yes"]');
  };
  await pub.click(`${row} button:has-text("审核通过")`);
  await goOn();
  await pub.waitForSelector(`${row} button:has-text("发布")`, { timeout: 90000 });
  await pub.click(`${row} button:has-text("发布")`);
  await goOn();
  await pub.waitForSelector(`${row}:has-text("已发布")`);
  const r = await fetch(`${hub}/v1/content?kind=guide`, { headers: { Authorization: `Bearer ${kioskToken}` } });
  const list = await r.json();
  const got = (list.items || []).find((i) => i.title === title);
  check('the published guide is in its group\'s kiosk content, with its steps',
    r.status === 200 && got && got.category === 'one_stop' && got.data.steps.length === 3 &&
      got.data.bring[1] === '租房合同或房产证明' && got.data.fee === '免费',
    JSON.stringify(got || list).slice(0, 300));
  const re = await fetch(`${hub}/v1/content?kind=guide&locale=en`, { headers: { Authorization: `Bearer ${kioskToken}` } });
  const en = await re.json();
  const gotEn = (en.items || []).find((i) => i.title === 'Residence permit');
  check('its English is in the kiosk\'s English content next to it, with the English steps',
    re.status === 200 && gotEn && gotEn.locale === 'en' && gotEn.id !== got?.id && gotEn.data.steps.length === 2 &&
      gotEn.data.bring[0] === 'Your ID card' && gotEn.data.fee === 'Free' && !gotEn.data.where,
    JSON.stringify(gotEn || en).slice(0, 300));
  await pub.click('#logout');
}
