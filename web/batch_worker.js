// A batch worker: the page's own pipeline (web/pipeline.js with the wasm core and ONNX Runtime Web),
// run off the main thread so that the ImGui canvas keeps drawing. Started by batch.js as a module worker.
// Messages in:  { type: 'job', id, file }                  -> { type: 'row', id, row }
//               { type: 'copy', id, file, results, date }   -> { type: 'copy', id, name, png } (png transferred)
// Out, once, after start-up: { type: 'ready', models: [{ key, ok, error }] } or { type: 'failed', error }.
// One file is open at a time, and it is closed (its memory released) before the answer is sent.
import * as ort from './ort/ort.wasm.min.mjs';
import createCore from './xraylens_core.js';
import dicomParser from './dicom_parser.mjs';
import { MODELS } from './pipeline.js';
import { configureOrt, createPipeline, loadModels } from './runtime.js';

let pipeline = null;

// Opens a file into the pipeline; returns { info } or { row } when it cannot be analysed.
async function open(file) {
  let bytes;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    return { row: { status: 'error', error: `cannot read the file (${e.message})` } };
  }
  if (bytes.length === 0) return { row: { status: 'skipped', error: 'empty file' } };
  const kind = pipeline.format(bytes);
  if (!kind) return { row: { status: 'skipped', error: 'not an image the core reads (PNG, JPEG, WebP, TIFF, BMP, GIF, PNM, TGA) nor DICOM, by its content' } };
  const info = await pipeline.openAsync(bytes, file.name);
  if (!info.ok) return { row: { status: 'error', format: kind, error: info.error } };
  return { info };
}

// One file through the gate and every available model, as the predictor does: a file the gate refuses
// still gets its probabilities, marked by `gate`.
async function analyse(file) {
  const t0 = performance.now();
  const { info, row } = await open(file);
  if (row) return row;
  try {
    const g = await pipeline.gate();
    const out = {
      status: 'done', format: info.format, width: info.width, height: info.height,
      gate: g.ok ? 'ok' : `rejected:${g.reason}`, gateMessage: g.message || '', warning: info.warning || '', results: [],
    };
    for (const spec of MODELS) {
      try {
        const r = await pipeline.infer(spec.key);
        out.results.push({ key: r.key, title: r.title, pCovid: r.pCovid, verdict: r.verdict, threshold: r.threshold });
      } catch (e) {
        out.results.push({ key: spec.key, error: e.message });
      }
    }
    out.ms = performance.now() - t0;
    return out;
  } catch (e) {
    return { status: 'error', format: info.format, error: e.message };
  } finally {
    pipeline.close();
  }
}

async function labelledCopy(file, result, date) {
  const { row } = await open(file);
  if (row) throw new Error(row.error);
  try {
    return pipeline.labelledCopy(result, date);
  } finally {
    pipeline.close();
  }
}

async function start() {
  configureOrt(ort);
  ort.env.logLevel = 'error';
  pipeline = createPipeline(await createCore(), ort, dicomParser);
  const models = await loadModels(pipeline);
  return models.map(({ spec, entry }) => ({ key: spec.key, ok: !!entry.session, error: entry.error }));
}

const ready = start();
ready.then(
  (models) => postMessage({ type: 'ready', models }),
  (e) => postMessage({ type: 'failed', error: e.message || String(e) }),
);

// Jobs run one after another, in the order they came.
let chain = Promise.resolve();
onmessage = (event) => {
  const msg = event.data;
  chain = chain.then(async () => {
    await ready;
    if (msg.type === 'job') {
      postMessage({ type: 'row', id: msg.id, row: await analyse(msg.file) });
    } else if (msg.type === 'copy') {
      try {
        const { name, png } = await labelledCopy(msg.file, msg.result, msg.date); // png: a copy, not a wasm view
        postMessage({ type: 'copy', id: msg.id, name, png }, [png.buffer]);
      } catch (e) {
        postMessage({ type: 'copy', id: msg.id, error: e.message });
      }
    }
  }).catch((e) => postMessage({ type: 'row', id: msg.id, row: { status: 'error', error: e.message || String(e) } }));
};
