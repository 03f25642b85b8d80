// Loads the page's one module (xraylens.{js,wasm} from build/site: the core, the analysis and ONNX Runtime
// built from C++) under Node without its app, for tools/predict.mjs, tools/bench.mjs and tests.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { GATE, LUNGS, MODELS } from '../../web/models.js';
import { Analysis } from '../../web/analysis.js';
import { CODEC_FILES, DicomCodecs } from '../../web/dicom_codecs.js';
import { siteModels } from './ort_models.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SITE = path.join(ROOT, 'build/site');

// Emscripten 3.1.6's ES6 output expects CommonJS globals when it runs under Node.
function provideCommonJsGlobals(dir) {
  globalThis.require ??= createRequire(import.meta.url);
  globalThis.__dirname ??= dir;
}

// An Emscripten module NAME.js + NAME.wasm from dir, instantiated.
async function loadModule(dir, name) {
  const js = path.join(dir, `${name}.js`);
  if (!fs.existsSync(js)) throw new Error(`${js} not found: run "make build" first`);
  provideCommonJsGlobals(dir);
  const { default: create } = await import(pathToFileURL(js).href);
  return create({ wasmBinary: fs.readFileSync(path.join(dir, `${name}.wasm`)) });
}

// The module as the workers instantiate it (the app is never started); its core API is the page's core.
export const loadXrayLens = (siteDir = SITE) => loadModule(siteDir, 'xraylens');

// The site's DICOM codecs (as the page loads them, from codecs/), each loaded on first use.
function nodeCodecs(siteDir) {
  return new DicomCodecs(async (name, options) => {
    const { js, wasm } = CODEC_FILES[name];
    const dir = path.join(siteDir, 'codecs');
    const module = await import(pathToFileURL(path.join(dir, js)).href);
    return wasm ? module.default({ ...options, wasmBinary: fs.readFileSync(path.join(dir, wasm)) }) : module;
  });
}

// What web/dicom.js needs from its host: the parser, a raw-deflate inflater and the codecs.
export async function dicomOptions(siteDir = SITE) {
  const { default: dicomParser } = await import('dicom-parser');
  const inflateRaw = async (bytes, limit) => {
    try {
      return zlib.inflateRawSync(bytes, { maxOutputLength: limit });
    } catch (e) {
      throw new Error(e.code === 'ERR_BUFFER_TOO_LARGE' ? `it inflates to more than ${limit / 1e6} MB` : e.message);
    }
  };
  return { dicomParser, inflateRaw, codecs: nodeCodecs(siteDir) };
}

function readIfExists(file) {
  return fs.existsSync(file) ? fs.readFileSync(file) : null;
}

// A site's model `stem`: its .ort and its card (null where missing).
function siteFiles(dir, stem) {
  const card = readIfExists(path.join(dir, `${stem}.json`));
  return { ort: readIfExists(path.join(dir, `${stem}.ort`)), card: card && JSON.parse(card) };
}

// An Analysis (web/analysis.js) with its models: by default what the page loads (the site's .ort files
// and their cards); with modelsDir, the .onnx files there (the repository's models/, a training run's
// output), checked against their cards' sha256 and converted as the build converts the shipped ones
// (ort_models.mjs). Models absent are kept with their error.
export async function createNodeAnalysis({ modelsDir, keys = MODELS.map((m) => m.key), siteDir = SITE } = {}) {
  const analysis = new Analysis(await loadXrayLens(siteDir), await dicomOptions(siteDir));
  const converted = modelsDir && new Map(siteModels(modelsDir).map((m) => [m.stem, m]));
  for (const spec of [...MODELS.filter((m) => keys.includes(m.key)), GATE, LUNGS]) {
    const { ort, card } = converted ? converted.get(spec.file) ?? {} : siteFiles(path.join(siteDir, 'models'), spec.file);
    await analysis.loadModel(spec, ort ? new Uint8Array(ort) : null, card ?? null);
  }
  return analysis;
}
