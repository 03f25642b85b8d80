// Batch mode end to end in Debian's Chromium: a folder of >= 200 real images (copied from
// ../shared/cxr-data into a temporary folder, with a text file and a broken JPEG beside them) is chosen
// with the app's "Open folder..." button; the canvas keeps drawing while workers analyse; pause and
// resume; the table fills; CSV and ZIP downloads hold one entry per file; a row opens in the viewer with
// its heatmap; a report is saved; nothing leaves the machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { CSV_HEADER } from '../../web/csv.js';
import { loadXrayLens } from '../../tools/lib/node_runtime.mjs';
import { PY, acceptNotice, assertOnlyOwnGets, clickWidget, defaultModels, launch, makeBatchFolder, openApp, prepareSite, startServer } from './harness.mjs';

let server, browser, folder, small, core;

before(async () => {
  // XR_BATCH_FILES (default 200) makes a quicker run of the same steps on a smaller folder
  folder = makeBatchFolder(Number(process.env.XR_BATCH_FILES) || 200);
  small = makeBatchFolder(32, { extras: false });
  server = await startServer(prepareSite(defaultModels()));
  browser = await launch();
  core = await loadXrayLens();
});
after(async () => {
  await browser?.close();
  server?.close();
  for (const f of [folder, small]) if (f) fs.rmSync(f.root, { recursive: true, force: true });
});

const batchData = (page) => page.evaluate(() => ({ ...document.getElementById('batch').dataset }));
const view = (page) => page.evaluate(() => globalThis.xraylens.app.batchView());

function readZipNames(file) {
  const code = 'import sys, zipfile, json; z = zipfile.ZipFile(sys.argv[1]); bad = z.testzip(); print(json.dumps({"bad": bad, "names": z.namelist()}))';
  return JSON.parse(execFileSync(PY, ['-c', code, file], { encoding: 'utf8' }));
}

test('a folder of >= 200 images: workers, live canvas, table, CSV, ZIP, viewer and report', async (t) => {
  const { page, requests, errors } = await openApp(browser.context, server.url);
  const origin = new URL(server.url).origin;
  await acceptNotice(page);
  const files = folder.images.length + 2;

  // choose the folder with the app's own button (it clicks the hidden webkitdirectory input)
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), clickWidget(page, 'open-folder')]);
  await chooser.setFiles(folder.dir);
  await page.waitForFunction(() => document.getElementById('batch').dataset.state === 'running', null, { timeout: 30_000 });

  // while it runs: frames advance, and rows arrive
  await page.waitForFunction(() => Number(document.getElementById('batch').dataset.done) >= 5, null, { timeout: 60_000 });
  const f0 = await page.evaluate(() => globalThis.xraylens.app.frameCount());
  const d0 = Number((await batchData(page)).done);
  const t0 = Date.now();
  await page.waitForFunction((d) => Number(document.getElementById('batch').dataset.done) >= d + 10, d0, { timeout: 120_000 });
  const s = (Date.now() - t0) / 1000;
  const frames = (await page.evaluate(() => globalThis.xraylens.app.frameCount())) - f0;
  t.diagnostic(`during the run: ${(frames / s).toFixed(1)} frames/s drawn, ${(10 / s).toFixed(1)} files/s`);
  // software WebGL on two shared cores draws few frames a second; they must keep coming while files are analysed
  assert.ok(frames >= 3, `the canvas keeps drawing (${frames} frames while 10 files were analysed)`);

  // pause: at most the files already handed to workers finish; resume goes on
  await clickWidget(page, 'batch-pause');
  await page.waitForFunction(() => document.getElementById('batch').dataset.state === 'paused');
  await page.waitForFunction(() => globalThis.xraylens.batch.workers.every((w) => w.busy === 0), null, { timeout: 60_000 });
  const p0 = Number((await batchData(page)).done);
  await page.waitForTimeout(1000);
  assert.equal(Number((await batchData(page)).done), p0, 'nothing is analysed while paused');
  const fp = await page.evaluate(() => globalThis.xraylens.app.frameCount());
  await page.waitForFunction((f) => globalThis.xraylens.app.frameCount() > f, fp, { timeout: 10_000 }); // frames advance while paused
  await clickWidget(page, 'batch-pause');
  await page.waitForFunction(() => document.getElementById('batch').dataset.state === 'running');

  await page.waitForFunction(() => document.getElementById('batch').dataset.state === 'done', null, { timeout: 300_000 });
  const data = await batchData(page);
  t.diagnostic(`batch: ${JSON.stringify(data)}`);
  assert.equal(Number(data.total), files);
  assert.equal(Number(data.done), files);
  assert.equal(Number(data.skipped), 1, 'the text file is skipped');
  assert.equal(Number(data.error), 1, 'the broken JPEG is a row with its error');
  assert.equal(Number(data.done) - Number(data.skipped) - Number(data.error), folder.images.length);
  const v = await view(page);
  assert.equal(v.rows, files);
  assert.equal(v.filled, files, 'every row of the table is filled');
  assert.equal(v.shown, files);
  assert.ok(await page.evaluate(() => globalThis.xraylens.app.widgetRect('batch-row-0')), 'the table is drawn');
  const rows = await page.evaluate(() => globalThis.xraylens.batch.rows.map((r) => ({ path: r.path, status: r.status, error: r.error })));
  assert.match(rows.find((r) => r.path.endsWith('notes.txt')).error, /not an image the core reads/);
  assert.equal(rows.find((r) => r.path.endsWith('broken.jpg')).status, 'error');

  // CSV: the predictor's columns, one line per file (one model selected)
  const [csvDl] = await Promise.all([page.waitForEvent('download'), clickWidget(page, 'export-csv')]);
  const csvFile = path.join(folder.root, csvDl.suggestedFilename());
  await csvDl.saveAs(csvFile);
  const lines = fs.readFileSync(csvFile, 'utf8').trim().split('\n');
  assert.equal(lines[0], CSV_HEADER);
  assert.equal(lines.length - 1, files, 'one CSV line per file');
  const byFile = new Map(lines.slice(1).map((l) => [l.split(',')[0], l]));
  for (const img of folder.images) assert.match(byFile.get(`studies/${img}`) ?? '', /,covid-normal,0\.\d{6},(POSITIVE|NEGATIVE),[\d.]+,(ok|rejected:\w+),/);
  assert.match(byFile.get('studies/notes.txt'), /,covid-normal,,,[\d.]+,,,"not an image the core reads/);

  // ZIP: one labelled copy per analysed image, named as the single-image copy is
  const [zipDl] = await Promise.all([page.waitForEvent('download', { timeout: 300_000 }), clickWidget(page, 'export-zip')]);
  const zipFile = path.join(folder.root, zipDl.suggestedFilename());
  await zipDl.saveAs(zipFile);
  const zip = readZipNames(zipFile);
  assert.equal(zip.bad, null, 'every CRC checks');
  assert.equal(zip.names.length, folder.images.length, 'one labelled copy per image');
  for (const n of zip.names) assert.match(n, /^(outside_the_models_scope\/)?studies\/[\w-]+\/(POSITIVE|NEGATIVE)_Prob_\d{1,3}_Name_[^/]+\.png$/);

  // a click on a row opens that file in the viewer with its heatmap
  const idx = rows.findIndex((r) => r.status === 'done'); // a row near the top, so it is on screen
  const picked = rows[idx].path;
  await page.evaluate(() => document.querySelector('#result').removeAttribute('data-file'));
  await clickWidget(page, `batch-row-${idx}`);
  await page.waitForFunction((f) => document.getElementById('result').dataset.file === f, path.basename(picked), { timeout: 60_000 });
  await page.waitForFunction(() => globalThis.xraylens.app.camShown());
  const result = await page.evaluate(() => ({ ...document.getElementById('result').dataset }));
  assert.match(byFile.get(picked), new RegExp(`,${result.verdict},`), 'the viewer agrees with the table');

  // the report of that study: a one-page PNG
  const [repDl] = await Promise.all([page.waitForEvent('download'), clickWidget(page, 'report')]);
  assert.match(repDl.suggestedFilename(), /^XRayLens_report_(POSITIVE|NEGATIVE)_Prob_\d+_Name_.+\.png$/);
  const repFile = path.join(folder.root, 'report.png');
  await repDl.saveAs(repFile);
  const png = fs.readFileSync(repFile);
  core.fileBuffer(png.length).set(png);
  const info = core.openFile();
  assert.ok(info.ok, info.error);
  assert.deepEqual([info.width, info.height], [1240, 1754]);

  // compare on: the CSV holds both models' lines for each file
  await clickWidget(page, 'tab-batch');
  await clickWidget(page, 'compare');
  const [bothDl] = await Promise.all([page.waitForEvent('download'), clickWidget(page, 'export-csv')]);
  const bothFile = path.join(folder.root, 'both.csv');
  await bothDl.saveAs(bothFile);
  assert.equal(fs.readFileSync(bothFile, 'utf8').trim().split('\n').length - 1, 2 * files);

  // privacy: only same-origin GETs, and no request carries an image's bytes
  assertOnlyOwnGets(requests, origin, fs.readFileSync(path.join(folder.dir, folder.images[0])));
  assert.deepEqual(errors, []);
  await page.close();
});

test('cancel drops the files not started, and a dropped folder starts a batch', async () => {
  const { page, errors } = await openApp(browser.context, server.url);
  await acceptNotice(page);
  await page.setInputFiles('#folder', small.dir);
  await page.waitForFunction(() => Number(document.getElementById('batch').dataset.done) >= 1, null, { timeout: 120_000 });
  await clickWidget(page, 'batch-cancel');
  await page.waitForFunction(() => document.getElementById('batch').dataset.state === 'done', null, { timeout: 30_000 });
  const data = await batchData(page);
  assert.ok(Number(data.cancelled) >= 15, `cancelled: ${data.cancelled}`);
  assert.equal(Number(data.total), small.images.length);
  assert.equal(Number(data.done) + Number(data.cancelled), small.images.length, 'every file is analysed or marked cancelled');

  // several files dropped at once (a synthetic drop carries files, not folder entries) start a batch
  const names = small.images.slice(0, 3);
  const b64 = names.map((n) => fs.readFileSync(path.join(small.dir, n)).toString('base64'));
  await page.evaluate(({ b64, names }) => {
    const dt = new DataTransfer();
    b64.forEach((b, i) => dt.items.add(new File([Uint8Array.from(atob(b), (c) => c.charCodeAt(0))], names[i].split('/').pop(), { type: 'image/jpeg' })));
    document.getElementById('canvas').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { b64, names });
  await page.waitForFunction(() => document.getElementById('batch').dataset.state === 'done' && document.getElementById('batch').dataset.total === '3', null, { timeout: 120_000 });
  assert.equal(Number((await batchData(page)).done), 3);
  assert.deepEqual(errors, []);
  await page.close();
});
