// Issue 20 in the page (Chromium): one X-ray as PNG, WebP (lossless and q90), BMP, GIF, TIFF (8/16-bit, LZW,
// Deflate, PackBits, RGB), PGM, PPM, TGA and 12-bit JPEG DICOM (tests/fixtures/make_formats.py) gives the PNG's
// p_covid: the lossless ones equal, the lossy ones within 0.02. A cut WebP, TIFF, BMP and GIF and a TIFF
// claiming 100000 x 100000 pixels get a message and the image stays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PY, defaultModels, launch, openAcceptedApp, openFileInPage, prepareSite, startServer } from './harness.mjs';
import { ROOT } from '../../tools/lib/node_runtime.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-e2e-formats-'));
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_formats.py'), tmp]);
const fixtures = JSON.parse(fs.readFileSync(path.join(tmp, 'formats.json'), 'utf8'));
const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-e2e-formats-bad-'));
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_bad_corpus.py'), bad]);
let server, browser;

before(async () => {
  server = await startServer(prepareSite(defaultModels(), 'e2e-site-formats'));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

const openPage = () => openAcceptedApp(browser.context, server.url);
const openFile = openFileInPage;

test('every format gives the PNG\'s p_covid in the page', async (t) => {
  const { page, errors } = await openPage();
  const ref = Number((await openFile(page, path.join(tmp, fixtures.reference))).p);
  for (const file of [...fixtures.lossless, ...fixtures.lossy]) {
    const p = Number((await openFile(page, path.join(tmp, file))).p);
    const diff = Math.abs(p - ref);
    if (fixtures.lossless.includes(file)) assert.equal(p, ref, `${file}: p ${p} vs the PNG's ${ref}`);
    else assert.ok(diff <= 0.02, `${file}: p ${p} vs the PNG's ${ref}`);
    t.diagnostic(`${file}: p_covid ${p.toFixed(6)}, PNG ${ref.toFixed(6)}, |diff| ${diff.toFixed(6)}`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('cut and huge files of the new formats get a message; the open image stays', async () => {
  const { page, errors } = await openPage();
  await openFile(page, path.join(tmp, 'xray.tif'));
  const expect = {
    'trunc_webp_lossy_70.webp': /WebP.*truncated/, 'trunc_webp_lossless_30.webp': /WebP.*truncated/,
    'trunc_tiff_lzw_70.tif': /TIFF.*truncated/, 'trunc_tiff_70.tif': /TIFF.*(cut|truncated)/,
    'trunc_bmp_70.bmp': /BMP.*truncated/, 'trunc_gif_70.gif': /GIF.*truncated/,
    'bomb_tiff_100000x100000.tif': /too large: 100000 x 100000/, 'dicom_meta_length_past_end.dcm': /file meta information is corrupt/,
  };
  for (const [name, re] of Object.entries(expect)) {
    await page.setInputFiles('#file', path.join(bad, name));
    await page.waitForFunction((n) => document.getElementById('message').textContent.includes(`Could not open ${n}`), name);
    const message = await page.textContent('#message');
    assert.match(message, re, name);
    assert.match(message, /Still showing xray\.tif/);
  }
  assert.ok(Number((await openFile(page, path.join(tmp, 'xray.gif'))).p) >= 0, 'the page works on');
  assert.deepEqual(errors, []);
  await page.close();
});
