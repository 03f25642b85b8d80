// DICOM in the page (Chromium): each supported transfer syntax and photometric interpretation gives the
// p_covid of its reference image; detection by content; patient data hidden; lateral and colour to the gate;
// malformed files get a message and the page keeps working. Fixtures: tests/fixtures/make_dicom.py.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PY, clickWidget, defaultModels, launch, openAcceptedApp, openFileInPage, prepareSite, startServer } from './harness.mjs';
import { ROOT, loadXrayLens } from '../../tools/lib/node_runtime.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-e2e-dicom-'));
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_dicom.py'), tmp]);
const fixtures = JSON.parse(fs.readFileSync(path.join(tmp, 'fixtures.json'), 'utf8'));
const core = await loadXrayLens();
let server, browser;

before(async () => {
  server = await startServer(prepareSite(defaultModels(), 'e2e-site-dicom'));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const openPage = () => openAcceptedApp(browser.context, server.url);
const resultData = (page) => page.evaluate(() => ({ ...document.getElementById('result').dataset }));
const openFile = (page, file) => openFileInPage(page, path.join(tmp, file));

test('every supported DICOM fixture (and a 16-bit PNG) gives its reference image\'s p_covid in the page', async (t) => {
  const { page, requests, errors } = await openPage();
  const codecRequests = () => requests.filter((r) => r.url().includes('/codecs/')).map((r) => r.url().split('/codecs/')[1]);
  assert.deepEqual(codecRequests(), [], 'no codec is loaded at start-up');
  const all = { ...fixtures.good, ...fixtures.png16 };
  const reference = {};
  for (const ref of new Set(Object.values(all))) reference[ref] = Number((await openFile(page, ref)).p);
  await openFile(page, 'explicit_le_8.dcm');
  assert.deepEqual(codecRequests(), [], 'nor for an uncompressed DICOM file');
  for (const [file, ref] of Object.entries(all)) {
    const r = await openFile(page, file);
    const diff = Math.abs(Number(r.p) - reference[ref]);
    assert.ok(diff <= 0.03, `${file}: p ${r.p} vs ${reference[ref]}`);
    t.diagnostic(`${file}: p_covid ${r.p}, ${ref} ${reference[ref].toFixed(6)}, |diff| ${diff.toFixed(6)}`);
  }
  assert.deepEqual(codecRequests().sort(), ['charls_decode.mjs', 'charls_decode.wasm', 'jpeg_lossless.mjs', 'openjpeg_decode.mjs', 'openjpeg_decode.wasm'],
    'each codec once, when a file first needs it');
  assert.deepEqual(errors, []);
  await page.close();
});

test('detected by content, patient data hidden until asked for and never in the copy, lateral refused as lateral', async () => {
  const { page, errors } = await openPage();
  // a DICOM file with a name that says nothing, dropped on the page
  const b64 = fs.readFileSync(path.join(tmp, 'mono1_16_window.dcm')).toString('base64');
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'export.bin'));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, b64);
  await page.waitForFunction(() => document.getElementById('result').dataset.file === 'export.bin', null, { timeout: 30_000 });
  const r = await resultData(page);
  assert.ok(['POSITIVE', 'NEGATIVE'].includes(r.verdict));
  await clickWidget(page, 'patient'); // the toggle exists for a DICOM study with patient data
  const [download] = await Promise.all([page.waitForEvent('download'), clickWidget(page, 'save')]);
  assert.doesNotMatch(download.suggestedFilename(), /Doe|Jane|XR-123/);
  const text = await page.evaluate(() => document.body.innerText);
  assert.doesNotMatch(text, /Doe|XR-123|ACC-9/);

  await page.setInputFiles('#file', path.join(tmp, fixtures.lateral));
  await page.waitForFunction(() => document.getElementById('result').dataset.gate === 'rejected:lateral', null, { timeout: 30_000 });
  assert.match(await page.textContent('#result'), /lateral view \(View Position LL\)/);
  await page.setInputFiles('#file', path.join(tmp, fixtures.colour)); // a rainbow PALETTE COLOR image
  await page.waitForFunction(() => document.getElementById('result').dataset.gate === 'rejected:colour', null, { timeout: 30_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('malformed and unsupported DICOM files get a message; the page keeps the open image and works on', async () => {
  const { page, errors } = await openPage();
  await openFile(page, 'explicit_le_8.dcm');
  const expect = { truncated: /truncated/, absurd_size: /too large/, missing_rows: /no Rows/, unknown_syntax: /\(unknown\)/,
    deflate_bomb: /inflates to more than 256 MB/, lying_length: /length/, garbage: /transfer syntax/,
    meta_length_past_end: /file meta information/, meta_cut_in_syntax: /runs past the end/, jpegls_truncated: /truncated|past the end/, j2k_cut: /JPEG 2000 decoder failed/,
    j2k_wrong_codec: /JPEG-LS codestream, not JPEG 2000/, jpegls_size_mismatch: /file says 100 x 100/,
    jpeg_lossless_noise: /JPEG Lossless/, rle_bad_header: /RLE decoder failed/ };
  for (const [name, re] of Object.entries(expect)) {
    await page.setInputFiles('#file', path.join(tmp, 'bad', `${name}.dcm`));
    await page.waitForFunction((n) => document.getElementById('message').textContent.includes(`Could not open ${n}.dcm`), name);
    const message = await page.textContent('#message');
    assert.match(message, re);
    assert.match(message, /Still showing explicit_le_8\.dcm/);
  }
  await openFile(page, 'deflated_8.dcm');
  await openFile(page, 'j2k_lossless_8.dcm'); // the codecs still work after the malformed frames
  await openFile(page, 'jpegls_8.dcm');
  assert.deepEqual(errors, []);
  await page.close();
});

// The viewer panel as the core's canonical image of a screenshot (256 x 256 gray).
async function grab(page) {
  await page.waitForTimeout(200); // frames are drawn on demand, a few after each change
  const r = await page.evaluate(() => globalThis.xraylens.app.widgetRect('viewport'));
  const png = await page.screenshot({ clip: { x: r.x, y: r.y, width: r.w, height: r.h } });
  core.fileBuffer(png.length).set(png);
  assert.ok(core.openFile().ok);
  return new Uint8Array(core.canonical());
}
const changedShare = (a, b) => a.reduce((n, v, i) => n + (Math.abs(v - b[i]) > 8 ? 1 : 0), 0) / a.length;
const view = (page) => page.evaluate(() => globalThis.xraylens.app.viewState());

test('the viewer zooms about the cursor, pans, windows, inverts and resets a DICOM image', async () => {
  const { page, errors } = await openPage();
  await openFile(page, 'mono1_16_window.dcm');
  await clickWidget(page, 'heatmap'); // the heatmap off: only the image changes below
  const img = await page.evaluate(() => globalThis.xraylens.app.widgetRect('image'));
  const at = { x: img.x + img.w * 0.3, y: img.y + img.h * 0.4 };
  const start = await grab(page);

  await page.mouse.move(at.x, at.y);
  for (let i = 0; i < 4; ++i) {
    await page.mouse.wheel(0, -100);
    await page.waitForTimeout(60);
  }
  let v = await view(page);
  assert.ok(v.zoom > 1.5, `zoomed in (${v.zoom})`);
  assert.ok(v.cx < 0.5 && v.cy < 0.5, `about the cursor, up and left of the centre (${v.cx}, ${v.cy})`);
  const zoomed = await grab(page);
  assert.ok(changedShare(start, zoomed) > 0.1, 'the picture changed when zoomed');

  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  await page.mouse.move(at.x + 120, at.y + 80, { steps: 6 });
  await page.mouse.up();
  const panned = await view(page);
  assert.ok(panned.cx < v.cx && panned.cy < v.cy, 'dragging right and down shows more of the upper left');
  assert.ok(changedShare(zoomed, await grab(page)) > 0.1, 'the picture changed when panned');

  const before = await grab(page);
  await page.mouse.move(at.x, at.y);
  await page.mouse.down({ button: 'right' });
  await page.mouse.move(at.x - 150, at.y + 60, { steps: 6 });
  await page.mouse.up({ button: 'right' });
  v = await view(page);
  assert.ok(v.windowWidth < 1 && v.windowCenter < 0.5, `narrower window, lower level (${v.windowWidth}, ${v.windowCenter})`);
  assert.ok(changedShare(before, await grab(page)) > 0.1, 'the picture changed with window/level');

  await page.keyboard.press('i');
  await page.waitForFunction(() => globalThis.xraylens.app.viewState().invert);
  await page.keyboard.press('r');
  await page.waitForFunction(() => globalThis.xraylens.app.viewState().zoom === 1);
  v = await view(page);
  assert.deepEqual([v.invert, v.windowCenter, v.windowWidth, v.cx, v.cy], [false, 0.5, 1, 0.5, 0.5]);
  assert.ok(changedShare(start, await grab(page)) < 0.02, 'reset shows the image as it was');

  await page.keyboard.press('1'); // one image pixel per screen pixel: a 945 px image in a smaller panel
  await page.waitForFunction(() => globalThis.xraylens.app.viewState().zoom > 1);
  await clickWidget(page, 'help');
  await page.waitForFunction(() => globalThis.xraylens.app.viewState().help);
  assert.deepEqual(errors, []);
  await page.close();
});
