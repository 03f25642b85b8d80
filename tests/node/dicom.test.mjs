// DICOM input through the page's analysis and the headless predictor, with fixtures made at test time
// from a real image by dcmtk and pydicom (tests/fixtures/make_dicom.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT, createNodeAnalysis, dicomOptions } from '../../tools/lib/node_runtime.mjs';
import { prepareDicom } from '../../web/dicom.js';

const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-dicom-'));
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_dicom.py'), tmp]);
const fixtures = JSON.parse(fs.readFileSync(path.join(tmp, 'fixtures.json'), 'utf8'));
// The shipped models when present (a real p_covid to compare), else tiny ones (the inputs still are).
let modelsDir = path.join(ROOT, 'models');
if (!fs.existsSync(path.join(modelsDir, 'covid_normal.onnx'))) {
  modelsDir = path.join(tmp, 'models');
  execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_tiny_models.py'), modelsDir]);
}
const analysis = await createNodeAnalysis({ modelsDir, keys: ['covid-normal'] });
const openInput = () => new Float32Array(analysis.module.modelInput()); // the module's open study's input

async function analyse(file) {
  const bytes = new Uint8Array(fs.readFileSync(path.join(tmp, file)));
  const info = await analysis.analyse(bytes, { models: ['covid-normal'], analyseAnyway: true });
  if (!info.ok) return { info };
  const result = info.results[0];
  return { info, input: openInput(), p: result.pCovid, result, gate: info.gate, dicom: info.dicom };
}

test('every supported transfer syntax and photometric interpretation gives the reference image\'s input and p_covid', async (t) => {
  for (const [file, reference] of Object.entries(fixtures.good)) {
    const ref = await analyse(reference);
    const got = await analyse(file);
    assert.ok(got.info.ok, `${file}: ${got.info.error}`);
    assert.equal(got.info.format, 'DICOM');
    let maxDiff = 0;
    for (let i = 0; i < ref.input.length; ++i) maxDiff = Math.max(maxDiff, Math.abs(ref.input[i] - got.input[i]));
    let meanDiff = 0;
    for (let i = 0; i < ref.input.length; ++i) meanDiff += Math.abs(ref.input[i] - got.input[i]) / ref.input.length;
    if (fixtures.lossy.includes(file)) assert.ok(meanDiff < 2, `${file}: model input differs by ${meanDiff} gray levels on average`);
    else assert.ok(maxDiff <= 1, `${file}: model input differs by ${maxDiff} gray levels`);
    assert.ok(Math.abs(got.p - ref.p) <= 0.03, `${file}: p_covid ${got.p} vs ${ref.p} (${reference})`);
    assert.equal(got.gate.ok, ref.gate.ok, file);
    t.diagnostic(`${file} (${got.dicom.transferSyntax}, ${got.dicom.photometric}, ${got.info.bitDepth}-bit): ` +
      `p_covid ${got.p.toFixed(6)}, reference ${ref.p.toFixed(6)}, |diff| ${Math.abs(got.p - ref.p).toFixed(6)}, input max diff ${maxDiff}, mean ${meanDiff.toFixed(3)}`);
  }
});

test('a 16-bit PNG takes the full range of its values as window, as DICOM does: the reference\'s input', async () => {
  for (const [file, reference] of Object.entries(fixtures.png16)) {
    const ref = await analyse(reference);
    const got = await analyse(file);
    assert.ok(got.info.ok, got.info.error);
    assert.equal(got.info.bitDepth, 16);
    assert.deepEqual(got.info.window, { center: (1000 + 200 * 255 + 1000) / 2 + 0.5, width: 200 * 255 + 1, source: 'full range' });
    assert.deepEqual(got.input, ref.input);
    assert.equal(got.p, ref.p);
  }
});

test('codecs load on first use only, once', async () => {
  const { dicomParser, inflateRaw, codecs } = await dicomOptions();
  const read = (f) => new Uint8Array(fs.readFileSync(path.join(tmp, f)));
  for (const f of ['explicit_le_8.dcm', 'jpeg_baseline_8.dcm', 'rle_8.dcm', 'deflated_8.dcm'])
    await prepareDicom(read(f), dicomParser, inflateRaw, codecs, analysis.limits);
  assert.deepEqual([...codecs.modules.keys()], []);
  for (const f of ['j2k_lossless_8.dcm', 'j2k_8.dcm', 'jpegls_8.dcm', 'jpeg_lossless_sv1_8.dcm'])
    await prepareDicom(read(f), dicomParser, inflateRaw, codecs, analysis.limits);
  assert.deepEqual([...codecs.modules.keys()].sort(), ['charls', 'jpeg-lossless', 'openjpeg']);
});

test('the file\'s window, view position and patient data are read; patient data stays out of names and warnings', async () => {
  const mono1 = await analyse('mono1_16_window.dcm');
  assert.deepEqual(mono1.dicom.window, { center: 410.5, width: 1021, source: 'file' });
  assert.equal(mono1.dicom.viewPosition, 'PA');
  assert.equal(mono1.dicom.photometric, 'MONOCHROME1');
  assert.deepEqual(mono1.dicom.patient, { name: 'Jane Doe', id: 'XR-123', birthDate: '19700101', accession: 'ACC-9' });
  const copy = analysis.labelledCopy(mono1.result, '2026-01-01', 'mono1_16_window.dcm');
  assert.ok(!/Jane|Doe|XR-123|ACC-9/.test(copy.name + mono1.info.warning + JSON.stringify({ ...mono1.info, dicom: undefined })));
  const full = await analyse('mono2_12_fullrange.dcm');
  assert.equal(full.dicom.window.source, 'full range');
  const multi = await analyse('multiframe_8.dcm');
  assert.match(multi.info.warning, /2 frames; the first/);
});

test('a lateral view (View Position LL) goes to the input gate as lateral', async () => {
  const lateral = await analyse(fixtures.lateral);
  assert.equal(lateral.gate.ok, false);
  assert.equal(lateral.gate.reason, 'lateral');
  assert.match(lateral.gate.message, /lateral/);
});

test('a colourful PALETTE COLOR image goes to the input gate as colour', async () => {
  const { info, gate } = await analyse(fixtures.colour);
  assert.ok(info.ok, info.error);
  assert.ok(info.colourFraction > 0.2, `colour fraction ${info.colourFraction}`);
  assert.equal(gate.reason, 'colour');
});

// Bytes of a compressed frame changed at random (a fixed seed): each file opens or gets a message, and
// the codecs go on working.
test('compressed frames with random damage never crash the analysis', async (t) => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const files = ['jpeg_lossless_sv1_8.dcm', 'jpegls_16.dcm', 'j2k_lossless_8.dcm', 'j2k_8.dcm', 'rle_16.dcm', 'jpegls_rgb.dcm'];
  const outcomes = { opened: 0, refused: 0 };
  for (const file of files) {
    const raw = fs.readFileSync(path.join(tmp, file));
    const clean = new Uint8Array(raw);
    const start = raw.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00])) + 64; // within the first frame
    for (let n = 0; n < 8; ++n) {
      const bytes = clean.slice();
      for (let k = 0; k < 1 + n * 4; ++k) bytes[start + Math.floor(random() * (clean.length - start - 16))] = Math.floor(random() * 256);
      const info = await analysis.open(bytes);
      assert.equal(typeof info.ok, 'boolean');
      if (!info.ok) assert.match(info.error, /cannot be decoded|Not a readable|truncated/, `${file}#${n}`);
      outcomes[info.ok ? 'opened' : 'refused']++;
    }
    assert.ok((await analysis.open(clean)).ok, `${file} after its damaged copies`);
  }
  t.diagnostic(JSON.stringify(outcomes));
});

test('malformed and unsupported DICOM files get a message, and the open study stays', async (t) => {
  const kept = await analyse('explicit_le_8.dcm');
  const expect = {
    missing_rows: /no Rows or Columns/, absurd_size: /too large: 20000 x 20000/, truncated: /truncated/,
    lying_pixel_length: /truncated|length/, lying_length: /truncated|length/, unknown_syntax: /1\.2\.826\.0\.1\.3680043\.99\.1 \(unknown\)/,
    garbage: /no transfer syntax|Not a readable DICOM/, jpeg_truncated: /truncated|length|JPEG/,
    deflate_bomb: /inflates to more than 256 MB/,
    jpeg_extended_12_truncated: /JPEG frame cannot be decoded: .*truncated|truncated|length/,
    meta_length_past_end: /file meta information is corrupt: an element runs past the end of the file: .*\(element \(0002,0000\) claims 65535 bytes/,
    meta_ob_length_past_end: /file meta information (is corrupt|gives no transfer syntax)/,
    meta_cut_in_syntax: /file meta information is corrupt: an element runs past the end of the file/,
    jpegls_truncated: /truncated|past the end/, jpegls_lying_fragment: /truncated|length/,
    j2k_wrong_codec: /JPEG 2000 .*1\.2\.840\.10008\.1\.2\.4\.90\) cannot be decoded: the frame is a JPEG-LS codestream, not JPEG 2000/,
    j2k_cut: /JPEG 2000 decoder failed \(.+\)/, jpegls_size_mismatch: /JPEG-LS frame is 945 x 945 .*file says 100 x 100/,
    jpeg_lossless_noise: /JPEG Lossless.* cannot be decoded/, rle_bad_header: /RLE decoder failed \(the frame has 7 segments/,
  };
  for (const file of Object.keys(fixtures.bad)) {
    const { info } = await analyse(`bad/${file}`);
    assert.equal(info.ok, false, file);
    assert.ok(expect[fixtures.bad[file]], `${file}: no expected message in this test`);
    assert.match(info.error, expect[fixtures.bad[file]], file);
    assert.match(info.error, /^[A-Z].*[.)]$/, `${file}: a sentence for a person`);
    assert.deepEqual(openInput(), kept.input, `${file}: the open study stays`);
    t.diagnostic(`${file}: ${info.error}`);
  }
  for (const file of ['j2k_lossless_8.dcm', 'jpegls_8.dcm', 'jpeg_lossless_sv1_8.dcm', 'rle_8.dcm'])
    assert.deepEqual((await analyse(file)).input, kept.input, `${file} after the malformed files`);
});

test('the predictor reads DICOM: a row per file, error rows for bad files, exit status 0', () => {
  const files = ['gray.png', 'j2k_lossless_16.dcm', 'jpegls_16.dcm', 'bad/truncated.dcm', 'bad/j2k_cut.dcm'].map((f) => path.join(tmp, f));
  const r = spawnSync('node', [path.join(ROOT, 'tools/predict.mjs'), '--models-dir', modelsDir, '--model', 'covid-normal', ...files], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.split(','));
  assert.equal(rows.length, 5);
  const p = rows.slice(0, 3).map((row) => Number(row[2]));
  for (const x of p) assert.ok(Math.abs(x - p[0]) <= 0.03, r.stdout);
  for (const row of rows.slice(3)) assert.equal(row[2], '', row.join(','));
  assert.match(rows[3].slice(7).join(','), /truncated/);
  assert.match(rows[4].slice(7).join(','), /JPEG 2000/);
});
