// The pipeline shared by the page and the predictor: model loading checks, self-test, inference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { MODELS, Pipeline } from '../../web/pipeline.js';
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
