// What the page (main.js) and the batch worker (batch_worker.js) share to build the same pipeline:
// ONNX Runtime's settings, the model list and how models are fetched and checked, and the browser's
// raw-deflate inflater for deflated DICOM. Works on the main thread and in a module worker alike (it
// uses fetch, Blob and DecompressionStream, nothing of the DOM).
import { ALL_MODELS, Pipeline } from './pipeline.js';
import { CODEC_FILES, DicomCodecs } from './dicom_codecs.js';

export async function fetchBytes(url) {
  const r = await fetch(url);
  return r.ok ? new Uint8Array(await r.arrayBuffer()) : null;
}

export async function fetchJson(url) {
  const r = await fetch(url);
  return r.ok ? r.json() : null;
}

// ORT Web as the page uses it: wasm files from ./ort/ beside this script, one thread.
export function configureOrt(ort) {
  ort.env.wasm.wasmPaths = new URL('./ort/', import.meta.url).href;
  ort.env.wasm.numThreads = 1;
}

// A deflated DICOM data set, inflated by the browser; more than `limit` bytes (a deflate bomb) is refused.
export async function inflateRaw(bytes, limit) {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw')).getReader();
  const chunks = [];
  let size = 0;
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    size += r.value.length;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`it inflates to more than ${limit / 1e6} MB`);
    }
    chunks.push(r.value);
  }
  const out = new Uint8Array(size);
  chunks.reduce((at, c) => (out.set(c, at), at + c.length), 0);
  return out;
}

// A DICOM codec from codecs/ beside this script, imported when a file first needs it (never at start-up).
async function loadCodec(name, options) {
  const dir = new URL('./codecs/', import.meta.url).href;
  const { js, wasm } = CODEC_FILES[name];
  const module = await import(dir + js);
  return wasm ? module.default({ ...options, locateFile: () => dir + wasm }) : module;
}

export function createPipeline(core, ort, dicomParser) {
  return new Pipeline(core, ort, { dicomParser, inflateRaw, codecs: new DicomCodecs(loadCodec) });
}

// Loads every model of ALL_MODELS (pipeline.js), for the page and every batch worker alike (fetch,
// checks, self-test); returns, per spec, { spec, card, entry }
// where entry is the pipeline's (entry.session is null when it failed). The files are fetched in
// parallel, the sessions created one after another: ORT Web 1.30 creating several sessions at once
// while its wasm starts has failed with "Cannot read properties of null (reading '3')".
export async function loadModels(pipeline, specs = ALL_MODELS) {
  const files = await Promise.all(
    specs.map((spec) => Promise.all([fetchBytes(`models/${spec.file}.onnx`), fetchJson(`models/${spec.file}.json`)])),
  );
  const out = [];
  for (const [i, spec] of specs.entries()) {
    const [onnx, card] = files[i];
    out.push({ spec, card, entry: await pipeline.loadModel(spec, onnx, card) });
  }
  return out;
}
