#!/usr/bin/env node
// Predictions before and after the move to one C++ analysis: for a fixed sample of the test split, the
// one module's analysis (web/analysis.js -> the C++ analyse() with ONNX Runtime 1.13.1 built from C++)
// on models/ as the tools load it (converted to .ort, tools/lib/ort_models.mjs; until the page's module
// linked ORT's minimal build, the .onnx itself) and on the site's .ort files, against the old path's answers
// (web/pipeline.js + onnxruntime-web 1.30, recorded in docs/eval/parity.csv before that path was
// removed). Prints a Markdown summary; writes one CSV row per image and path.
//   node tools/parity.mjs [--n 300] [--data ../shared/cxr-data] [--csv build/parity.csv] [--reference docs/eval/parity.csv]
import fs from 'node:fs';
import path from 'node:path';

import { MODELS } from '../web/models.js';
import { ROOT, createNodeAnalysis } from './lib/node_runtime.mjs';

const REFERENCE = 'onnxruntime-web'; // the old path's rows in the reference CSV

function args(argv) {
  const o = { n: 300, data: path.join(ROOT, '../shared/cxr-data'), csv: path.join(ROOT, 'build/parity.csv'), reference: path.join(ROOT, 'docs/eval/parity.csv') };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--n') o.n = Number(v);
    else if (k === '--data') o.data = v;
    else if (k === '--csv') o.csv = v;
    else if (k === '--reference') o.reference = v;
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

// The old path's answers per file (relative to the data folder), as recorded.
function recorded(csvFile) {
  const out = new Map();
  const [, ...lines] = fs.readFileSync(csvFile, 'utf8').trim().split('\n');
  for (const line of lines) {
    const [file, name, gate, score, ...p] = line.split(',');
    if (name !== REFERENCE) continue;
    out.set(file, /^(ok|[a-z_]+)$/.test(gate)
      ? { gate, score: score === '' ? null : Number(score), p: Object.fromEntries(MODELS.map((m, i) => [m.key, Number(p[i])])) }
      : { error: gate });
  }
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
  const old = recorded(o.reference);
  const paths = {
    'C++ models/ (as make eval loads them)': await createNodeAnalysis({ modelsDir: path.join(ROOT, 'models') }),
    'C++ .ort (the page)': await createNodeAnalysis(),
  };
  for (const [name, p] of Object.entries(paths))
    for (const [key, m] of p.models) if (m.error) throw new Error(`${name}: ${key}: ${m.error}`);
  const ms = Object.fromEntries(Object.keys(paths).map((k) => [k, 0]));
  const rows = ['file,path,gate,gate_score,' + MODELS.map((m) => `p_${m.key}`).join(',')];
  const results = [];
  for (const file of files) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const r = { [REFERENCE]: old.get(path.relative(o.data, file)) };
    if (!r[REFERENCE]) throw new Error(`${file} is not in ${o.reference}: run with its --n`);
    for (const [name, p] of Object.entries(paths)) {
      const t0 = performance.now();
      r[name] = await newPath(p, bytes);
      ms[name] += performance.now() - t0;
      const x = r[name];
      rows.push([path.relative(o.data, file), name, x.gate ?? x.error, x.score ?? '', ...MODELS.map((m) => x.p?.[m.key] ?? '')].join(','));
    }
    results.push(r);
  }
  fs.mkdirSync(path.dirname(o.csv), { recursive: true });
  fs.writeFileSync(o.csv, rows.join('\n') + '\n');

  const ref = REFERENCE;
  console.log(`${files.length} test images (evenly spaced through the test split sorted by path), ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(`against ${REFERENCE}'s answers recorded in ${path.relative(ROOT, o.reference)}\n`);
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
        const threshold = paths['C++ .ort (the page)'].model(m.key).card.threshold;
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
