// Trust in the page (issue 5) in Chromium: the probability bar and threshold, the heatmap, the input
// gate with its override, the model card, compare mode, and the self-test banner for a tampered model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT, loadXrayLens } from '../../tools/lib/node_runtime.mjs';
import { ORIGINALS, clickWidget, defaultModels, launch, openApp, prepareSite, startServer } from './harness.mjs';
import { convertModels } from '../../tools/lib/ort_models.mjs';

const XRAY = path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg');
const COVID_XRAY = path.join(ORIGINALS, 'ryct.2020200028.fig1a.jpeg');
const PHOTO = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';
const GRAY_PHOTO = '/usr/lib/python3/dist-packages/skimage/data/camera.png';
const LATERAL = path.resolve(ROOT, '../shared/cxr-data/images/ieee8023_images/nejmoa2001191_f1-L.jpg');
const hasGate = fs.existsSync(path.join(ROOT, 'models/gate.onnx'));
const core = await loadXrayLens();
let server, browser;

// A site with the default models plus the input gate's model when there is one.
function siteWithGate(name) {
  const dir = prepareSite(defaultModels(), name);
  if (hasGate && defaultModels() !== 'shipped') {
    const gate = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-gate-'));
    for (const f of ['gate.onnx', 'gate.json']) fs.copyFileSync(path.join(ROOT, 'models', f), path.join(gate, f));
    convertModels(gate, path.join(dir, 'models'));
  }
  return dir;
}

before(async () => {
  server = await startServer(siteWithGate('e2e-site-trust'));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

async function ready(page) {
  await page.evaluate(() => localStorage.setItem('xraylens.notice.v1', 'accepted'));
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.state === 'ready');
}

async function open(page, file) {
  const before = await page.evaluate(() => document.getElementById('result').textContent);
  await page.setInputFiles('#file', file);
  await page.waitForFunction((b) => {
    const r = document.getElementById('result');
    return r.dataset.file && r.textContent !== b;
  }, before, { timeout: 30_000 });
  return page.evaluate(() => ({ ...document.getElementById('result').dataset, text: document.getElementById('result').textContent }));
}

// A part of the page as pixels, decoded by our own core (8-bit gray of the clip).
async function grab(page, rect) {
  await page.waitForTimeout(150); // a frame or two
  const png = await page.screenshot({ clip: { x: rect.x, y: rect.y, width: rect.w, height: rect.h } });
  core.fileBuffer(png.length).set(png);
  assert.ok(core.openFile().ok);
  return new Uint8Array(core.canonical());
}

const rectOf = (page, name) => page.evaluate((n) => globalThis.xraylens.app.widgetRect(n), name);
// Share of pixels that differ by more than 8 gray levels.
const changedShare = (a, b) => a.reduce((n, v, i) => n + (Math.abs(v - b[i]) > 8 ? 1 : 0), 0) / a.length;

test('the result shows a probability bar with the threshold marked, and words for every state', async () => {
  const { page, errors } = await openApp(browser.context, server.url);
  await ready(page);
  const r = await open(page, XRAY);
  assert.equal(r.gate, 'ok');
  assert.match(r.text, /threshold \d+\.\d%/);
  const bar = await rectOf(page, 'bar-1');
  assert.ok(bar && bar.w > 100 && bar.h > 10, 'the bar is drawn');
  const px = await grab(page, { x: bar.x, y: bar.y - 10, w: bar.w, h: bar.h + 14 });
  const hi = Math.max(...px), lo = Math.min(...px);
  assert.ok(hi > 230 && hi - lo > 120, `threshold line and marker are visible (range ${lo}..${hi})`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the heatmap is drawn over the image and the toggle removes it', async () => {
  const { page } = await openApp(browser.context, server.url);
  await ready(page);
  await open(page, COVID_XRAY); // a CAM that is zero everywhere (a confident negative) draws nothing
  assert.equal(await page.evaluate(() => globalThis.xraylens.app.camShown()), true);
  const img = await rectOf(page, 'image');
  const withCam = await grab(page, img);
  await clickWidget(page, 'heatmap');
  await page.waitForFunction(() => !globalThis.xraylens.app.camShown());
  const without = await grab(page, img);
  const changed = changedShare(withCam, without);
  assert.ok(changed > 0.02, `pixels change when the heatmap is hidden (${(changed * 100).toFixed(1)}% changed)`);
  await page.close();
});

test('the lung outline is drawn on demand, and the heatmap stays inside the lung field', async () => {
  const { page, errors } = await openApp(browser.context, server.url);
  await ready(page);
  await open(page, XRAY);
  const lungs = await page.evaluate(() => {
    const l = globalThis.xraylens.state.study.lungs;
    return { reason: l.reason, region: l.region, weight: Array.from(l.weight) };
  });
  assert.equal(lungs.reason, '');
  assert.equal(await page.evaluate(() => globalThis.xraylens.app.lungsShown()), false);
  const img = await rectOf(page, 'image');
  const plain = await grab(page, img);
  await clickWidget(page, 'lung-outline');
  await page.waitForFunction(() => globalThis.xraylens.app.lungsShown());
  const outlined = await grab(page, img);
  const changed = changedShare(plain, outlined);
  assert.ok(changed > 0.003 && changed < 0.2, `the outline changes a thin line of pixels (${(changed * 100).toFixed(2)}%)`);
  // The heatmap is clipped to the lung field: where the model saw nothing (weight 0), the image shows through.
  const outside = lungs.weight.filter((w) => w === 0).length / lungs.weight.length;
  assert.ok(outside > 0.1, `the lung field hides part of its box (${(outside * 100).toFixed(0)}%)`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the report\'s heatmap is clipped to the lung field as the page\'s is', async () => {
  const { page, errors } = await openApp(browser.context, server.url);
  await ready(page);
  // a 64x64 gray study, a CAM of 1 everywhere over its middle 32x32, a field that shows only its left half
  const px = await page.evaluate(async () => {
    const { studyCanvas } = await import('./report.js');
    const field = new Uint8Array(224 * 224);
    for (let y = 0; y < 224; ++y) for (let x = 0; x < 112; ++x) field[y * 224 + x] = 255;
    const study = { pixels: new Uint8Array(64 * 64).fill(128), width: 64, height: 64, sourceWidth: 64 };
    const cam = { data: new Float32Array(4).fill(1), width: 2, height: 2 };
    const c = studyCanvas(study, cam, { x: 16, y: 16, width: 32, height: 32 }, field);
    const d = c.getContext('2d').getImageData(0, 0, 64, 64).data;
    const at = (x, y) => Array.from(d.slice(4 * (y * 64 + x), 4 * (y * 64 + x) + 3));
    return { fieldLeft: at(20, 32), fieldRight: at(44, 32), outside: at(4, 4) };
  });
  const gray = ([r, g, b]) => r === g && g === b;
  assert.ok(!gray(px.fieldLeft), `coloured where the field shows the image: ${px.fieldLeft}`);
  assert.ok(gray(px.fieldRight), `gray where the field hides it: ${px.fieldRight}`);
  assert.deepEqual(px.outside, [128, 128, 128]);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a colour photograph is refused, and "analyse anyway" gives a result marked outside the scope', async () => {
  const { page } = await openApp(browser.context, server.url);
  await ready(page);
  const r = await open(page, PHOTO);
  assert.equal(r.gate, 'rejected:colour');
  assert.equal(r.verdict, undefined);
  assert.match(r.text, /Not analysed: this is a colour image/);
  await clickWidget(page, 'analyse-anyway');
  await page.waitForFunction(() => document.getElementById('result').dataset.scope === 'outside');
  const after = await page.evaluate(() => ({ ...document.getElementById('result').dataset, text: document.getElementById('result').textContent }));
  assert.ok(['POSITIVE', 'NEGATIVE'].includes(after.verdict));
  assert.match(after.text, /OUTSIDE THE MODEL'S SCOPE/);
  // the next good X-ray is analysed normally
  const next = await open(page, XRAY);
  assert.equal(next.gate, 'ok');
  assert.equal(next.scope, undefined);
  await page.close();
});

test('a lateral view and a gray photograph are refused by the gate model', { skip: !hasGate && 'models/gate.onnx not trained yet' }, async () => {
  const { page } = await openApp(browser.context, server.url);
  await ready(page);
  for (const f of [LATERAL, GRAY_PHOTO]) {
    const r = await open(page, f);
    assert.equal(r.gate, 'rejected:not_a_frontal_chest_xray', f);
    assert.match(r.text, /does not look like a frontal chest X-ray/);
  }
  await page.close();
});

test('the model card opens, and compare shows both models', async () => {
  const { page } = await openApp(browser.context, server.url);
  await ready(page);
  await clickWidget(page, 'card1');
  await page.waitForFunction(() => globalThis.xraylens.app.widgetRect('model-card') !== null);
  await open(page, XRAY);
  await clickWidget(page, 'compare');
  await page.waitForFunction(() => document.getElementById('result').dataset.compare);
  const r = await page.evaluate(() => ({ ...document.getElementById('result').dataset }));
  assert.deepEqual(r.compare.split(';').map((x) => x.split(':')[0]), ['covid-normal', 'covid-pneumonia']);
  assert.ok(await rectOf(page, 'bar-1'));
  assert.ok(await rectOf(page, 'bar-2'));
  await page.close();
});

test('a tampered model file fails its start-up check: a red banner, and it gives no verdict', async () => {
  const dir = siteWithGate('e2e-site-tampered');
  const model = path.join(dir, 'models/covid_normal.ort');
  const bytes = fs.readFileSync(model);
  bytes[bytes.length - 3] ^= 0x5a;
  fs.writeFileSync(model, bytes);
  const tampered = await startServer(dir);
  try {
    const { page } = await openApp(browser.context, tampered.url);
    await ready(page);
    assert.match(await page.textContent('#banner'), /Model 1: COVID-19 vs Normal failed its start-up check \(the model file does not match its card/);
    assert.ok(await rectOf(page, 'banner'), 'the banner is drawn in the app');
    await page.setInputFiles('#file', XRAY);
    await page.waitForFunction(() => document.getElementById('message').dataset.kind === 'error');
    assert.match(await page.textContent('#message'), /Model 1: COVID-19 vs Normal is not available/);
    assert.equal(await page.evaluate(() => document.getElementById('result').dataset.verdict), undefined);
    await page.close();
  } finally {
    tampered.close();
  }
});
