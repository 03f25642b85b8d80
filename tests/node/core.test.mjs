// The wasm core under Node: decoding real originals, parity with the native build, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT, loadXrayLens } from '../../tools/lib/node_runtime.mjs';

const ORIGINALS = path.resolve(ROOT, '../shared/cxr-data/originals');
const IMAGES = fs.readdirSync(ORIGINALS).filter((f) => /\.(png|jpe?g)$/i.test(f)).map((f) => path.join(ORIGINALS, f));
const core = await loadXrayLens();

function open(bytes) {
  core.fileBuffer(bytes.length).set(bytes);
  return core.openFile();
}

test('every original decodes and gives a 224x224 input in 0..255', () => {
  assert.equal(IMAGES.length, 9);
  for (const f of IMAGES) {
    const info = open(fs.readFileSync(f));
    assert.ok(info.ok, `${f}: ${info.error}`);
    const input = core.modelInput();
    assert.equal(input.length, 224 * 224);
    let lo = 255, hi = 0;
    for (const v of input) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    assert.ok(lo >= 0 && hi <= 255 && hi - lo > 50, `${f}: range ${lo}..${hi}`);
  }
});

test('canonical images of the wasm core and the native cxr-prep differ by at most 1 gray level', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-parity-'));
  const list = path.join(tmp, 'list.txt');
  const out = path.join(tmp, 'out.u8');
  fs.writeFileSync(list, IMAGES.join('\n') + '\n');
  execFileSync(path.join(ROOT, 'build/native/cxr-prep'), ['--list', list, '--out', out], { stdio: 'pipe' });
  const native = fs.readFileSync(out);
  IMAGES.forEach((f, i) => {
    assert.ok(open(fs.readFileSync(f)).ok);
    const wasm = core.canonical();
    let worst = 0;
    for (let j = 0; j < 65536; ++j) worst = Math.max(worst, Math.abs(wasm[j] - native[i * 65536 + j]));
    assert.ok(worst <= 1, `${path.basename(f)}: max difference ${worst}`);
  });
  fs.rmSync(tmp, { recursive: true });
});

test('the lung field of the wasm core equals the native cxr-lung-field for the same image and mask', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-lungs-'));
  const canon = [], masks = [], wasm = [];
  IMAGES.forEach((f, k) => {
    assert.ok(open(fs.readFileSync(f)).ok);
    canon.push(Buffer.from(core.canonical()));
    // a mask that differs per image: two ellipses, shifted and sized by k
    const mask = core.lungMaskBuffer();
    for (let y = 0; y < 256; ++y)
      for (let x = 0; x < 256; ++x) {
        const e = (cx) => ((x - cx) / (30 + k / 2)) ** 2 + ((y - 120 - k) / (60 + 2 * k)) ** 2 <= 1;
        mask[y * 256 + x] = e(84 + k) || e(172 - k / 2) ? 255 : 0;
      }
    masks.push(Buffer.from(mask));
    const info = core.computeLungField();
    assert.equal(info.reason, '', `${path.basename(f)}: ${info.message}`);
    assert.equal(info.lungs, 2);
    wasm.push(Float32Array.from(core.lungInput()));
  });
  fs.writeFileSync(path.join(tmp, 'c.u8'), Buffer.concat(canon));
  fs.writeFileSync(path.join(tmp, 'm.u8'), Buffer.concat(masks));
  execFileSync(path.join(ROOT, 'build/native/cxr-lung-field'),
    ['--canon', path.join(tmp, 'c.u8'), '--masks', path.join(tmp, 'm.u8'), '--out', path.join(tmp, 'f.u8'), '--info', path.join(tmp, 'f.tsv')],
    { stdio: 'pipe' });
  const native = fs.readFileSync(path.join(tmp, 'f.u8'));
  wasm.forEach((input, i) => {
    let worst = 0;
    for (let j = 0; j < 224 * 224; ++j) worst = Math.max(worst, Math.abs(input[j] - native[i * 224 * 224 + j]));
    assert.equal(worst, 0, `${path.basename(IMAGES[i])}: max difference ${worst}`);
  });
  fs.rmSync(tmp, { recursive: true });
});

test('a file that is not an image gives a message and keeps the previous study', () => {
  assert.ok(open(fs.readFileSync(IMAGES[0])).ok);
  const before = new Float32Array(core.modelInput());
  const info = open(new TextEncoder().encode('<html>not an X-ray</html>'));
  assert.equal(info.ok, false);
  assert.match(info.error, /none of PNG, JPEG/);
  assert.deepEqual(new Float32Array(core.modelInput()), before);
  const empty = open(new Uint8Array(0));
  assert.match(empty.error, /empty/);
});

test('imageFormat names PNG and JPEG by their first bytes and nothing else', () => {
  const png = fs.readFileSync(IMAGES.find((f) => /\.png$/i.test(f)));
  const jpeg = fs.readFileSync(IMAGES.find((f) => /\.jpe?g$/i.test(f)));
  assert.equal(core.imageFormat(png.subarray(0, 16)), 'PNG');
  assert.equal(core.imageFormat(jpeg.subarray(0, 16)), 'JPEG');
  assert.equal(core.imageFormat(new TextEncoder().encode('<html>not an X-ray</html>')), '');
  assert.equal(core.imageFormat(new Uint8Array(0)), '');
});

test('the labelled copy is a PNG named as the original app named it', () => {
  assert.ok(open(fs.readFileSync(IMAGES[0])).ok);
  const shown = core.display(2048);
  const [w, h] = [shown.width, shown.height];
  assert.equal(core.labelledCopyName(0.873, 0.42, 'dir/my x-ray.jpeg'), 'POSITIVE_Prob_87_Name_my_x-ray.png');
  assert.equal(core.labelledCopyName(0.2, 0.42, 'a.png'), 'NEGATIVE_Prob_20_Name_a.png');
  const png = new Uint8Array(core.labelledCopyPng(0.873, 0.42, 'Model 1: COVID-19 vs Normal', '2026-11-25', 'x.png', ''));
  assert.deepEqual([...png.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const copy = open(png);
  assert.ok(copy.ok);
  assert.equal(copy.width, w);
  assert.ok(copy.height > h, 'a text band is added above the image');
});

test('buffers past the core limits are refused with the core words before anything is allocated', () => {
  assert.throws(() => core.fileBuffer(core.maxFileBytes + 1), /^Error: File too large: \d+ MB \(the limit is \d+ MB\)\.$/);
  const pixels = new RegExp(`^Error: Image too large \\(the limit is ${core.maxPixels / 1e6} megapixels and ${core.maxSide} pixels a side\\)\\.$`);
  assert.throws(() => core.samplesBuffer(3 * core.maxPixels + 1), pixels);
  assert.throws(() => core.valuesBuffer(core.maxPixels + 1), pixels);
  assert.throws(() => core.fileBuffer(5e9), /^Error: File too large: 5000 MB /); // past a 32-bit size_t
  assert.throws(() => core.fileBuffer(-1), /Not a size/);
  assert.equal(core.fileBuffer(4).length, 4); // and the module still works
});
