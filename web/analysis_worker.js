// An analysis worker: the one module (xraylens.wasm, without its app) with the models, off the main
// thread so that the ImGui canvas keeps drawing. The page starts one for the image in the viewer and
// batch.js a pool for batch mode; each holds its own module and models.
// Messages in:
//   { type: 'open', id, file, models }           -> { type: 'opened', id, result, view } (the viewer's image,
//                                                 with the classifiers `models` (keys; default all))
//   { type: 'classify', id, models }             -> { type: 'classified', id, results } (more classifiers
//                                                 for the viewer's image)
//   { type: 'saveCopy', id, result, date }       -> { type: 'copy', id, name, png } (of the open image)
//   { type: 'job', id, file }                    -> { type: 'row', id, row } (batch; closed after)
//   { type: 'copy', id, file, result, date }     -> { type: 'copy', id, name, png } (batch)
//   { type: 'load', id, models }                 -> { type: 'loaded', id, models } (more models, as below;
//                                                 their statuses)
//   { type: 'module', module }                   (first: the page's compiled xraylens.wasm; no answer)
//   { type: 'models', models }                   (first: the model files to load at start, [{ key, bytes,
//                                                 card }] from models.js ModelFiles; no answer)
// Out, once, after start-up: { type: 'ready', models: [{ key, title, ok, error, card }], steps (where its
// start-up time went) } or { type: 'failed', error }.
import { MODELS } from './models.js';
import { createAnalysis, loadModels } from './runtime.js';

const DISPLAY_MAX_SIDE = 1024; // the viewer fits the image to its panel; a larger texture only costs time
const ALL_CLASSIFIERS = { models: MODELS.map((m) => m.key), analyseAnyway: true };

let analysis = null;
let openName = ''; // the viewer's image, open in the module until the next 'open'

async function readFile(file) {
  try {
    return { bytes: new Uint8Array(await file.arrayBuffer()) };
  } catch (e) {
    return { error: `cannot read the file (${e.message})` };
  }
}

// The viewer's image: the answers of the classifiers `models` (the page shows the gate's refusal until
// the user asks to see them anyway) and what the viewer draws, as copies out of the module's memory.
async function open(file, models = ALL_CLASSIFIERS.models) {
  const { bytes, error } = await readFile(file);
  if (error) return { result: { ok: false, error } };
  const result = await analysis.analyse(bytes, { models, analyseAnyway: true });
  if (!result.ok) return { result };
  openName = file.name;
  const m = analysis.module;
  const d = m.display(DISPLAY_MAX_SIDE);
  const view = {
    display: { pixels: new Uint8Array(d.pixels), width: d.width, height: d.height },
    mask: result.lungs ? new Uint8Array(m.lungMask()) : new Uint8Array(0),
    weight: result.lungs ? new Uint8Array(m.lungWeight()) : new Uint8Array(0),
  };
  return { result, view, transfer: [view.display.pixels.buffer, view.mask.buffer, view.weight.buffer] };
}

// One batch file through the gate and every available model, as the predictor does: a file the gate
// refuses still gets its probabilities, marked by `gate`.
async function row(file) {
  const t0 = performance.now();
  const { bytes, error } = await readFile(file);
  if (error) return { status: 'error', error };
  if (bytes.length === 0) return { status: 'skipped', error: 'empty file' };
  const format = analysis.format(bytes);
  if (!format) return { status: 'skipped', error: 'not an image the core reads (PNG, JPEG, WebP, TIFF, BMP, GIF, PNM, TGA) nor DICOM, by its content' };
  try {
    const r = await analysis.analyse(bytes, ALL_CLASSIFIERS);
    if (!r.ok) return { status: 'error', format, error: r.error };
    return {
      status: 'done', format: r.format, width: r.width, height: r.height,
      gate: r.gate.ok ? 'ok' : `rejected:${r.gate.reason}`, gateMessage: r.gate.message || '', warning: r.warning || '',
      results: r.results.map((x) => (x.error ? { key: x.key, error: x.error } : { key: x.key, title: x.title, pCovid: x.pCovid, verdict: x.verdict, threshold: x.threshold })),
      ms: performance.now() - t0,
      // where the file's time went, as the C++ analysis timed it (tools/bench.mjs)
      steps: { open: r.openMs, gate: r.gate.ms, lungs: r.lungs?.ms ?? 0, classifiers: r.results.reduce((a, x) => a + (x.inferMs || 0), 0) },
    };
  } finally {
    analysis.module.release();
  }
}

async function batchCopy(file, result, date) {
  const { bytes, error } = await readFile(file);
  if (error) throw new Error(error);
  const info = await analysis.open(bytes);
  if (!info.ok) throw new Error(info.error);
  try {
    return analysis.labelledCopy(result, date, file.name);
  } finally {
    analysis.module.release();
  }
}

// What the page sends first, each once: the compiled module and the model files.
const receive = {};
const received = Object.fromEntries(['module', 'models'].map((k) => [k, new Promise((resolve) => (receive[k] = resolve))]));

// Where the worker's start-up time goes: [step, absolute time in ms] (main.js makes them performance marks).
const steps = [['worker-created', performance.timeOrigin]];
const step = (name) => steps.push([name, performance.timeOrigin + performance.now()]);
step('worker-script'); // its imports loaded

async function start() {
  const compiled = await received.module;
  step('worker-module');
  analysis = await createAnalysis(compiled); // while the models may still be downloading
  step('worker-instantiated');
  const files = await received.models;
  step('worker-files');
  return loadModels(analysis, files, (key) => step(`worker-loaded-${key}`));
}

const ready = start();
ready.then(
  (models) => postMessage({ type: 'ready', models, steps }),
  (e) => postMessage({ type: 'failed', error: e.message || String(e) }),
);

async function copyMessage(id, make) {
  try {
    const { name, png } = await make(); // png: a copy, not a view of the module's memory
    postMessage({ type: 'copy', id, name, png }, [png.buffer]);
  } catch (e) {
    postMessage({ type: 'copy', id, error: e.message || String(e) });
  }
}

const handlers = {
  open: async (msg) => {
    const { result, view, transfer = [] } = await open(msg.file, msg.models);
    postMessage({ type: 'opened', id: msg.id, result, view }, transfer);
  },
  classify: async (msg) => {
    if (!openName) throw new Error('no image is open');
    postMessage({ type: 'classified', id: msg.id, results: analysis.classifyOpen(msg.models) });
  },
  saveCopy: (msg) => copyMessage(msg.id, async () => {
    if (!openName) throw new Error('no image is open');
    return analysis.labelledCopy(msg.result, msg.date, openName);
  }),
  job: async (msg) => postMessage({ type: 'row', id: msg.id, row: await row(msg.file) }),
  load: async (msg) => postMessage({ type: 'loaded', id: msg.id, models: await loadModels(analysis, msg.models) }),
  copy: (msg) => copyMessage(msg.id, () => batchCopy(msg.file, msg.result, msg.date)),
};

// What a message gets when its handling fails (the module or the models did not start, say).
const failures = {
  open: (id, error) => ({ type: 'opened', id, result: { ok: false, error } }),
  classify: (id, error) => ({ type: 'classified', id, error }),
  job: (id, error) => ({ type: 'row', id, row: { status: 'error', error } }),
  load: (id, error) => ({ type: 'loaded', id, error }),
};

// Messages are handled one after another, in the order they came.
let chain = Promise.resolve();
onmessage = (event) => {
  const msg = event.data;
  if (Object.hasOwn(receive, msg.type)) return receive[msg.type](msg[msg.type]);
  chain = chain.then(async () => {
    await ready;
    await handlers[msg.type](msg);
  }).catch((e) => {
    const error = e.message || String(e);
    postMessage((failures[msg.type] ?? ((id) => ({ type: 'copy', id, error })))(msg.id, error));
  });
};
