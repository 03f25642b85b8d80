// "Your data" end to end in Debian's Chromium: a labelled folder made from ../shared/cxr-data test images
// (25 COVID-19, 25 normal, 3 pneumonia, in COVID/ Normal/ Pneumonia/) is opened as a batch; the page's
// AUC, sensitivity, specificity and site threshold equal `tools/predict.mjs --summary` and the Python
// reference (scikit-learn, SciPy) on the page's own predictions; a site threshold is adopted and removed,
// and the verdicts, the bar, the labelled copy's band and the CSV follow; a changed model drops it; no
// request leaves the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { makeLabelledFolder } from '../fixtures/labelled_folder.mjs';
import { loadXrayLens, ROOT } from '../../tools/lib/node_runtime.mjs';
import { PY, assertOnlyOwnGets, clickWidget, defaultModels, launch, openAcceptedApp, openFileInPage, prepareSite, startServer } from './harness.mjs';

const TOL = 1e-6;
let server, browser, set, summary, core;

before(async () => {
  set = makeLabelledFolder({ covid: 25, normal: 25, pneumonia: 3 });
  // the predictor loads build/site's models, which the page's copy of the site serves too
  assert.equal(defaultModels(), 'shipped', 'needs the shipped models (models/*.onnx)');
  const site = prepareSite('shipped', 'e2e-site-your-data');
  summary = JSON.parse(execFileSync('node', [path.join(ROOT, 'tools/predict.mjs'), '--truth', set.dir, '--summary'], { encoding: 'utf8' }));
  server = await startServer(site);
  browser = await launch();
  core = await loadXrayLens();
});
after(async () => {
  await browser?.close();
  server?.close();
  if (set) fs.rmSync(set.root, { recursive: true, force: true });
});

const close = (a, b, what) => {
  if (Array.isArray(b)) return b.forEach((x, i) => close(a[i], x, `${what}[${i}]`));
  assert.ok(typeof a === 'number' && Math.abs(a - b) <= TOL, `${what}: page ${a}, reference ${b}`);
};

async function download(page, widget, dir, name) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), clickWidget(page, widget)]);
  const file = path.join(dir, name ?? dl.suggestedFilename());
  await dl.saveAs(file);
  return { file, name: dl.suggestedFilename() };
}

function pngHeight(file) {
  const png = fs.readFileSync(file);
  core.fileBuffer(png.length).set(png);
  const info = core.openFile();
  assert.ok(info.ok, info.error);
  return info.height;
}

const siteOf = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('xraylens.siteThreshold.v1') || '{}'));

test('a labelled folder: figures equal the predictor and Python; a site threshold is adopted and removed', async (t) => {
  const { page, requests, errors } = await openAcceptedApp(browser.context, server.url);
  const origin = new URL(server.url).origin;
  const sent = requests.length;
  await page.setInputFiles('#folder', set.dir);
  await page.waitForFunction(() => document.getElementById('your-data').dataset.evaluated === 'yes', null, { timeout: 300_000 });
  assert.equal(await page.evaluate(() => document.getElementById('your-data').dataset.labelled), '53');

  // the page's figures are the ones its app shows (the Your data tab's)
  const shown = await page.evaluate(() => [0, 1].map((i) => JSON.parse(globalThis.xraylens.app.yourDataJson(i))));
  const [m1, m2] = shown;
  t.diagnostic(`Model 1 on the page: n ${m1.n_pos}+${m1.n_neg}, AUC ${m1.auc}, sens ${m1.sensitivity}, spec ${m1.specificity}, site ${m1.site_threshold}`);
  const ref = summary['covid-normal'];
  for (const k of ['n_pos', 'n_neg', 'gate_refused', 'other_class']) assert.equal(m1[k], ref[k], k);
  for (const k of ['auc', 'auc_ci', 'sensitivity', 'specificity', 'site_threshold']) close(m1[k], ref[k], `${k} (predictor)`);
  assert.ok(m1.n_pos >= 20 && m1.n_neg >= 20, 'enough of each class for a site threshold');
  assert.equal(m2.site_threshold, null, 'Model 2: 3 pneumonia X-rays, refused');
  assert.match(m2.site_thresholds[1].refused, /at least 20/);

  // Python on the page's own predictions, labelled from this test's folder list (not from the core)
  const rows = await page.evaluate(() => globalThis.xraylens.batch.rows.map((r) => ({ path: r.path, gate: r.gate, p: r.results?.find((x) => x.key === 'covid-normal')?.pCovid })));
  const label = new Map(set.files.map((f) => [`labelled/${f.path}`, f.label]));
  const pairs = rows.filter((r) => r.gate === 'ok' && ['covid', 'normal'].includes(label.get(r.path))).map((r) => `${r.p} ${label.get(r.path) === 'covid' ? 1 : 0}`);
  const py = JSON.parse(execFileSync(PY, [path.join(ROOT, 'tests/python/site_metrics_ref.py'), String(m1.threshold)], { input: pairs.join('\n') + '\n', encoding: 'utf8' }));
  assert.equal(py.n_pos, m1.n_pos);
  assert.equal(py.n_neg, m1.n_neg);
  for (const k of ['auc', 'auc_ci', 'sensitivity', 'specificity']) close(m1[k], py[k], `${k} (Python)`);
  close(m1.site_threshold, py.site_thresholds['0.95'].threshold, 'site_threshold (Python)');

  // the Your data tab with its two plots
  await clickWidget(page, 'tab-your-data');
  await page.waitForFunction(() => globalThis.xraylens.app.widgetRect('roc-plot') && globalThis.xraylens.app.widgetRect('reliability-plot'), null, { timeout: 10_000 });

  // one file in the viewer whose verdict the site threshold changes, where the two thresholds differ
  const site = m1.site_threshold, card = m1.threshold;
  const [lo, hi] = [Math.min(site, card), Math.max(site, card)];
  const between = rows.find((r) => r.gate === 'ok' && r.p >= lo && r.p < hi) ?? rows.find((r) => r.gate === 'ok');
  const before = await openFileInPage(page, path.join(set.dir, between.path.replace(/^labelled\//, '')));
  assert.equal(before.verdict, between.p >= card ? 'POSITIVE' : 'NEGATIVE');
  const copy0 = await download(page, 'save', set.root, 'copy0.png');
  const h0 = pngHeight(copy0.file);

  // adopt the 0.95 site threshold
  await clickWidget(page, 'tab-your-data');
  await clickWidget(page, 'site-target-1');
  await clickWidget(page, 'site-adopt');
  await page.waitForFunction(() => document.getElementById('your-data').dataset.siteCovidNormal !== undefined, null, { timeout: 10_000 });
  const stored = (await siteOf(page))['covid-normal'];
  close(stored.threshold, site, 'stored site threshold');
  assert.equal(stored.n, m1.n_pos + m1.n_neg);
  assert.equal(stored.target, 0.95);
  const cardJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'build/e2e-site-your-data/models/covid_normal.json'), 'utf8'));
  assert.equal(stored.sha256, cardJson.sha256);
  const note = new RegExp(`site threshold ${site.toFixed(2)}, from ${stored.n} of your X-rays, \\d{4}-\\d\\d-\\d\\d`);
  const after = await page.evaluate(() => ({ ...document.getElementById('result').dataset }));
  assert.equal(after.verdict, between.p >= site ? 'POSITIVE' : 'NEGATIVE', 'the viewer\'s verdict uses the site threshold');
  assert.match(after.site, note);
  const bar = await page.evaluate(() => globalThis.xraylens.app.resultState(0));
  close(bar.threshold, site, 'the bar\'s threshold');
  assert.match(bar.thresholdNote, note);
  assert.equal(bar.bandLow, bar.bandHigh, 'no inconclusive zone under a site threshold');
  const copy1 = await download(page, 'save', set.root, 'copy1.png');
  assert.match(copy1.name, new RegExp(`^${after.verdict}_`));
  assert.ok(pngHeight(copy1.file) > h0, 'the labelled copy\'s band holds the site threshold\'s line');

  // the batch table and its CSV follow
  await clickWidget(page, 'tab-batch');
  const csv = fs.readFileSync((await download(page, 'export-csv', set.root, 'site.csv')).file, 'utf8').trim().split('\n');
  const data = csv.filter((l) => !l.startsWith('#')).slice(1).map((l) => l.split(','));
  assert.equal(data.length, rows.length);
  for (const [file, , p, verdict, threshold] of data) {
    assert.equal(Number(threshold), site, file);
    assert.equal(verdict, rows.find((r) => r.path === file).p >= site ? 'POSITIVE' : 'NEGATIVE', file);
    assert.ok(Math.abs(Number(p) - rows.find((r) => r.path === file).p) < 1e-6);
  }
  assert.ok(csv.some((l) => /^# Your data: Model 1/.test(l)), 'the CSV carries the figures');
  assert.ok(csv.some((l) => note.test(l)), 'the CSV names the site threshold');

  // remove it: everything returns to the model card's threshold
  await clickWidget(page, 'tab-your-data');
  await clickWidget(page, 'site-remove');
  await page.waitForFunction(() => document.getElementById('your-data').dataset.siteCovidNormal === undefined, null, { timeout: 10_000 });
  assert.deepEqual(await siteOf(page), {});
  const back = await page.evaluate(() => ({ ...document.getElementById('result').dataset }));
  assert.equal(back.verdict, before.verdict);
  assert.equal(back.site, undefined);
  close((await page.evaluate(() => globalThis.xraylens.app.resultState(0))).threshold, card, 'the bar\'s threshold again');
  assert.equal(pngHeight((await download(page, 'save', set.root, 'copy2.png')).file), h0);

  // privacy: while the labelled folder was evaluated only same-origin GETs, none carrying an image
  assertOnlyOwnGets(requests.slice(sent), origin, fs.readFileSync(path.join(set.dir, set.files[0].path)));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a site threshold kept for another model file is dropped, with a message', async () => {
  const { page, errors } = await openAcceptedApp(browser.context, server.url);
  await page.evaluate(() => localStorage.setItem('xraylens.siteThreshold.v1', JSON.stringify({ 'covid-normal': { threshold: 0.3, n: 60, date: '2026-12-07', target: 0.95, sha256: 'not-this-model' } })));
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60_000 });
  await page.waitForFunction(() => /site threshold of Model 1.*was removed/.test(document.getElementById('message').textContent), null, { timeout: 10_000 });
  assert.deepEqual(await siteOf(page), {});
  assert.deepEqual(errors, []);
  await page.close();
});
