// Issue 20: one real X-ray saved in every format the core reads (tests/fixtures/make_formats.py: PIL and
// dcmtk) through the page's analysis and the headless predictor. Lossless files must give the PNG's model
// input and p_covid exactly; lossy ones (WebP q90, 12-bit JPEG DICOM) p_covid within 0.02. Every format's
// labelled copy keeps the {POSITIVE|NEGATIVE}_Prob_{XX}_Name_{FILE}.png name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT, createNodeAnalysis } from '../../tools/lib/node_runtime.mjs';
import { parseCsv } from './csv_parse.mjs';

const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-formats-'));
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_formats.py'), tmp]);
const fixtures = JSON.parse(fs.readFileSync(path.join(tmp, 'formats.json'), 'utf8'));
// The shipped model: a real p_covid to compare (tiny random models would move too little to tell).
const MODELS_DIR = path.join(ROOT, 'models');
const analysis = await createNodeAnalysis({ modelsDir: MODELS_DIR, keys: ['covid-normal'] });
const FORMAT = { jpg: 'JPEG', png: 'PNG', webp: 'WebP', bmp: 'BMP', gif: 'GIF', tif: 'TIFF', pgm: 'PNM', ppm: 'PNM', tga: 'TGA', dcm: 'DICOM' };

async function analyse(file) {
  const bytes = new Uint8Array(fs.readFileSync(path.join(tmp, file)));
  const info = await analysis.analyse(bytes, { models: ['covid-normal'], analyseAnyway: true });
  assert.ok(info.ok, `${file}: ${info.error}`);
  const r = info.results[0];
  assert.equal(r.error, '', file);
  const copy = analysis.labelledCopy(r, '2026-12-01', file);
  return { info, format: analysis.format(bytes), input: new Float32Array(analysis.module.modelInput()), p: r.pCovid, verdict: r.verdict, copy };
}

test('every format gives the PNG\'s model input and p_covid (lossless: equal; lossy: within 0.02)', async (t) => {
  const ref = await analyse(fixtures.reference);
  for (const file of [...fixtures.lossless, ...fixtures.lossy]) {
    const got = await analyse(file);
    const ext = file.split('.').pop();
    // recognised by content: xray_webp_named.png holds WebP bytes
    assert.equal(got.format, file === 'xray_webp_named.png' ? 'WebP' : FORMAT[ext], file);
    if (file === 'xray_12bit.jpg') assert.equal(got.info.bitDepth, 12, 'a 12-bit JPEG file');
    let maxDiff = 0;
    for (let i = 0; i < ref.input.length; ++i) maxDiff = Math.max(maxDiff, Math.abs(ref.input[i] - got.input[i]));
    if (fixtures.lossless.includes(file)) {
      assert.equal(maxDiff, 0, `${file}: model input differs by ${maxDiff}`);
      assert.equal(got.p, ref.p, file);
    } else {
      assert.ok(Math.abs(got.p - ref.p) <= 0.02, `${file}: p_covid ${got.p} vs the PNG's ${ref.p}`);
    }
    assert.equal(got.verdict, ref.verdict, file);
    const stem = file.slice(0, file.lastIndexOf('.'));
    assert.match(got.copy.name, new RegExp(`^(POSITIVE|NEGATIVE)_Prob_\\d{1,3}_Name_${stem}\\.png$`), file);
    assert.deepEqual([...got.copy.png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], file);
    t.diagnostic(`${file} (${got.format}, ${got.info.bitDepth}-bit): p_covid ${got.p.toFixed(6)}, PNG ${ref.p.toFixed(6)}, ` +
      `|diff| ${Math.abs(got.p - ref.p).toFixed(6)}, input max diff ${maxDiff}`);
  }
});

test('the predictor gives each format its row, p_covid as the PNG\'s', () => {
  const files = [fixtures.reference, ...fixtures.lossless, ...fixtures.lossy].map((f) => path.join(tmp, f));
  const r = spawnSync('node', [path.join(ROOT, 'tools/predict.mjs'), '--model', 'covid-normal', '--models-dir', MODELS_DIR, ...files],
    { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const [header, ...rows] = parseCsv(r.stdout);
  assert.equal(header[2], 'p_covid');
  assert.deepEqual(rows.map((x) => x[0]), files);
  const ref = Number(rows[0][2]);
  for (const row of rows) {
    const name = path.basename(row[0]);
    assert.equal(row[7], '', `${name}: ${row[7]}`);
    assert.equal(row[5], 'ok', name);
    const diff = Math.abs(Number(row[2]) - ref);
    assert.ok(fixtures.lossy.includes(name) ? diff <= 0.02 : diff === 0, `${name}: p_covid ${row[2]} vs ${ref}`);
  }
});
