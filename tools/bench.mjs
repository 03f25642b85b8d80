#!/usr/bin/env node
// Benchmark of the page in headless Chromium (not a test: it prints figures, it asserts nothing).
//   node tools/bench.mjs [--no-batch | --only-batch]   (after `make build`)
// Prints one JSON object: sizes, page-ready time, model inference (median of 20; the lung model apart as
// lungs_ms), file-to-verdict per
// original image, and in the same session the reference models (VGG16 with the seed tutorial's head,
// DenseNet-121 with one channel) for comparison; batch mode on a folder of real images (files a second,
// the browser's memory over the run) with 1 and 2 workers; and, as `analysis`, tools/bench_analysis.mjs
// (the C++ analysis module beside ORT Web under Node: wasm raw and gzipped sizes, ready, inference).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import { MODELS } from '../web/pipeline.js';
import { ROOT, SITE } from './lib/node_runtime.mjs';
import { gzipTotal } from './make_dist.mjs';
import { benchAnalysis } from './bench_analysis.mjs';
import { ORIGINALS, PY, defaultModels, launch, makeBatchFolder, openApp, prepareSite, startServer } from '../tests/e2e/harness.mjs';

const RUNS = 20;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

const BATCH_FILES = 240;
const BATCH_RUNS = 2; // per worker count

// Resident memory of one launched browser: its main process (found by its profile folder) and every
// process below it, in MB.
function browserRssMb(userDataDir) {
  const procs = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' }).split('\n').filter(Boolean).map((l) => {
    const [pid, ppid, rss, ...args] = l.trim().split(/\s+/);
    return { pid: +pid, ppid: +ppid, rss: +rss, args: args.join(' ') };
  });
  const roots = procs.filter((p) => p.args.includes(userDataDir) && !p.args.includes('--type='));
  const seen = new Set(roots.map((p) => p.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (!seen.has(p.pid) && seen.has(p.ppid)) { seen.add(p.pid); grew = true; }
  }
  return procs.filter((p) => seen.has(p.pid)).reduce((a, p) => a + p.rss, 0) / 1024;
}

// One batch run of the folder in a fresh browser with `workers` workers: files a second (the batch's own
// clock, from queueing to the last row), frames a second, and the browser's memory sampled every 250 ms.
async function batchRun(url, dir, workers) {
  const b = await launch();
  try {
    const { page } = await openApp(b.context, `${url}?workers=${workers}`);
    await page.evaluate(() => globalThis.xraylens.batch.warm());
    const before = browserRssMb(b.userDataDir);
    const samples = [];
    const f0 = await page.evaluate(() => globalThis.xraylens.app.frameCount());
    await page.setInputFiles('#folder', dir);
    for (;;) {
      const d = await page.evaluate(() => ({ ...document.getElementById('batch').dataset }));
      samples.push({ done: Number(d.done || 0), total: Number(d.total || 0), mb: browserRssMb(b.userDataDir) });
      if (d.state === 'done' && Number(d.total) > 0) {
        const frames = (await page.evaluate(() => globalThis.xraylens.app.frameCount())) - f0;
        const s = Number(d.elapsedMs) / 1000;
        // the largest sample in each quarter of the run (by files done)
        const quarter = [1, 2, 3, 4].map((q) => Math.max(...samples.filter((x) => x.done <= (q * x.total) / 4 && x.done > ((q - 1) * x.total) / 4).map((x) => x.mb), 0));
        return { rate: Number(d.done) / s, fps: frames / s, before, peak: Math.max(...samples.map((x) => x.mb)), quarter, files: Number(d.done) };
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await b.close();
  }
}

async function batchBench(url) {
  const folder = makeBatchFolder(BATCH_FILES, { extras: false });
  try {
    const runs = { 1: [], 2: [] };
    for (let i = 0; i < BATCH_RUNS; ++i) for (const w of [1, 2]) runs[w].push(await batchRun(url, folder.dir, w));
    const def = Math.max(1, Math.min(2, os.cpus().length)); // what defaultWorkerCount() picks here (batch.js), up to 2
    const best = median(runs[1].map((r) => r.rate)) >= median(runs[2].map((r) => r.rate)) ? 1 : 2;
    const all = [...runs[1], ...runs[2]];
    return {
      batch_files: folder.images.length,
      batch_workers_default: def,
      batch_images_per_s: round(median(runs[def].map((r) => r.rate))),
      batch_images_per_s_by_workers: { 1: round(median(runs[1].map((r) => r.rate))), 2: round(median(runs[2].map((r) => r.rate))) },
      batch_faster_workers: best,
      batch_fps: round(median(runs[def].map((r) => r.fps))),
      batch_peak_mb: Math.round(Math.max(...all.map((r) => r.peak))),
      batch_mb_before: Math.round(median(all.map((r) => r.before))),
      batch_mb_by_quarter: runs[def].map((r) => r.quarter.map(Math.round)),
    };
  } finally {
    fs.rmSync(folder.root, { recursive: true, force: true });
  }
}

async function main() {
  const models = defaultModels();
  const site = prepareSite(models);
  if (process.argv.includes('--only-batch')) {
    const server = await startServer(site);
    try {
      console.log(JSON.stringify({ machine: `${os.cpus()[0].model}, ${os.cpus().length} cores`, models, ...(await batchBench(server.url)) }, null, 2));
    } finally {
      server.close();
    }
    return;
  }
  const refDir = path.join(ROOT, 'build/bench-models');
  execFileSync(PY, [path.join(ROOT, 'tools/make_reference_models.py'), refDir], { stdio: 'inherit' });
  fs.mkdirSync(path.join(site, 'bench'), { recursive: true });
  for (const f of fs.readdirSync(refDir)) fs.copyFileSync(path.join(refDir, f), path.join(site, 'bench', f));

  const server = await startServer(site);
  const browser = await launch();
  const out = {
    machine: `${os.cpus()[0].model}, ${os.cpus().length} cores, ${os.platform()} ${os.release()}`,
    browser: 'headless Chromium (Debian), ONNX Runtime Web wasm backend, 1 thread',
    models,
    app_wasm_bytes: fs.statSync(path.join(SITE, 'xraylens_app.wasm')).size,
    core_wasm_bytes: fs.statSync(path.join(SITE, 'xraylens_core.wasm')).size,
  };
  try {
    // Page weight: every response of a cold load, gzipped.
    const ready = [];
    let gzipBytes = 0;
    for (let i = 0; i < 3; ++i) {
      const cold = await launch(); // a fresh profile: nothing cached
      const page = await cold.context.newPage();
      const bodies = [];
      page.on('response', (r) => bodies.push(r.body().then((b) => zlib.gzipSync(b, { level: 9 }).length).catch(() => 0)));
      const t0 = Date.now();
      await page.goto(server.url);
      await page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60_000 });
      ready.push(Date.now() - t0);
      if (i === 0) gzipBytes = (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
      await cold.close();
    }
    out.page_gzip_bytes = gzipBytes;
    if (fs.existsSync(path.join(ROOT, 'dist'))) out.dist_gzip_bytes = gzipTotal(path.join(ROOT, 'dist')); // after `make dist`
    out.ready_ms = median(ready);

    const { page } = await openApp(browser.context, server.url);
    // File bytes to verdict, through the page's own analyse(), median of 5 per image (after one warm-up).
    out.e2e_ms = {};
    const images = fs.readdirSync(ORIGINALS).filter((f) => /\.(png|jpe?g)$/i.test(f));
    for (const name of images) {
      const b64 = fs.readFileSync(path.join(ORIGINALS, name)).toString('base64');
      const times = await page.evaluate(async ({ b64, name }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const ts = [];
        for (let i = 0; i < 6; ++i) {
          const t0 = performance.now();
          await globalThis.xraylens.analyse(new File([bytes], name));
          ts.push(performance.now() - t0);
        }
        return ts.slice(1);
      }, { b64, name });
      out.e2e_ms[name] = round(median(times));
    }

    // Model inference alone, on the open study's input.
    out.infer_ms = {};
    for (const spec of MODELS) {
      const ts = await page.evaluate(async ({ key, runs }) => {
        const p = globalThis.xraylens.pipeline;
        const entry = p.model(key);
        if (!entry?.session) return null;
        const ts = [];
        for (let i = 0; i < runs + 2; ++i) {
          const t0 = performance.now();
          await p.infer(key);
          ts.push(performance.now() - t0);
        }
        return ts.slice(2);
      }, { key: spec.key, runs: RUNS });
      out.infer_ms[spec.key] = ts ? round(median(ts)) : null;
    }

    // The lung model (contract v2: once per study, before either classifier), timed on fresh outlines.
    out.lungs_ms = await page.evaluate(async (runs) => {
      const p = globalThis.xraylens.pipeline;
      if (!p.model('lungs')?.session) return null;
      const ts = [];
      for (let i = 0; i < runs + 2; ++i) {
        p.study.lungs = undefined;
        const t0 = performance.now();
        await p.lungField();
        ts.push(performance.now() - t0);
      }
      return ts.slice(2).sort((a, b) => a - b)[Math.floor(runs / 2)];
    }, RUNS);
    out.lungs_ms = out.lungs_ms === null ? null : round(out.lungs_ms);

    // The references, in the same page and ORT session settings.
    out.ref_infer_ms = {};
    for (const [name, channels] of [['vgg16_tutorial', 3], ['densenet121_1ch', 1]]) {
      const ts = await page.evaluate(async ({ name, channels, runs }) => {
        const ort = globalThis.xraylens.pipeline.ort;
        const session = await ort.InferenceSession.create(`bench/${name}.onnx`, { executionProviders: ['wasm'] });
        const input = new ort.Tensor('float32', new Float32Array(channels * 224 * 224).fill(0.5), [1, channels, 224, 224]);
        const ts = [];
        for (let i = 0; i < runs + 2; ++i) {
          const t0 = performance.now();
          await session.run({ input });
          ts.push(performance.now() - t0);
        }
        await session.release();
        return ts.slice(2);
      }, { name, channels, runs: RUNS });
      out.ref_infer_ms[name] = round(median(ts));
    }
    const ours = Math.max(...Object.values(out.infer_ms).filter((x) => x !== null));
    out.speedup_vs_vgg16 = round(out.ref_infer_ms.vgg16_tutorial / ours);
    out.speedup_vs_densenet121 = round(out.ref_infer_ms.densenet121_1ch / ours);
    await page.close();

    if (!process.argv.includes('--no-batch')) Object.assign(out, await batchBench(server.url));
    // The C++ analysis module (ONNX Runtime built from C++) beside ORT Web, under Node: sizes and times.
    out.analysis = await benchAnalysis();
  } finally {
    await browser.close();
    server.close();
  }
  console.log(JSON.stringify(out, null, 2));
}

main();
