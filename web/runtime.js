// What the analysis workers (analysis_worker.js) need from the browser: the module, the models loaded
// into it (the page fetched them, models.js), and the browser's raw-deflate inflater for deflated DICOM.
// It uses fetch, Blob and DecompressionStream, nothing of the DOM.
import createXrayLens from './xraylens.js';
import { instantiating } from './wasm_module.js';
import dicomParser from './dicom_parser.mjs';
import { Analysis } from './analysis.js';
import { specOf } from './models.js';
import { CODEC_FILES, DicomCodecs } from './dicom_codecs.js';

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

// The one module (without its app), instantiated from the page's compiled module, and the analysis
// around it.
export async function createAnalysis(compiled) {
  return new Analysis(await createXrayLens(instantiating(compiled)), { dicomParser, inflateRaw, codecs: new DicomCodecs(loadCodec) });
}

// Loads fetched model files ([{ key, bytes, card }], models.js ModelFiles) into the analysis, one after
// another: the module checks each against its card (which names the .ort's sha256) and self-tests it.
// Returns, per model, { key, title, ok, error, card }; `loaded(key)` is called as each is done.
export async function loadModels(analysis, files, loaded = () => {}) {
  const out = [];
  for (const { key, bytes, card } of files) {
    const spec = specOf(key);
    const entry = await analysis.loadModel(spec, bytes, card);
    out.push({ key, title: card?.title || spec.title, ok: entry.ok, error: entry.error, card });
    loaded(key);
  }
  return out;
}
