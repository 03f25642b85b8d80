// DICOM in the page (Chromium): each supported transfer syntax and photometric interpretation gives the
// p_covid of its reference image; detection by content; patient data hidden; lateral to the gate;
// malformed files get a message and the page keeps working. Fixtures: tests/fixtures/make_dicom.py.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PY, clickWidget, defaultModels, launch, openApp, prepareSite, startServer } from './harness.mjs';
import { ROOT } from '../../tools/lib/node_runtime.mjs';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-e2e-dicom-'));
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_dicom.py'), tmp]);
const fixtures = JSON.parse(fs.readFileSync(path.join(tmp, 'fixtures.json'), 'utf8'));
let server, browser;

before(async () => {
  server = await startServer(prepareSite(defaultModels(), 'e2e-site-dicom'));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

// Opens the page with the first-start notice accepted (a modal notice takes the clicks).
async function openPage() {
  const opened = await openApp(browser.context, server.url);
  await opened.page.evaluate(() => localStorage.setItem('xraylens.notice.v1', 'accepted'));
  await opened.page.reload();
  await opened.page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60_000 });
  return opened;
}

const resultData = (page) => page.evaluate(() => ({ ...document.getElementById('result').dataset }));

async function openFile(page, file) {
  await page.setInputFiles('#file', path.join(tmp, file));
  await page.waitForFunction((f) => document.getElementById('result').dataset.file === f, path.basename(file), { timeout: 30_000 });
  return resultData(page);
}

test('every supported DICOM fixture gives its reference image\'s p_covid in the page', async (t) => {
  const { page, errors } = await openPage();
  const reference = {};
  for (const ref of new Set(Object.values(fixtures.good))) reference[ref] = Number((await openFile(page, ref)).p);
  for (const [file, ref] of Object.entries(fixtures.good)) {
    const r = await openFile(page, file);
    const diff = Math.abs(Number(r.p) - reference[ref]);
    assert.ok(diff <= 0.03, `${file}: p ${r.p} vs ${reference[ref]}`);
    t.diagnostic(`${file}: p_covid ${r.p}, ${ref} ${reference[ref].toFixed(6)}, |diff| ${diff.toFixed(6)}`);
  }
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
  assert.deepEqual(errors, []);
  await page.close();
});

test('malformed and unsupported DICOM files get a message; the page keeps the open image and works on', async () => {
  const { page, errors } = await openPage();
  await openFile(page, 'explicit_le_8.dcm');
  const expect = { truncated: /truncated/, absurd_size: /too large/, missing_rows: /no Rows/, unknown_syntax: /\(unknown\)/,
    jpeg_baseline: /JPEG Baseline/, lying_length: /length/, garbage: /transfer syntax/, rle: /RLE Lossless/ };
  for (const [name, re] of Object.entries(expect)) {
    await page.setInputFiles('#file', path.join(tmp, 'bad', `${name}.dcm`));
    await page.waitForFunction((n) => document.getElementById('message').textContent.includes(`Could not open ${n}.dcm`), name);
    const message = await page.textContent('#message');
    assert.match(message, re);
    assert.match(message, /Still showing explicit_le_8\.dcm/);
  }
  await openFile(page, 'deflated_8.dcm');
  assert.deepEqual(errors, []);
  await page.close();
});
