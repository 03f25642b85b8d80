// The viridis colour map lives twice: in the GLSL that draws the CAM on the canvas and in the report's
// JS. This pins the two to the same stops, so that a change to one without the other fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from '../../tools/lib/node_runtime.mjs';

const numbers = (text) => (text.match(/-?\d+\.\d+/g) ?? []).map(Number);

function glslStops() {
  const src = fs.readFileSync(path.join(ROOT, 'shaders/image.frag.glsl'), 'utf8');
  const m = src.match(/const vec3 VIRIDIS\[(\d+)\] = vec3\[\d+\]\(([\s\S]*?)\);/);
  assert.ok(m, 'VIRIDIS not found in shaders/image.frag.glsl');
  return { count: Number(m[1]), values: numbers(m[2]) };
}

function jsStops() {
  const src = fs.readFileSync(path.join(ROOT, 'web/report.js'), 'utf8');
  const m = src.match(/const VIRIDIS = \[([\s\S]*?)\n\];/);
  assert.ok(m, 'VIRIDIS not found in web/report.js');
  return numbers(m[1]);
}

test('the GLSL and the report use the same viridis stops', () => {
  const glsl = glslStops();
  assert.equal(glsl.values.length, glsl.count * 3);
  assert.deepEqual(jsStops(), glsl.values);
  // matplotlib's viridis at its ends (3 decimals), so that both cannot drift together unnoticed
  assert.deepEqual(glsl.values.slice(0, 3), [0.267, 0.005, 0.329]);
  assert.deepEqual(glsl.values.slice(-3), [0.992, 0.906, 0.145]);
});

test('both interpolate between stops the same way (clamped, 8 equal steps)', () => {
  const src = fs.readFileSync(path.join(ROOT, 'shaders/image.frag.glsl'), 'utf8');
  assert.match(src, /float x = clamp\(t, 0\.0, 1\.0\) \* 8\.0;/);
  assert.match(src, /int i = int\(min\(floor\(x\), 7\.0\)\);/);
  const js = fs.readFileSync(path.join(ROOT, 'web/report.js'), 'utf8');
  assert.match(js, /const x = Math\.min\(Math\.max\(t, 0\), 1\) \* 8;/);
  assert.match(js, /const i = Math\.min\(Math\.floor\(x\), 7\);/);
});
