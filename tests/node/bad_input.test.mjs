// The bad-input corpus (tests/fixtures/make_bad_corpus.py) through the headless predictor in one
// process: a row for every file with the answer the manifest asks for, exit status 0, peak memory
// under 1.5 GB, and good images between and after the bad ones still answered (the wasm core never
// aborts, whatever came before).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { ROOT } from '../../tools/lib/node_runtime.mjs';
import { parseCsv } from './csv_parse.mjs';

const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const ORIGINALS = path.resolve(ROOT, '../shared/cxr-data/originals');
const CORPUS = path.join(ROOT, 'build/bad-corpus');
const PEAK_LIMIT_KB = 1.5 * 1024 * 1024;

test('every bad file gets its row and the predictor survives them all', () => {
  execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_bad_corpus.py'), CORPUS, '--originals', ORIGINALS]);
  const manifest = fs.readFileSync(path.join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n')
    .map((l) => l.split('\t')).map(([name, kind, expect]) => ({ file: path.join(CORPUS, name), name, kind, expect }));
  assert.ok(manifest.length >= 90, `${manifest.length} files`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-bad-'));
  const models = path.join(tmp, 'models');
  execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_tiny_models.py'), models]);
  // a good image after every tenth bad file and at the end
  const good = path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg');
  const list = [];
  manifest.forEach((m, i) => {
    list.push(m.file);
    if (i % 10 === 9) list.push(good);
  });
  list.push(good);
  const listFile = path.join(tmp, 'list.txt');
  fs.writeFileSync(listFile, list.join('\n') + '\n');
  // the predictor in a wrapper that reports its own peak RSS (kB) when it exits
  const wrapper = path.join(tmp, 'peak.mjs');
  fs.writeFileSync(wrapper, `process.on('exit', () => process.stderr.write('maxrss_kb=' + process.resourceUsage().maxRSS + '\\n'));
await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'tools/predict.mjs')).href)});\n`);
  const r = spawnSync('node', [wrapper, '--model', 'covid-normal', '--models-dir', models, '--list', listFile],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const peak = Number(/maxrss_kb=(\d+)/.exec(r.stderr)?.[1]);
  assert.ok(peak > 0 && peak < PEAK_LIMIT_KB, `peak RSS ${(peak / 1024).toFixed(0)} MB`);
  console.log(`# bad-input corpus: ${manifest.length} files, predictor peak RSS ${(peak / 1024).toFixed(0)} MB`);

  const [header, ...rows] = parseCsv(r.stdout);
  assert.deepEqual(header, ['file', 'model', 'p_covid', 'verdict', 'threshold', 'gate', 'warning', 'error']);
  assert.deepEqual(rows.map((x) => x[0]), list, 'one row per file, in order');
  const byFile = new Map(rows.map((x) => [x[0], { p: x[2], verdict: x[3], gate: x[5], warning: x[6], error: x[7] }]));
  for (const row of rows.filter((x) => x[0] === good)) {
    assert.equal(row[7], '', `the good image failed after bad ones: ${row[7]}`);
    assert.ok(['POSITIVE', 'NEGATIVE'].includes(row[3]));
  }
  const problems = [];
  for (const m of manifest) {
    const got = byFile.get(m.file);
    const answered = got.error === '' && Number(got.p) >= 0 && Number(got.p) <= 1 && got.verdict !== '';
    const ok = {
      error: got.error !== '' && !answered,
      'too-large': /too large/i.test(got.error),
      warn: answered && /truncated/.test(got.warning),
      'warn-or-error': got.error !== '' || /truncated/.test(got.warning),
      ok: answered && got.warning === '',
      any: got.error !== '' || answered,
    }[m.expect];
    if (!ok) problems.push(`${m.name} (${m.kind}, expected ${m.expect}): ${JSON.stringify(got)}`);
    // an error is a sentence for a person, never an empty reason or an abort
    if (got.error) assert.match(got.error, /^[A-Z].*[.)]$/, `${m.name}: ${got.error}`);
    assert.doesNotMatch(got.error, /\(\)|Aborted|RuntimeError|undefined/, `${m.name}: ${got.error}`);
  }
  assert.deepEqual(problems, []);
});
