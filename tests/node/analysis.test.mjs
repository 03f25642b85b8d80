// The one module's analysis (the C++ analysis with ONNX Runtime built from C++), as the page's workers and
// the predictor use it: model checks, the one-call analysis, the lung field, verdicts and copies.
// (Agreement with the older JS + onnxruntime-web path was measured before that path was removed:
// tools/parity.mjs, docs/eval/parity.csv.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { Analysis } from '../../web/analysis.js';
import { LUNGS, MODELS } from '../../web/models.js';
import { ROOT, createNodeAnalysis, loadXrayLens } from '../../tools/lib/node_runtime.mjs';
import { convertModels } from '../../tools/lib/ort_models.mjs';

const PY = '/usr/bin/python3';
const tiny = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-analysis-'));
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_tiny_models.py'), tiny]);
// the tiny models as the page loads models: .ort, with the site's cards (the module loads .ort only)
const tinyOrt = convertModels(tiny, path.join(tiny, 'site'));
const read = (dir, f) => new Uint8Array(fs.readFileSync(path.join(dir, f)));
const card = (dir, f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
const ORIGINALS = path.resolve(ROOT, '../shared/cxr-data/originals');
const image = read(ORIGINALS, 'IM-0640-0001-0001.jpeg');
const both = { models: MODELS.map((m) => m.key) };

function opsOf(files) {
  const out = path.join(tiny, `ops-${Math.random()}.config`);
  execFileSync(PY, [path.join(ROOT, 'scripts/ort/ops_config.py'), out, ...files]);
  const ops = new Set();
  for (const line of fs.readFileSync(out, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'))) {
    const [domain, opset, list] = line.split(';');
    for (const op of list.split(',')) ops.add(`${domain};${opset};${op}`);
  }
  return ops;
}

test('the test fixtures use only operators of the shipped models (the reduced ORT build runs both)', () => {
  const shipped = opsOf(fs.readdirSync(path.join(ROOT, 'models')).filter((f) => f.endsWith('.onnx')).map((f) => path.join(ROOT, 'models', f)));
  const fixtures = opsOf(['covid_normal.onnx', 'covid_pneumonia.onnx', 'lungs.onnx'].map((f) => path.join(tiny, f)));
  const missing = [...fixtures].filter((op) => !shipped.has(op));
  assert.deepEqual(missing, []);
});

test('models are checked against their cards: contract, sha256, self-test', async () => {
  const a = new Analysis(await loadXrayLens());
  const [m1, m2] = MODELS;
  assert.equal((await a.loadModel(m1, read(tinyOrt, 'covid_normal.ort'), card(tinyOrt, 'covid_normal.json'))).error, '');
  assert.match((await a.loadModel(m2, null, null)).error, /not present/);
  const tampered = read(tinyOrt, 'covid_pneumonia.ort');
  tampered[tampered.length - 5] ^= 0x55;
  assert.match((await a.loadModel(m2, tampered, card(tinyOrt, 'covid_pneumonia.json'))).error, /does not match its card/);
  const wrongTest = card(tinyOrt, 'lungs.json');
  wrongTest.self_test.expected_mean += 0.1;
  assert.match((await a.loadModel(LUNGS, read(tinyOrt, 'lungs.ort'), wrongTest)).error, /^self-test failed: mean/);
  const oldContract = { ...card(tinyOrt, 'covid_pneumonia.json'), contract_version: 1 };
  assert.match((await a.loadModel(m2, read(tinyOrt, 'covid_pneumonia.ort'), oldContract)).error, /model contract v1, this page speaks v\d+/);
  const noTest = { ...card(tinyOrt, 'covid_pneumonia.json') };
  delete noTest.self_test;
  assert.match((await a.loadModel(m2, read(tinyOrt, 'covid_pneumonia.ort'), noTest)).error, /no self-test/);
  // not a model at all: ORT's refusal comes back as a message, the module keeps working
  const junk = new TextEncoder().encode('not an onnx model');
  const j = await a.loadModel(m2, junk, card(tinyOrt, 'covid_pneumonia.json'), null);
  assert.notEqual(j.error, '');
  // an .onnx: the page's module with the minimal ONNX Runtime loads .ort only, and says so
  if (a.module.ortBuild === 'minimal') {
    const onnx = await a.loadModel(m2, read(tiny, 'covid_pneumonia.onnx'), card(tiny, 'covid_pneumonia.json'));
    assert.match(onnx.error, /ONNX format model is not supported in this build/);
  }
  assert.equal((await a.loadModel(LUNGS, read(tinyOrt, 'lungs.ort'), card(tinyOrt, 'lungs.json'))).error, '');
  // a model that failed does not answer; the others do
  const r = await a.analyse(image, both);
  assert.equal(r.results[0].error, '');
  assert.match(r.results[1].error, /^Model 2: COVID-19 vs Pneumonia is not available: /);
});

// The tiny models: Model 1 and Model 2 answer in opposite directions; the lung model draws two ellipses.
async function tinyAnalysis() {
  const a = new Analysis(await loadXrayLens());
  for (const [spec, file] of [[MODELS[0], 'covid_normal'], [MODELS[1], 'covid_pneumonia'], [LUNGS, 'lungs']])
    assert.equal((await a.loadModel(spec, read(tinyOrt, `${file}.ort`), card(tinyOrt, `${file}.json`))).error, '');
  return a;
}

test('the classifiers read the lung field that the lung model and the core make', async () => {
  const a = await tinyAnalysis();
  const r = await a.analyse(image, both);
  assert.ok(r.ok);
  assert.equal(r.lungs.reason, '');
  assert.equal(r.lungs.lungs, 2);
  // the tiny model's ellipses span x 50..206, y 52..196 of the canonical image: a square box around them
  const [bx, by, side] = r.lungs.box;
  assert.ok(bx <= 50 && bx + side >= 206 && by <= 52 && by + side >= 196, `box ${r.lungs.box}`);
  const [x, y, w, h] = r.lungs.region;
  assert.ok(x >= 0 && y >= 0 && x + w <= r.width + 1e-6 && y + h <= r.height + 1e-6 && Math.abs(w - h) < 1e-6);
  assert.equal(a.module.lungInput().length, 224 * 224);
  assert.notDeepEqual(Array.from(a.module.lungInput()), Array.from(a.module.modelInput())); // not v1's central crop
});

test('verdicts follow the probability and the threshold; every original gets its answer and its copy', async () => {
  const a = await tinyAnalysis();
  for (const f of fs.readdirSync(ORIGINALS).filter((x) => /\.(png|jpe?g)$/i.test(x))) {
    const r = await a.analyse(read(ORIGINALS, f), { ...both, analyseAnyway: true });
    assert.ok(r.ok, f);
    const [m1, m2] = r.results;
    for (const x of [m1, m2]) {
      assert.equal(x.error, '', f);
      assert.ok(x.pCovid >= 0 && x.pCovid <= 1);
      assert.equal(x.verdict, x.pCovid >= x.threshold ? 'POSITIVE' : 'NEGATIVE');
      assert.equal(x.cam.data.length, x.cam.width * x.cam.height);
      const camMax = Math.max(...x.cam.data);
      assert.ok(camMax <= 0 || camMax === 1, `${f}: the CAM comes scaled to its maximum (${camMax})`);
      assert.equal(x.inconclusive, false); // the tiny cards have no zone: it is the threshold itself
    }
    assert.ok(Math.abs(m1.pCovid + m2.pCovid - 1) < 1e-5, f);
    const copy = a.labelledCopy(m1, '2026-11-25', f);
    assert.match(copy.name, /^(POSITIVE|NEGATIVE)_Prob_\d+_Name_.+\.png$/);
    assert.deepEqual(Array.from(copy.png.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
  }
});

test('a self-test on logits and a wrong expected probability are refused', async () => {
  const a = await tinyAnalysis();
  const wrong = card(tinyOrt, 'covid_pneumonia.json');
  wrong.self_test.expected_prob = 0.9;
  assert.match((await a.loadModel(MODELS[1], read(tinyOrt, 'covid_pneumonia.ort'), wrong)).error, /self-test failed/);
  const logits = card(tinyOrt, 'covid_pneumonia.json');
  logits.self_test.expected_logits = [0.5, -0.5];
  assert.match((await a.loadModel(MODELS[1], read(tinyOrt, 'covid_pneumonia.ort'), logits)).error, /logit 0/);
});

test('open() opens a file as the analysis does, without analysing it', async () => {
  const a = await tinyAnalysis();
  const info = await a.open(image);
  assert.ok(info.ok);
  assert.equal(info.gate, undefined);
  assert.equal(a.format(image), 'JPEG');
  assert.equal(a.format(new TextEncoder().encode('plain text')), null);
});

test('the shipped models as .onnx and as the .ort the build converts: same answers; the gate and bad input', async () => {
  const onnx = await createNodeAnalysis({ modelsDir: path.join(ROOT, 'models') });
  const ort = await createNodeAnalysis(); // what the page loads: the site's .ort files and cards
  for (const a of [onnx, ort]) for (const [key, m] of a.models) assert.equal(m.error, '', `${key}`);
  const r1 = await onnx.analyse(image, both);
  const r2 = await ort.analyse(image, both);
  assert.equal(r1.gate.ok, true, r1.gate.message);
  assert.ok(r1.gate.score >= card(path.join(ROOT, 'models'), 'gate.json').threshold);
  for (const i of [0, 1]) {
    assert.equal(r1.results[i].pCovid, r2.results[i].pCovid);
    const c = card(path.join(ROOT, 'models'), `${MODELS[i].file}.json`);
    const band = c.inconclusive;
    assert.equal(r1.results[i].inconclusive, r1.results[i].pCovid >= band.low && r1.results[i].pCovid < band.high);
    assert.equal(r1.results[i].cam.data.length, r1.results[i].cam.width * r1.results[i].cam.height);
  }
  // a colour photograph: refused by the rules, no results unless asked for anyway
  const photo = new Uint8Array(fs.readFileSync('/usr/lib/python3/dist-packages/skimage/data/astronaut.png'));
  const refused = await onnx.analyse(photo, both);
  assert.equal(refused.gate.ok, false);
  assert.equal(refused.gate.reason, 'colour');
  assert.deepEqual(refused.results, []);
  const anyway = await onnx.analyse(photo, { ...both, analyseAnyway: true });
  assert.equal(anyway.results.length, 2);
  assert.ok(anyway.results.every((x) => x.error === '' && x.pCovid >= 0 && x.pCovid <= 1));
  // a gray non-X-ray: the learned gate refuses it with its score
  const camera = new Uint8Array(fs.readFileSync('/usr/lib/python3/dist-packages/skimage/data/camera.png'));
  const g = await onnx.analyse(camera, both);
  assert.equal(g.gate.ok, false);
  assert.match(g.gate.reason, /^(not_a_frontal_chest_xray|lungs_)/);
  // bytes that are no image: a sentence, and the module keeps working
  const bad = await onnx.analyse(new TextEncoder().encode('this is text, not a PNG'), both);
  assert.equal(bad.ok, false);
  assert.match(bad.error, /Not a readable image/);
  assert.equal((await onnx.analyse(image, both)).results[0].pCovid, r1.results[0].pCovid);
});

test('the analysed study is the module\'s open study: display, lung outline and labelled copy answer for it', async () => {
  const a = await createNodeAnalysis();
  const m = a.module;
  const r = await a.analyse(image, both);
  const d = m.display(512);
  assert.equal(Math.max(d.width, d.height), 512);
  assert.ok(Math.abs(d.width / d.height - r.width / r.height) < 0.01, `${d.width}x${d.height} vs ${r.width}x${r.height}`);
  assert.equal(m.lungMask().length, 256 * 256);
  assert.equal(m.lungWeight().length, 224 * 224);
  assert.ok(m.lungMask().some((v) => v === 255));
  const x = r.results[0];
  const png = new Uint8Array(m.labelledCopyPng(x.pCovid, x.threshold, x.title, '2026-01-01', 'IM-0640-0001-0001.jpeg', ''));
  assert.deepEqual(Array.from(png.subarray(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
  // a file that does not open leaves the analysed study in place
  assert.equal((await a.analyse(new Uint8Array([1, 2, 3]), both)).ok, false);
  assert.deepEqual([m.display(512).width, m.display(512).height], [d.width, d.height]);
  // a new study replaces the display (not the cached one of the last)
  const other = read(ORIGINALS, 'covid-19-pneumonia-14-L.png');
  const r2 = await a.analyse(other, both);
  const d2 = m.display(512);
  assert.ok(Math.abs(d2.width / d2.height - r2.width / r2.height) < 0.01);
  assert.notDeepEqual([d2.width, d2.height, r2.width], [d.width, d.height, r.width]);
});
