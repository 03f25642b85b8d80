// The headless predictor's command line: CSV shape, error rows, exit status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT } from '../../tools/lib/node_runtime.mjs';
import { parseCsv } from './csv_parse.mjs';

const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const ORIGINALS = path.resolve(ROOT, '../shared/cxr-data/originals');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-predict-'));
const models = path.join(tmp, 'models');
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_tiny_models.py'), models]);

function predict(args) {
  return spawnSync('node', [path.join(ROOT, 'tools/predict.mjs'), ...args], { encoding: 'utf8' });
}

test('one row per file and model for every original, and an error row for a non-image', () => {
  const images = fs.readdirSync(ORIGINALS).filter((f) => /\.(png|jpe?g)$/i.test(f)).map((f) => path.join(ORIGINALS, f));
  const bad = path.join(tmp, 'notes.png');
  fs.writeFileSync(bad, 'this is text, not a PNG');
  const list = path.join(tmp, 'list.txt');
  fs.writeFileSync(list, [...images, bad].join('\n') + '\n');
  const r = predict(['--models-dir', models, '--list', list]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], 'file,model,p_covid,verdict,threshold,gate,warning,error');
  const rows = parseCsv(r.stdout).slice(1);
  assert.equal(rows.length, (images.length + 1) * 2);
  for (const row of rows.filter((x) => x[0] !== bad)) {
    assert.ok(images.includes(row[0]));
    assert.ok(['covid-normal', 'covid-pneumonia'].includes(row[1]));
    const p = Number(row[2]);
    assert.ok(p >= 0 && p <= 1, row.join(','));
    assert.equal(row[3], p >= Number(row[4]) ? 'POSITIVE' : 'NEGATIVE');
    assert.equal(row[5], 'ok');
    assert.equal(row[7], '');
  }
  const badRows = rows.filter((x) => x[0] === bad);
  assert.equal(badRows.length, 2);
  for (const row of badRows) assert.match(row[7], /none of PNG, JPEG/);
});

test('--model selects one model; files are echoed exactly as given', () => {
  const rel = path.relative(process.cwd(), path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg'));
  const r = predict(['--model', 'covid-pneumonia', '--models-dir', models, rel, '/no/such/file.png']);
  assert.equal(r.status, 0, r.stderr);
  const rows = parseCsv(r.stdout).slice(1);
  assert.deepEqual(rows.map((x) => [x[0], x[1]]), [[rel, 'covid-pneumonia'], ['/no/such/file.png', 'covid-pneumonia']]);
  assert.match(rows[1][7], /cannot read the file/);
});

test('usage errors exit with status 2', () => {
  assert.equal(predict([]).status, 2);
  assert.equal(predict(['--model', 'vgg16', 'x.png']).status, 2);
  assert.equal(predict(['--bogus']).status, 2);
});

test('a missing model gives error rows, not a crash', () => {
  const r = predict(['--models-dir', path.join(tmp, 'empty'), path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg')]);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').slice(1);
  assert.equal(rows.length, 2);
  for (const row of rows) assert.match(row, /not available: model file not present/);
});
