#!/usr/bin/env node
// Predictions before and after the move to one C++ analysis: for a fixed sample of the test split,
// the old path (web/pipeline.js + onnxruntime-web) and the new one (web/analysis.js -> the C++
// analyse() with ONNX Runtime 1.13.1 built from C++), on the same models, as .onnx and as the .ort
// files the build converts. Prints a Markdown summary; writes one CSV row per image and model.
//   node tools/parity.mjs [--n 300] [--data ../shared/cxr-data] [--csv build/parity.csv]
import fs from 'node:fs';
import path from 'node:path';

import { MODELS } from '../web/pipeline.js';
import { ROOT, createNodeAnalysis, createNodePipeline } from './lib/node_runtime.mjs';

function args(argv) {
  const o = { n: 300, data: path.join(ROOT, '../shared/cxr-data'), csv: path.join(ROOT, 'build/parity.csv') };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--n') o.n = Number(v);
    else if (k === '--data') o.data = v;
    else if (k === '--csv') o.csv = v;
    else throw new Error(`unknown option ${k}`);
  }
  return o;
}

// Every k-th row of the test split, sorted by path: all sources, the same sample on every run.
function sample(dataDir, n) {
  const [header, ...lines] = fs.readFileSync(path.join(dataDir, 'manifest.csv'), 'utf8').trim().split('\n');
  const cols = header.split(',');
  const at = (name) => cols.indexOf(name);
  const test = lines.map((l) => l.split(',')).filter((c) => c[at('split')] === 'test').map((c) => c[at('path')]).sort();
  const step = test.length / n;
  return Array.from({ length: Math.min(n, test.length) }, (_, i) => path.join(dataDir, test[Math.floor(i * step)]));
}

async function oldPath(pipeline, bytes, name) {
  const info = await pipeline.openAsync(bytes, name);
  if (!info.ok) return { error: info.error };
  const gate = await pipeline.gate();
  const out = { gate: gate.ok ? 'ok' : gate.reason, score: gate.score, p: {} };
  for (const m of MODELS) out.p[m.key] = (await pipeline.infer(m.key)).pCovid;
  pipeline.close();
  return out;
}

async function newPath(analysis, bytes) {
  const r = await analysis.analyse(bytes, { models: MODELS.map((m) => m.key), analyseAnyway: true });
  if (!r.ok) return { error: r.error };
  const p = {};
  for (const x of r.results) {
    if (x.error) throw new Error(x.error);
    p[x.key] = x.pCovid;
  }
  return { gate: r.gate.ok ? 'ok' : r.gate.reason, score: r.gate.score, p };
}

async function main() {
  const o = args(process.argv.slice(2));
  const files = sample(o.data, o.n);
  const paths = {
    'onnxruntime-web': await createNodePipeline(),
    'C++ .onnx': await createNodeAnalysis({ format: 'onnx' }),
    'C++ .ort': await createNodeAnalysis({ format: 'ort' }),
  };
  for (const [name, p] of Object.entries(paths))
    for (const [key, m] of p.models) if (m.error) throw new Error(`${name}: ${key}: ${m.error}`);
  const ms = Object.fromEntries(Object.keys(paths).map((k) => [k, 0]));
  const rows = ['file,path,gate,gate_score,' + MODELS.map((m) => `p_${m.key}`).join(',')];
  const results = [];
  for (const file of files) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const r = {};
    for (const [name, p] of Object.entries(paths)) {
      const t0 = performance.now();
      r[name] = name === 'onnxruntime-web' ? await oldPath(p, bytes, file) : await newPath(p, bytes);
      ms[name] += performance.now() - t0;
      const x = r[name];
      rows.push([path.relative(o.data, file), name, x.gate ?? x.error, x.score ?? '', ...MODELS.map((m) => x.p?.[m.key] ?? '')].join(','));
    }
    results.push(r);
  }
  fs.mkdirSync(path.dirname(o.csv), { recursive: true });
  fs.writeFileSync(o.csv, rows.join('\n') + '\n');

  const ref = 'onnxruntime-web';
  console.log(`${files.length} test images (evenly spaced through the test split sorted by path), ${new Date().toISOString().slice(0, 10)}\n`);
  console.log('| path | ' + MODELS.map((m) => `max abs dp ${m.key}`).join(' | ') + ' | max abs d(gate score) | gate decisions differ | verdicts differ | ms/image |');
  console.log('|---|' + MODELS.map(() => '---|').join('') + '---|---|---|---|');
  let worst = 0;
  for (const name of Object.keys(paths)) {
    const dp = MODELS.map(() => 0);
    let dScore = 0, gates = 0, verdicts = 0;
    for (const r of results) {
      const a = r[ref], b = r[name];
      if (a.error || b.error) {
        if (a.error !== b.error) gates += 1;
        continue;
      }
      MODELS.forEach((m, i) => {
        dp[i] = Math.max(dp[i], Math.abs(a.p[m.key] - b.p[m.key]));
        const threshold = paths[ref].model(m.key).card.threshold;
        if ((a.p[m.key] >= threshold) !== (b.p[m.key] >= threshold)) verdicts += 1;
      });
      if (a.score !== null) dScore = Math.max(dScore, Math.abs(a.score - b.score));
      if (a.gate !== b.gate) gates += 1;
    }
    worst = Math.max(worst, ...dp);
    console.log(`| ${name} | ${dp.map((d) => d.toExponential(2)).join(' | ')} | ${dScore.toExponential(2)} | ${gates} | ${verdicts} | ${(ms[name] / files.length).toFixed(1)} |`);
  }
  console.log(`\nmax |dp| over all models and paths: ${worst.toExponential(2)} (limit 1e-4): ${worst <= 1e-4 ? 'PASS' : 'FAIL'}`);
  process.exitCode = worst <= 1e-4 ? 0 : 1;
}

main().catch((e) => {
  console.error(`parity: ${e.message}`);
  process.exit(2);
});
