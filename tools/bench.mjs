#!/usr/bin/env node
// Benchmark of the page in headless Chromium (not a test: it prints figures, it asserts nothing).
//   node tools/bench.mjs [--no-batch | --only-batch [--batchfps N]] [--no-node]   (after `make build`)
// Prints one JSON object: the module's size (raw and gzipped), page weight (what a cold visit loads until
// the page is ready; the classifier not shown at start comes when first asked for) and what the service
// worker then fetches for offline use, page-ready time (median of 5 cold loads), file-to-verdict per
// original image through the page's analysis worker (median of 5), model inference as the worker's C++
// analysis times it (median over those runs; the lung model and the gate apart); the classifiers'
// inference in the page's worker with the page idle and while the canvas draws, beside ONNX Runtime Web
// 1.30 in a bare worker of the same browser (`reference_infer_ms`, and the
// ratios: tools/bench/inference_beside.mjs); batch mode on a folder of real images (files a second, the
// browser's memory over the run) with 1 and 2 workers; and, as `analysis` (not with --no-node),
// tools/bench_analysis.mjs (the module under Node beside onnxruntime-web 1.30 on the same models, and the
// reference models VGG16 and DenseNet-121).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import { AT_START, MODELS } from '../web/models.js';
import { ROOT, SITE, loadXrayLens } from './lib/node_runtime.mjs';
import { gzipTotal } from './make_dist.mjs';
import { benchAnalysis } from './bench_analysis.mjs';
import { inferenceBeside } from './bench/inference_beside.mjs';
import { ORIGINALS, defaultModels, launch, makeBatchFolder, openAcceptedApp, openApp, prepareSite, startServer } from '../tests/e2e/harness.mjs';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

const BATCH_FILES = 240;
const BATCH_RUNS = 2; // per worker count
// --batchfps N: the page's ?batchfps=N (frames a second while a batch runs); the app's default otherwise
const BATCH_FPS = process.argv.includes('--batchfps') ? Number(process.argv[process.argv.indexOf('--batchfps') + 1]) : null;

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
// clock, from queueing to the last row), frames sent to the GPU a second (built, where the app cannot
// tell), and the browser's memory sampled every 250 ms.
async function batchRun(url, dir, workers) {
  const b = await launch();
  try {
    const { page } = await openApp(b.context, `${url}?workers=${workers}${BATCH_FPS === null ? '' : `&batchfps=${BATCH_FPS}`}`);
    await page.evaluate(() => globalThis.xraylens.batch.warm());
    const before = browserRssMb(b.userDataDir);
    const samples = [];
    const f0 = await page.evaluate(() => globalThis.xraylens.app.presentedCount?.() ?? globalThis.xraylens.app.frameCount());
    await page.setInputFiles('#folder', dir);
    for (;;) {
      const d = await page.evaluate(() => ({ ...document.getElementById('batch').dataset }));
      samples.push({ done: Number(d.done || 0), total: Number(d.total || 0), mb: browserRssMb(b.userDataDir) });
      if (d.state === 'done' && Number(d.total) > 0) {
        const frames = (await page.evaluate(() => globalThis.xraylens.app.presentedCount?.() ?? globalThis.xraylens.app.frameCount())) - f0;
        const s = Number(d.elapsedMs) / 1000;
        // the largest sample in each quarter of the run (by files done)
        const quarter = [1, 2, 3, 4].map((q) => Math.max(...samples.filter((x) => x.done <= (q * x.total) / 4 && x.done > ((q - 1) * x.total) / 4).map((x) => x.mb), 0));
        // a file's mean time in its worker, by step (the C++ analysis's timings; rest: reading the file,
        // DICOM, messages, waiting for the core it shares)
        const steps = await page.evaluate(() => {
          const done = globalThis.xraylens.batch.rows.filter((r) => r.steps);
          const mean = (f) => done.reduce((a, r) => a + f(r), 0) / Math.max(1, done.length);
          const s = Object.fromEntries(['open', 'gate', 'lungs', 'classifiers'].map((k) => [k, mean((r) => r.steps[k])]));
          const file = mean((r) => r.ms);
          return { ...s, rest: file - Object.values(s).reduce((a, b) => a + b, 0), file };
        });
        return { rate: Number(d.done) / s, fps: frames / s, before, peak: Math.max(...samples.map((x) => x.mb)), quarter, files: Number(d.done), steps };
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
      // a file's mean milliseconds in its worker by step, with 1 and 2 workers (medians of the runs)
      batch_steps_ms: Object.fromEntries([1, 2].map((w) => [w, Object.fromEntries(Object.keys(runs[w][0].steps).map((k) => [k, round(median(runs[w].map((r) => r.steps[k])))]))])),
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
  const server = await startServer(site);
  const browser = await launch();
  const wasm = fs.readFileSync(path.join(SITE, 'xraylens.wasm'));
  const out = {
    machine: `${os.cpus()[0].model}, ${os.cpus().length} cores, ${os.platform()} ${os.release()}, load ${os.loadavg()[0].toFixed(1)}`,
    browser: 'headless Chromium (Debian); the one module (ONNX Runtime 1.13.1 built from C++) in a worker, 1 thread',
    ort_build: (await loadXrayLens()).ortBuild, // the ONNX Runtime build the page's module links
    models_at_start: AT_START,
    models,
    module_wasm_bytes: wasm.length,
    module_wasm_gzip_bytes: zlib.gzipSync(wasm, { level: 9 }).length,
  };
  try {
    // Page weight: every response of a cold load until the page is ready, gzipped; ready: median of 5
    // cold loads. Then, on the first, what the service worker fetches for offline use once the page is
    // ready (files the page has loaded are revalidated: a 304 sends no body).
    const ready = [];
    const marks = []; // main.js's performance marks: module compiled, app started, the worker's steps, models ready
    for (let i = 0; i < 5; ++i) {
      const cold = await launch(); // a fresh profile: nothing cached
      const page = await cold.context.newPage();
      const bodies = [];
      const precache = [];
      page.on('response', (r) => bodies.push(r.body().then((b) => zlib.gzipSync(b, { level: 9 }).length).catch(() => 0)));
      // the service worker's fetches: bytes of body that came over the network (0 for a 304)
      cold.context.on('requestfinished', (q) => {
        if (q.serviceWorker()) precache.push(q.sizes().then((z) => ({ url: q.url(), body: z.responseBodySize })).catch(() => ({ url: q.url(), body: 0 })));
      });
      const t0 = Date.now();
      await page.goto(server.url);
      await page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60_000 });
      ready.push(Date.now() - t0);
      marks.push(await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').filter((m) => m.name.startsWith('xraylens:')).map((m) => [m.name.slice(9), m.startTime]))));
      if (i === 0) {
        out.page_gzip_bytes = (await Promise.all(bodies)).reduce((a, b) => a + b, 0);
        await page.waitForFunction(() => document.getElementById('version')?.dataset.offline === 'ready', null, { timeout: 60_000 });
        const fetched = await Promise.all(precache);
        const sent = fetched.filter((p) => p.body > 0);
        out.offline_precache = {
          files: fetched.length,
          with_body: sent.length, // the others were revalidated (304): the page had loaded them
          body_bytes: sent.reduce((a, p) => a + p.body, 0), // as sent (serve.py compresses only dist/'s .gz siblings)
          largest_with_body: sent.sort((a, b) => b.body - a.body).slice(0, 6).map((p) => `${p.url.replace(server.url, '')} ${p.body}`),
        };
      }
      await cold.close();
    }
    if (fs.existsSync(path.join(ROOT, 'dist'))) out.dist_gzip_bytes = gzipTotal(path.join(ROOT, 'dist')); // after `make dist`
    out.ready_ms = median(ready);
    out.ready_ms_runs = ready;
    out.ready_steps_ms = Object.fromEntries(Object.keys(marks[0] ?? {}).map((k) => [k, round(median(marks.map((m) => m[k])))]));

    const { page } = await openAcceptedApp(browser.context, server.url); // no notice: the drag reaches the viewer
    // File bytes to verdict, through the page's own analyse() (the worker runs the model shown),
    // median of 5 per image after one warm-up; the C++ analysis's own timings of each step beside it.
    out.e2e_ms = {};
    out.e2e_steps_ms = {};
    const steps = { gate: [], lungs: [], ...Object.fromEntries(MODELS.map((m) => [m.key, []])) };
    const images = fs.readdirSync(ORIGINALS).filter((f) => /\.(png|jpe?g)$/i.test(f));
    for (const name of images) {
      const b64 = fs.readFileSync(path.join(ORIGINALS, name)).toString('base64');
      const runs = await page.evaluate(async ({ b64, name }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const out = [];
        for (let i = 0; i < 6; ++i) {
          const t0 = performance.now();
          await globalThis.xraylens.analyse(new File([bytes], name));
          const info = globalThis.xraylens.state.study.info;
          out.push({ ms: performance.now() - t0, open: info.openMs, gate: info.gate.ms, lungs: info.lungs?.ms, infer: Object.fromEntries(info.results.map((r) => [r.key, r.inferMs])) });
        }
        return out.slice(1);
      }, { b64, name });
      out.e2e_ms[name] = round(median(runs.map((r) => r.ms)));
      // where a file's time goes: decoding and preprocessing, the gate, the lung model, the classifiers shown,
      // and the rest (reading the file, the display image, messages, the texture on the main thread)
      const infer = runs.map((r) => Object.values(r.infer).reduce((a, b) => a + b, 0));
      const part = (f) => round(median(runs.map(f)));
      out.e2e_steps_ms[name] = { open: part((r) => r.open), gate: part((r) => r.gate), lungs: part((r) => r.lungs ?? 0),
        classifiers: part((_, i) => infer[i]), rest: part((r, i) => r.ms - r.open - r.gate - (r.lungs ?? 0) - infer[i]) };
      for (const r of runs) {
        steps.gate.push(r.gate);
        if (r.lungs !== undefined) steps.lungs.push(r.lungs);
        for (const m of MODELS) if (r.infer[m.key] !== undefined) steps[m.key].push(r.infer[m.key]);
      }
    }
    out.infer_ms = Object.fromEntries(MODELS.map((m) => [m.key, steps[m.key].length ? round(median(steps[m.key])) : null]));
    out.lungs_ms = steps.lungs.length ? round(median(steps.lungs)) : null;
    out.gate_ms = round(median(steps.gate));
    Object.assign(out, await inferenceBeside(browser.context, page));
    await page.close();

    if (!process.argv.includes('--no-batch')) Object.assign(out, await batchBench(server.url));
    // The module under Node beside onnxruntime-web 1.30 on the same models, and the reference models.
    if (!process.argv.includes('--no-node')) out.analysis = await benchAnalysis();
  } finally {
    await browser.close();
    server.close();
  }
  console.log(JSON.stringify(out, null, 2));
}

main();
