#!/usr/bin/env node
// Node benchmark of the one module's analysis (C++ analysis + ONNX Runtime 1.13.1 built from C++) on the
// page's .ort models and on the .onnx files, and beside it, in the same process on the same inputs,
// onnxruntime-web 1.30 (what the page used before): its session creation and inference of each model,
// and the reference models (VGG16 with the seed tutorial's head, DenseNet-121 with one channel, which the
// reduced ORT build cannot run). onnxruntime-web is a devDependency used by the benchmarks alone; the site
// never serves it (scripts/assemble_site.sh copies named files only).
// Not a test: it prints one JSON object and asserts nothing.
//   node tools/bench_analysis.mjs   (after `make build`; tools/bench.mjs includes it as `analysis`)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';

import { ALL_MODELS, MODELS } from '../web/models.js';
import { ROOT, SITE, createNodeAnalysis } from './lib/node_runtime.mjs';
import { referenceVersion } from './bench/reference.mjs';

const RUNS = 20;
const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const ORIGINALS = path.resolve(ROOT, '../shared/cxr-data/originals');
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;
const size = (files) => {
  const data = files.map((f) => fs.readFileSync(f));
  return { bytes: data.reduce((a, d) => a + d.length, 0), gzip_bytes: data.reduce((a, d) => a + zlib.gzipSync(d, { level: 9 }).length, 0) };
};

async function timed(fn) {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

async function benchModule(modelsDir, image, originals) {
  const [readyMs, a] = await timed(() => createNodeAnalysis({ modelsDir }));
  const opts = { models: MODELS.map((m) => m.key) };
  const runs = [];
  for (let i = 0; i < RUNS + 2; ++i) runs.push(await a.analyse(image, opts));
  const steady = runs.slice(2);
  const e2e = {};
  for (const [name, bytes] of originals) {
    const ts = [];
    for (let i = 0; i < 6; ++i) ts.push((await timed(() => a.analyse(bytes, opts)))[0]);
    e2e[name] = round(median(ts.slice(1)));
  }
  return {
    ready_ms: round(readyMs),
    infer_ms: Object.fromEntries(MODELS.map((m, i) => [m.key, round(median(steady.map((r) => r.results[i].inferMs)))])),
    lungs_ms: round(median(steady.map((r) => r.lungs.ms))),
    gate_ms: round(median(steady.map((r) => r.gate.ms))),
    e2e_ms: e2e,
  };
}

// onnxruntime-web from node_modules (a devDependency, pinned in package-lock.json); null (with why) when
// it is not installed.
async function loadOrtWeb() {
  const dir = path.join(ROOT, 'node_modules/onnxruntime-web/dist');
  if (!fs.existsSync(path.join(dir, 'ort.node.min.mjs'))) return { why: 'node_modules/onnxruntime-web is missing: run "npm ci"' };
  const ort = await import(pathToFileURL(path.join(dir, 'ort.node.min.mjs')).href);
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  return { ort };
}

async function inferMs(ort, session, input, shape, runs = RUNS) {
  const feeds = { input: new ort.Tensor('float32', input, shape) };
  const ts = [];
  for (let i = 0; i < runs + 2; ++i) ts.push((await timed(() => session.run(feeds)))[0]);
  return round(median(ts.slice(2)));
}

// The same models on the same inputs (the module's own lung-field and canonical inputs of one image).
async function benchOrtWeb(ort, image) {
  const a = await createNodeAnalysis({ modelsDir: path.join(ROOT, 'models') });
  await a.analyse(image, { models: [MODELS[0].key] });
  const lungInput = new Float32Array(a.module.lungInput());
  const canonical = Float32Array.from(a.module.canonical());
  const input = new Float32Array(a.module.modelInput());
  const [createMs, sessions] = await timed(async () => {
    const out = {};
    for (const spec of ALL_MODELS) out[spec.key] = await ort.InferenceSession.create(fs.readFileSync(path.join(ROOT, 'models', `${spec.file}.onnx`)), { executionProviders: ['wasm'] });
    return out;
  });
  const out = { create_sessions_ms: round(createMs), infer_ms: {} };
  for (const m of MODELS) out.infer_ms[m.key] = await inferMs(ort, sessions[m.key], lungInput, [1, 1, 224, 224]);
  out.lungs_ms = await inferMs(ort, sessions.lungs, canonical, [1, 1, 256, 256]);
  out.gate_ms = await inferMs(ort, sessions.gate, input, [1, 1, 224, 224]);
  // the reference models of the seed tutorial and of torchxrayvision's size class
  const refDir = path.join(ROOT, 'build/bench-models');
  execFileSync(PY, [path.join(ROOT, 'tools/make_reference_models.py'), refDir], { stdio: 'ignore' });
  out.reference_infer_ms = {};
  for (const [name, channels] of [['vgg16_tutorial', 3], ['densenet121_1ch', 1]]) {
    const session = await ort.InferenceSession.create(fs.readFileSync(path.join(refDir, `${name}.onnx`)), { executionProviders: ['wasm'] });
    out.reference_infer_ms[name] = await inferMs(ort, session, new Float32Array(channels * 224 * 224).fill(0.5), [1, channels, 224, 224], 10);
  }
  return out;
}

// The figures as one object (tools/bench.mjs adds them to its own).
export async function benchAnalysis() {
  const image = new Uint8Array(fs.readFileSync(path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg')));
  const originals = fs.readdirSync(ORIGINALS).filter((f) => /\.(png|jpe?g)$/i.test(f)).map((f) => [f, new Uint8Array(fs.readFileSync(path.join(ORIGINALS, f)))]);
  const modelFiles = (dir, ext) => fs.readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => path.join(dir, f));
  const out = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0].model}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
    runtime: `Node ${process.versions.node}, 1 thread`,
    module: size([path.join(SITE, 'xraylens.wasm'), path.join(SITE, 'xraylens.js')]),
    models: { onnx: size(modelFiles(path.join(ROOT, 'models'), '.onnx')), ort: size(modelFiles(path.join(SITE, 'models'), '.ort')) },
    module_ort: await benchModule(undefined, image, originals),
    module_onnx: await benchModule(path.join(ROOT, 'models'), image, originals),
  };
  const { ort, why } = await loadOrtWeb();
  out.onnxruntime_web = ort ? { version: `onnxruntime-web ${referenceVersion()}`, ...(await benchOrtWeb(ort, image)) } : { skipped: why };
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(JSON.stringify(await benchAnalysis(), null, 2));
