// The benchmark's reference: ONNX Runtime Web 1.30 (node_modules/onnxruntime-web, pinned in
// package-lock.json as a devDependency) running the repository's .onnx models in a bare worker
// (reference_worker.mjs) of the same Chromium that runs the page. Served from build/bench-reference/
// by serve.py (the page's headers), never from the site.
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from '../lib/node_runtime.mjs';
import { startServer } from '../../tests/e2e/harness.mjs';

const ORT_DIST = path.join(ROOT, 'node_modules/onnxruntime-web/dist');
// The fixed yardstick: the classifiers that issue 26's "0.75 x ONNX Runtime Web" target was set against
// (4.1.0, weight-only int8, fp32 convolutions). Since 4.2.0 the shipped models are static int8, which
// ONNX Runtime Web runs faster too, so the shipped files alone would move the reference with the page.
export const YARDSTICK = { dir: 'models/previous/lung-field-v4.1.0', version: '4.1.0', suffix: '@4.1.0' };
const ORT_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];

export const referenceVersion = () => JSON.parse(fs.readFileSync(path.join(ORT_DIST, '../package.json'), 'utf8')).version;

// build/bench-reference: ORT Web's wasm backend, the worker, an empty page, models/<file>.onnx and the
// yardstick's models/<file>@4.1.0.onnx.
function prepare() {
  const dir = path.join(ROOT, 'build/bench-reference');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
  for (const f of ORT_FILES) fs.copyFileSync(path.join(ORT_DIST, f), path.join(dir, f));
  fs.copyFileSync(path.join(ROOT, 'tools/bench/reference_worker.mjs'), path.join(dir, 'worker.mjs'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>reference</title>');
  for (const f of fs.readdirSync(path.join(ROOT, 'models')).filter((x) => x.endsWith('.onnx')))
    fs.copyFileSync(path.join(ROOT, 'models', f), path.join(dir, 'models', f));
  for (const f of fs.readdirSync(path.join(ROOT, YARDSTICK.dir)).filter((x) => x.endsWith('.onnx')))
    fs.copyFileSync(path.join(ROOT, YARDSTICK.dir, f), path.join(dir, 'models', f.replace('.onnx', `${YARDSTICK.suffix}.onnx`)));
  return dir;
}

// Opens the reference page in `context` and starts its worker. Returns { version, load(key, file),
// setInput(key, floats, shape), run(key, runs) -> ms of each run, close() }.
export async function startReference(context) {
  if (!fs.existsSync(path.join(ORT_DIST, ORT_FILES[0]))) throw new Error('node_modules/onnxruntime-web is missing: run "npm ci"');
  const server = await startServer(prepare());
  const page = await context.newPage();
  await page.goto(`${server.url}index.html`);
  await page.evaluate(() => {
    const worker = new Worker('worker.mjs', { type: 'module' });
    globalThis.bench = {
      inputs: {},
      ask: (msg) => new Promise((resolve, reject) => {
        worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data));
        worker.onerror = (e) => reject(new Error(e.message || 'the reference worker failed'));
        worker.postMessage(msg);
      }),
    };
  });
  return {
    version: referenceVersion(),
    load: (key, file) => page.evaluate(({ key, file }) => globalThis.bench.ask({ type: 'load', key, url: `models/${file}.onnx` }), { key, file }),
    setInput: (key, floats, shape) => page.evaluate(({ key, values, shape }) => (globalThis.bench.inputs[key] = { input: new Float32Array(values), shape }), { key, values: Array.from(floats), shape }),
    run: async (key, runs) => (await page.evaluate(({ key, runs }) => globalThis.bench.ask({ type: 'run', key, ...globalThis.bench.inputs[key], runs }), { key, runs })).ms,
    close: async () => {
      await page.close();
      server.close();
    },
  };
}
