// A representative part of the bad-input corpus (tests/fixtures/make_bad_corpus.py) through the page
// in Chromium: each file gets its message or result, the previous image stays when a file fails,
// no page error, the page stays responsive, and a good image still works afterwards. The predictor
// test (tests/node/bad_input.test.mjs) takes every file of the corpus.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from '../../tools/lib/node_runtime.mjs';
import { ORIGINALS, PY, defaultModels, launch, openApp, prepareSite, startServer } from './harness.mjs';

const CORPUS = path.join(ROOT, 'build/bad-corpus-e2e');
const FIRST = path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg');
const LAST = path.join(ORIGINALS, 'person279_bacteria_1315.jpeg');
// one or two of each kind: not images, bombs, a memory-budget refusal, cut, flipped, a fuzzing crash, odd formats
const PICKS = [
  /^empty\.png$/, /^random_64k\.jpg$/, /^page\.png$/, /^archive\.jpg$/, /^bomb_jpeg_65000x65000\.jpg$/,
  /^bomb_png_60000x1\.png$/, /^bomb_png_1x60000\.png$/, /^zeros_7700x7700_rgba16\.png$/,
  /^bomb_jpeg_7000x7000_noscan\.jpg$/, /^png_no_iend\.png$/, /^trunc_post-.*_719519\.jpg$/, /^flip_5CBC.*_2\.jpeg$/,
  /^fuzzcrash_jpeg_dht_too_many_codes\.jpg$/, /^one_by_one_gray\.png$/, /^gray16\.png$/, /^cmyk\.jpg$/,
  /^palette_trns\.png$/, /^interlaced_gray16\.png$/,
];

let server, browser, files;

before(async () => {
  execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_bad_corpus.py'), CORPUS, '--originals', ORIGINALS]);
  const manifest = fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
  files = PICKS.map((re) => {
    const row = manifest.find(([name]) => re.test(name));
    assert.ok(row, `no corpus file matches ${re}`);
    return { file: path.join(CORPUS, row[0]), name: row[0], expect: row[2] };
  });
  server = await startServer(prepareSite(defaultModels(), 'e2e-site-bad-input'));
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.close();
});

// What the page shows for `name` once it has answered: its message, or its result.
async function answerFor(page, name) {
  await page.waitForFunction(
    (n) => document.getElementById('message').textContent.includes(n) || document.getElementById('result').dataset.file === n,
    name, { timeout: 30_000 });
  return page.evaluate(() => ({
    message: document.getElementById('message').textContent,
    kind: document.getElementById('message').dataset.kind,
    resultFile: document.getElementById('result').dataset.file,
    study: globalThis.xraylens.state.study?.name,
    warning: globalThis.xraylens.state.study?.info.warning,
  }));
}

test('bad files get a message, the previous image stays, and a good image still works', async () => {
  const { page, errors } = await openApp(browser.context, server.url);
  await page.evaluate(() => localStorage.setItem('xraylens.notice.v1', 'accepted'));
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60_000 });

  await page.setInputFiles('#file', FIRST);
  let a = await answerFor(page, path.basename(FIRST));
  assert.equal(a.resultFile, path.basename(FIRST));
  let shown = path.basename(FIRST);

  const started = Date.now();
  for (const f of files) {
    await page.setInputFiles('#file', f.file);
    a = await answerFor(page, f.name);
    const failed = a.kind === 'error' && a.message.includes(f.name);
    const label = `${f.name} (${f.expect}): ${JSON.stringify(a)}`;
    if (failed) {
      assert.match(a.message, new RegExp(`^Could not open ${f.name.replace(/\./g, '\\.')}: [A-Z].*[.)]`), label);
      assert.doesNotMatch(a.message, /\(\)|Aborted|RuntimeError/, label);
      assert.equal(a.study, shown, `the previous image stays open: ${label}`);
    } else {
      assert.equal(a.resultFile, f.name, label);
      shown = f.name;
    }
    if (f.expect === 'error' || f.expect === 'too-large') assert.ok(failed, label);
    if (f.expect === 'too-large') assert.match(a.message, /Image too large/, label);
    if (f.expect === 'ok') assert.ok(!failed && !a.warning, label);
    if (f.expect === 'warn') assert.ok(!failed && /truncated/.test(a.warning), label);
    if (f.expect === 'warn-or-error') assert.ok(failed || /truncated/.test(a.warning), label);
  }
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 90_000, `${files.length} files took ${elapsed} ms`);

  // still responsive (the app draws on demand, so frames are not a measure): the page answers at once,
  // and a good image gets its verdict
  const t0 = Date.now();
  assert.equal(await page.evaluate(() => typeof globalThis.xraylens.app.frameCount()), 'number');
  assert.ok(Date.now() - t0 < 2_000, `the page took ${Date.now() - t0} ms to answer`);
  await page.setInputFiles('#file', LAST);
  await page.waitForFunction((n) => document.getElementById('result').dataset.file === n, path.basename(LAST), { timeout: 30_000 });
  const r = await page.evaluate(() => ({ ...document.getElementById('result').dataset }));
  assert.ok(['POSITIVE', 'NEGATIVE'].includes(r.verdict) || r.gate?.startsWith('rejected:'), JSON.stringify(r));
  assert.equal(await page.textContent('#message'), '');
  assert.deepEqual(errors, []);
  await page.close();
});
