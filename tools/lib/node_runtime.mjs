// Loads the page's wasm core and ONNX Runtime Web under Node, for tools/predict.mjs, tools/bench.mjs and tests.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { GATE, LUNGS, MODELS, Pipeline } from '../../web/pipeline.js';
import { CODEC_FILES, DicomCodecs } from '../../web/dicom_codecs.js';

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

export const loadCore = (siteDir = SITE) => loadModule(siteDir, 'xraylens_core');

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

export async function loadOrt() {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  return ort;
}

function readIfExists(file) {
  return fs.existsSync(file) ? fs.readFileSync(file) : null;
}

// A pipeline with the models found in modelsDir (those absent are kept with their error), and the
// input gate's and the lung model when modelsDir has them.
export async function createNodePipeline({ modelsDir = path.join(ROOT, 'models'), keys = MODELS.map((m) => m.key), siteDir } = {}) {
  const pipeline = new Pipeline(await loadCore(siteDir), await loadOrt(), await dicomOptions(siteDir));
  for (const spec of [...MODELS.filter((m) => keys.includes(m.key)), GATE, LUNGS]) {
    const onnx = readIfExists(path.join(modelsDir, `${spec.file}.onnx`));
    const card = readIfExists(path.join(modelsDir, `${spec.file}.json`));
    await pipeline.loadModel(spec, onnx && new Uint8Array(onnx), card && JSON.parse(card));
  }
  return pipeline;
}

// The analysis module (ONNX Runtime built from C++ with the whole analysis; src/web/analysis_api.cpp).
export const ANALYSIS_BUILD = path.join(ROOT, 'build/wasm');

export const loadAnalysisModule = (dir = ANALYSIS_BUILD) => loadModule(dir, 'xraylens_analysis');

// An Analysis (web/analysis.js) with every model of modelsDir: `.onnx` files checked against their
// cards' sha256, or the `.ort` files the build converted (ortDir) with the cards of modelsDir.
export async function createNodeAnalysis({ modelsDir = path.join(ROOT, 'models'), keys = MODELS.map((m) => m.key),
  format = 'onnx', ortDir = path.join(ANALYSIS_BUILD, 'models'), moduleDir = ANALYSIS_BUILD, siteDir } = {}) {
  const { Analysis } = await import('../../web/analysis.js');
  const analysis = new Analysis(await loadAnalysisModule(moduleDir), await dicomOptions(siteDir));
  for (const spec of [...MODELS.filter((m) => keys.includes(m.key)), GATE, LUNGS]) {
    const card = readIfExists(path.join(modelsDir, `${spec.file}.json`));
    const file = format === 'ort' ? path.join(ortDir, `${spec.file}.ort`) : path.join(modelsDir, `${spec.file}.onnx`);
    const bytes = readIfExists(file);
    // a converted .ort has no digest of its own on the card; the build made it from the checked .onnx
    await analysis.loadModel(spec, bytes && new Uint8Array(bytes), card && JSON.parse(card), format === 'ort' ? null : undefined);
  }
  return analysis;
}
