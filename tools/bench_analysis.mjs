#!/usr/bin/env node
// Node benchmark of the one-call analysis (xraylens_analysis: C++ analysis + ONNX Runtime 1.13.1 built
// from C++) beside the older JS + onnxruntime-web path, same models, same process, same machine.
// Not a test: it prints one JSON object and asserts nothing.
//   node tools/bench_analysis.mjs   (after `make build`; tools/bench.mjs includes it as `analysis`)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';

import { MODELS } from '../web/pipeline.js';
import { ANALYSIS_BUILD, ROOT, SITE, createNodeAnalysis, createNodePipeline } from './lib/node_runtime.mjs';

const RUNS = 20;
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

async function benchNew(format, image, originals) {
  const [readyMs, a] = await timed(() => createNodeAnalysis({ format }));
  const opts = { models: MODELS.map((m) => m.key) };
  const runs = [];
  for (let i = 0; i < RUNS + 2; ++i) runs.push(await a.analyse(image, opts));
  const steady = runs.slice(2);
  const e2e = {};
  for (const [name, bytes] of originals) {
    const ts = [];
    for (let i = 0; i < 6; ++i) ts.push((await timed(() => a.analyse(bytes, { models: [MODELS[0].key] })))[0]);
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

async function benchOld(image, originals) {
  const [readyMs, p] = await timed(() => createNodePipeline());
  p.open(image, 'bench');
  const infer = {};
  for (const m of MODELS) {
    const ts = [];
    for (let i = 0; i < RUNS + 2; ++i) ts.push((await p.infer(m.key)).inferMs);
    infer[m.key] = round(median(ts.slice(2)));
  }
  const lungs = [];
  for (let i = 0; i < RUNS + 2; ++i) {
    p.study.lungs = undefined;
    lungs.push((await p.lungField()).ms);
  }
  const e2e = {};
  for (const [name, bytes] of originals) {
    const ts = [];
    for (let i = 0; i < 6; ++i)
      ts.push((await timed(async () => {
        await p.openAsync(bytes, name);
        await p.gate();
        return p.infer(MODELS[0].key);
      }))[0]);
    e2e[name] = round(median(ts.slice(1)));
  }
  return { ready_ms: round(readyMs), infer_ms: infer, lungs_ms: round(median(lungs.slice(2))), e2e_ms: e2e };
}

// The figures as one object (tools/bench.mjs adds them to its own).
export async function benchAnalysis() {
  const image = new Uint8Array(fs.readFileSync(path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg')));
  const originals = fs.readdirSync(ORIGINALS).filter((f) => /\.(png|jpe?g)$/i.test(f)).map((f) => [f, new Uint8Array(fs.readFileSync(path.join(ORIGINALS, f)))]);
  const ortWeb = path.join(ROOT, 'node_modules/onnxruntime-web/dist');
  const modelFiles = (dir, ext) => fs.readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => path.join(dir, f));
  const out = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0].model}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
    runtime: `Node ${process.versions.node}, 1 thread`,
    wasm: {
      analysis_module: size([path.join(ANALYSIS_BUILD, 'xraylens_analysis.wasm'), path.join(ANALYSIS_BUILD, 'xraylens_analysis.js')]),
      old_core_plus_ort_web: size([path.join(SITE, 'xraylens_core.wasm'), path.join(SITE, 'xraylens_core.js'),
        path.join(ortWeb, 'ort-wasm-simd-threaded.wasm'), path.join(ortWeb, 'ort-wasm-simd-threaded.mjs'), path.join(ortWeb, 'ort.wasm.min.mjs')]),
    },
    models: { onnx: size(modelFiles(path.join(ROOT, 'models'), '.onnx')), ort: size(modelFiles(path.join(ANALYSIS_BUILD, 'models'), '.ort')) },
    cpp_ort: await benchNew('ort', image, originals),
    cpp_onnx: await benchNew('onnx', image, originals),
    onnxruntime_web: await benchOld(image, originals),
  };
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(JSON.stringify(await benchAnalysis(), null, 2));
