// The pipeline shared by the page and the predictor: model loading checks, self-test, inference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LUNGS, MODELS, Pipeline } from '../../web/pipeline.js';
import { ROOT, loadCore, loadOrt } from '../../tools/lib/node_runtime.mjs';

const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const tiny = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-tiny-'));
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_tiny_models.py'), tiny]);
const read = (f) => new Uint8Array(fs.readFileSync(path.join(tiny, f)));
const card = (f) => JSON.parse(fs.readFileSync(path.join(tiny, f), 'utf8'));
const pipeline = new Pipeline(await loadCore(), await loadOrt());
const [m1, m2] = MODELS;
const image = fs.readFileSync(path.resolve(ROOT, '../shared/cxr-data/originals/IM-0640-0001-0001.jpeg'));

test('a model that matches its card loads and passes its self-test', async () => {
  const e = await pipeline.loadModel(m1, read('covid_normal.onnx'), card('covid_normal.json'));
  assert.equal(e.error, '');
  assert.ok(e.session);
  const lungs = await pipeline.loadModel(LUNGS, read('lungs.onnx'), card('lungs.json'));
  assert.equal(lungs.error, '');
  const wrong = card('lungs.json');
  wrong.self_test.expected_mean += 0.1;
  assert.match((await pipeline.loadModel(LUNGS, read('lungs.onnx'), wrong)).error, /self-test failed: mean/);
  await pipeline.loadModel(LUNGS, read('lungs.onnx'), card('lungs.json'));
});

test('the classifiers read the lung field that the lung model and the core make (contract v2)', async () => {
  const info = pipeline.open(new Uint8Array(image), 'x.jpeg');
  assert.ok(info.ok);
  const lungs = await pipeline.lungField();
  assert.equal(lungs.reason, '');
  assert.equal(lungs.lungs, 2);
  assert.equal(lungs.input.length, 224 * 224);
  assert.equal(lungs.mask.length, 256 * 256);
  // the tiny model's ellipses span x 50..206, y 52..196 of the canonical image: a square box around them
  const [bx, by, side] = lungs.box;
  assert.ok(bx <= 50 && bx + side >= 206 && by <= 52 && by + side >= 196, `box ${lungs.box}`);
  const [x, y, w, h] = lungs.region;
  assert.ok(x >= 0 && y >= 0 && x + w <= info.width + 1e-6 && y + h <= info.height + 1e-6 && Math.abs(w - h) < 1e-6);
  assert.notDeepEqual(Array.from(lungs.input), Array.from(pipeline.study.input)); // not v1's central crop
  const r = await pipeline.infer(m1.key);
  assert.deepEqual(r.cam.region, lungs.region);
  assert.equal(pipeline.study.lungs, lungs); // outlined once per study
});

test('a missing model, a tampered model and a wrong self-test are refused', async () => {
  const missing = await pipeline.loadModel(m2, null, null);
  assert.match(missing.error, /not present/);

  const tampered = read('covid_pneumonia.onnx');
  tampered[tampered.length - 5] ^= 0x55;
  const t = await pipeline.loadModel(m2, tampered, card('covid_pneumonia.json'));
  assert.match(t.error, /does not match its card/);

  const wrong = card('covid_pneumonia.json');
  wrong.self_test.expected_prob = 0.9;
  const w = await pipeline.loadModel(m2, read('covid_pneumonia.onnx'), wrong);
  assert.match(w.error, /self-test failed/);

  const logits = card('covid_pneumonia.json');
  logits.self_test.expected_logits = [0.5, -0.5];
  assert.match((await pipeline.loadModel(m2, read('covid_pneumonia.onnx'), logits)).error, /logit 0/);

  const old = card('covid_pneumonia.json');
  old.contract_version = 99;
  assert.match((await pipeline.loadModel(m2, read('covid_pneumonia.onnx'), old)).error, /contract v99/);

  assert.ok(pipeline.open(new Uint8Array(image), 'x.jpeg').ok);
  await assert.rejects(pipeline.infer(m2.key), /not available/);
});

test('inference gives a verdict consistent with the probability and the threshold', async () => {
  await pipeline.loadModel(m2, read('covid_pneumonia.onnx'), card('covid_pneumonia.json'));
  assert.ok(pipeline.open(new Uint8Array(image), 'x.jpeg').ok);
  const a = await pipeline.infer(m1.key);
  const b = await pipeline.infer(m2.key);
  for (const r of [a, b]) {
    assert.ok(r.pCovid >= 0 && r.pCovid <= 1);
    assert.equal(r.verdict, r.pCovid >= r.threshold ? 'POSITIVE' : 'NEGATIVE');
    assert.equal(r.cam.data.length, r.cam.width * r.cam.height);
  }
  // the two tiny models answer in opposite directions
  assert.ok(Math.abs(a.pCovid + b.pCovid - 1) < 1e-5);
  const copy = pipeline.labelledCopy(a, '2026-11-25');
  assert.match(copy.name, /^(POSITIVE|NEGATIVE)_Prob_\d+_Name_x\.png$/);
});
