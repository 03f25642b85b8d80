// The page end to end in Debian's Chromium: notice, open, verdict, model switch (the model shown runs,
// the other on demand), labelled copy, a broken file, privacy of the image bytes, a rendered canvas, and
// frames that show nothing new kept from the GPU.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { loadXrayLens } from '../../tools/lib/node_runtime.mjs';
import { ORIGINALS, acceptNotice, clickWidget, defaultModels, launch, openApp, prepareSite, startServer } from './harness.mjs';

const LARGEST = path.join(ORIGINALS, 'post-intubuation-pneumomediastium-and-pneumothorax-background-covid-19-pneumonia-day1.jpg');
const SECOND = path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-e2e-'));
const core = await loadXrayLens();
let server, browser;

before(async () => {
  server = await startServer(prepareSite(defaultModels()));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const resultData = (page) => page.evaluate(() => ({ ...document.getElementById('result').dataset }));

// The screenshot decoded by our own core: a blank or uniform canvas has no contrast.
function contrastOf(png) {
  core.fileBuffer(png.length).set(png);
  assert.ok(core.openFile().ok);
  const px = core.canonical();
  let lo = 255, hi = 0;
  for (const v of px) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return hi - lo;
}

test('a first visit asks to accept the notice and remembers it', async () => {
  const { page } = await openApp(browser.context, server.url);
  assert.equal(await page.evaluate(() => localStorage.getItem('xraylens.notice.v1')), null);
  await clickWidget(page, 'accept');
  await page.waitForFunction(() => localStorage.getItem('xraylens.notice.v1') === 'accepted');
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.state === 'ready');
  // frames are drawn on demand: wait for one drawn after the page became ready
  const drawn = await page.evaluate(() => globalThis.xraylens.app.frameCount());
  await page.mouse.move(200, 200);
  await page.waitForFunction((f) => globalThis.xraylens.app.frameCount() > f, drawn);
  assert.ok(await page.evaluate(() => globalThis.xraylens.app.widgetRect('open')), 'the toolbar is drawn');
  // after the reload the notice is not drawn at all, so its button has no rectangle
  assert.equal(await page.evaluate(() => globalThis.xraylens.app.widgetRect('accept')), null);
  await page.close();
});

test('open, verdict, model switch, labelled copy, broken file, and no image bytes leave', async () => {
  const { page, requests, errors } = await openApp(browser.context, server.url);
  const origin = new URL(server.url).origin;

  await page.setInputFiles('#file', LARGEST);
  await page.waitForFunction(() => document.getElementById('result').dataset.verdict, null, { timeout: 30_000 });
  let r = await resultData(page);
  assert.ok(['POSITIVE', 'NEGATIVE'].includes(r.verdict));
  assert.equal(r.model, 'covid-normal');
  assert.equal(r.file, path.basename(LARGEST));
  const p1 = Number(r.p);
  assert.ok(p1 >= 0 && p1 <= 1);
  const text = await page.textContent('#result');
  assert.match(text, /probability of COVID-19 \d+\.\d%/);
  assert.match(text, /threshold \d+\.\d%/);
  assert.match(text, /Model 1: COVID-19 vs Normal/);
  assert.match(text, /\d+ ms/);

  // only the model shown ran, and only its file was fetched (Model 2's card, not its weights); switching
  // to Model 2 with the ImGui control fetches and loads it once and runs it on the open image at once,
  // and the image keeps both answers (switching back asks the worker nothing)
  const answered = () => page.evaluate(() => globalThis.xraylens.state.study.info.results.map((x) => x.key));
  const fetched = (name) => requests.filter((q) => new URL(q.url()).pathname.endsWith(`/models/${name}`)).length;
  assert.deepEqual(await answered(), ['covid-normal']);
  assert.equal(fetched('covid_normal.ort'), 1);
  assert.equal(fetched('covid_pneumonia.ort'), 0);
  assert.equal(fetched('covid_pneumonia.json'), 1);
  assert.match(await page.textContent('#status'), /Model 2: COVID-19 vs Pneumonia: threshold \d+\.\d%; loads when first used/);
  await clickWidget(page, 'model2');
  await page.waitForFunction(() => document.getElementById('result').dataset.model === 'covid-pneumonia');
  assert.deepEqual(await answered(), ['covid-normal', 'covid-pneumonia']);
  assert.equal(fetched('covid_pneumonia.ort'), 1);
  assert.match(await page.textContent('#status'), /Model 2: COVID-19 vs Pneumonia: ready; threshold/);
  await clickWidget(page, 'model1');
  await page.waitForFunction(() => document.getElementById('result').dataset.model === 'covid-normal');
  assert.equal((await resultData(page)).p, r.p);
  assert.equal((await answered()).length, 2);
  await clickWidget(page, 'model2');
  await page.waitForFunction(() => document.getElementById('result').dataset.model === 'covid-pneumonia');
  r = await resultData(page);
  assert.match(await page.textContent('#result'), /Model 2: COVID-19 vs Pneumonia/);
  assert.equal(r.file, path.basename(LARGEST));

  // the labelled copy, named as the original app named it, decodes, and is larger than the image (text band)
  const [download] = await Promise.all([page.waitForEvent('download'), clickWidget(page, 'save')]);
  const expected = `${r.verdict}_Prob_${Math.round(Number(r.p) * 100)}_Name_${path.parse(LARGEST).name}.png`;
  assert.equal(download.suggestedFilename(), expected);
  const saved = path.join(tmp, expected);
  await download.saveAs(saved);
  const png = fs.readFileSync(saved);
  core.fileBuffer(png.length).set(png);
  const info = core.openFile();
  assert.ok(info.ok, info.error);
  assert.equal(info.width, 2048);

  // a broken file: a clear message, and the app keeps working
  const broken = path.join(tmp, 'broken.png');
  fs.writeFileSync(broken, 'this is not an image');
  await page.setInputFiles('#file', broken);
  await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'error');
  assert.match(await page.textContent('#message'), /Could not open broken\.png: .*none of PNG, JPEG/);
  await page.setInputFiles('#file', SECOND);
  await page.waitForFunction((f) => document.getElementById('result').dataset.file === f, path.basename(SECOND));
  assert.equal((await resultData(page)).model, 'covid-pneumonia');
  assert.equal(await page.textContent('#message'), '');

  // the canvas shows something
  const shot = await page.screenshot();
  assert.ok(contrastOf(shot) > 100, 'the screenshot is not blank');

  // privacy: every request stays on this origin, and no request carries the image's bytes
  const imageBytes = [fs.readFileSync(LARGEST), fs.readFileSync(SECOND)];
  for (const req of requests) {
    const u = new URL(req.url());
    assert.ok(u.origin === origin || ['blob:', 'data:'].includes(u.protocol), `request to ${req.url()}`);
    const body = req.postDataBuffer();
    if (body) for (const img of imageBytes) assert.equal(body.includes(img.subarray(1000, 1064)), false, `image bytes in ${req.url()}`);
  }
  assert.ok(requests.every((q) => q.method() === 'GET'), 'only GET requests');
  assert.deepEqual(errors, []);
  await page.close();
});

test('with no model files the page says so plainly and still opens images', async () => {
  const bare = await startServer(prepareSite('none'));
  try {
    const { page } = await openApp(browser.context, bare.url);
    assert.match(await page.textContent('#status'), /Model 1: COVID-19 vs Normal: not available: model file not present/);
    await page.setInputFiles('#file', SECOND);
    await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'error');
    assert.match(await page.textContent('#message'), /not available/);
    await page.close();
  } finally {
    bare.close();
  }
});

test('frames that show nothing new are not sent to the GPU; a change is drawn at once', async () => {
  const { page } = await openApp(browser.context, server.url);
  await page.setInputFiles('#file', SECOND);
  await page.waitForFunction(() => document.getElementById('result').dataset.verdict, null, { timeout: 30_000 });
  const counts = () => page.evaluate(() => ({ built: globalThis.xraylens.app.frameCount(), sent: globalThis.xraylens.app.presentedCount() }));
  // the frames after the result (a few, slow where WebGL is software) end, and then none are built
  let idle = await counts();
  for (let i = 0, last = null; i < 20 && JSON.stringify(last) !== JSON.stringify(idle); ++i) {
    last = idle;
    await page.waitForTimeout(500);
    idle = await counts();
  }
  await page.waitForTimeout(500);
  assert.deepEqual(await counts(), idle, 'an idle page builds no frames');
  // a mouse moving over the side panel's text wakes the app, and changes nothing on screen
  for (const x of [1100, 1101, 1100]) await page.mouse.move(x, 760);
  await page.waitForFunction((f) => globalThis.xraylens.app.frameCount() > f, idle.built);
  await page.waitForTimeout(500);
  const hovered = await counts();
  assert.ok(hovered.sent - idle.sent <= 1, `frames sent while nothing changed: ${hovered.sent - idle.sent}`);
  // a change of state is sent, and the screenshot shows it
  const before = await page.screenshot();
  await page.evaluate(() => globalThis.xraylens.app.setMessage('a message drawn on the canvas', true));
  await page.waitForFunction((s) => globalThis.xraylens.app.presentedCount() > s, hovered.sent);
  assert.ok(!before.equals(await page.screenshot()), 'the canvas shows the change');
  await page.close();
});

// ImGui 1.86 reads the pointer once a frame, and frames wait while the page is busy: each click must still
// land where it was made, in order, and no click or key press may be lost (input_queue.h).
test('clicks and keys made while frames wait land where they were made, one after the other', async () => {
  const { page, errors } = await openApp(browser.context, server.url);
  await acceptNotice(page);
  await page.waitForFunction(() => globalThis.xraylens.app.widgetRect('model2') !== null);
  const rects = await page.evaluate(() => ({ compare: globalThis.xraylens.app.widgetRect('compare'), model2: globalThis.xraylens.app.widgetRect('model2') }));
  const centre = (r) => [r.x + r.w / 2, r.y + r.h / 2];
  assert.deepEqual(await page.evaluate(() => [globalThis.xraylens.state.compare, globalThis.xraylens.state.model]), [false, 0]);
  await page.evaluate(() => globalThis.xraylens.app.setBusy(true));
  const built = await page.evaluate(() => globalThis.xraylens.app.frameCount());
  for (const r of [rects.compare, rects.model2]) {
    await page.mouse.move(...centre(r));
    await page.mouse.down();
    await page.mouse.up();
  }
  await page.mouse.move(...centre(rects.compare)); // where the cursor is when frames resume
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => globalThis.xraylens.app.frameCount()), built, 'no frame while busy');
  await page.evaluate(() => globalThis.xraylens.app.setBusy(false));
  await page.waitForFunction(() => globalThis.xraylens.state.model === 1, null, { timeout: 10_000 });
  await page.waitForTimeout(300);
  assert.deepEqual(await page.evaluate(() => [globalThis.xraylens.state.compare, globalThis.xraylens.state.model]), [true, 1]);

  // keys: two quick Tabs while busy move the focus two controls on (Shift+Tab, held, goes back one)
  const focused = () => page.evaluate(() => globalThis.xraylens.app.uiState().focused);
  await page.focus('#canvas');
  const start = await focused();
  await page.evaluate(() => globalThis.xraylens.app.setBusy(true));
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.evaluate(() => globalThis.xraylens.app.setBusy(false));
  await page.waitForFunction((s) => globalThis.xraylens.app.uiState().focused !== s, start, { timeout: 10_000 });
  await page.waitForTimeout(300);
  const two = await focused();
  await page.keyboard.down('Shift');
  await page.keyboard.down('Tab');
  await page.waitForTimeout(120);
  await page.keyboard.up('Tab');
  await page.keyboard.up('Shift');
  await page.waitForFunction((s) => globalThis.xraylens.app.uiState().focused !== s, two, { timeout: 10_000 });
  const one = await focused();
  assert.ok(![start, two].includes(one), `focus ${start} -> Tab Tab -> ${two} -> Shift+Tab -> ${one}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a file dropped on the page is analysed', async () => {
  const { page, errors } = await openApp(browser.context, server.url);
  const b64 = fs.readFileSync(SECOND).toString('base64');
  await page.evaluate(({ b64, name }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], name, { type: 'image/jpeg' }));
    const canvas = document.getElementById('canvas');
    canvas.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    canvas.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { b64, name: path.basename(SECOND) });
  await page.waitForFunction((f) => document.getElementById('result').dataset.file === f, path.basename(SECOND));
  assert.ok(['POSITIVE', 'NEGATIVE'].includes((await resultData(page)).verdict));
  assert.deepEqual(errors, []);
  await page.close();
});
