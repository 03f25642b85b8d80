// The JS driver of the page: the only code that touches browser APIs. It loads the wasm core, ONNX
// Runtime Web and the models, feeds files to the pipeline and hands results to the ImGui app.
import * as ort from './ort/ort.wasm.min.mjs';
import createCore from './xraylens_core.js';
import createApp from './xraylens_app.js';
import { ALL_MODELS, MODELS, Pipeline } from './pipeline.js';
import dicomParser from './dicom_parser.mjs';
import { patientText } from './dicom.js';
import { CODEC_FILES, DicomCodecs } from './dicom_codecs.js';
import './offline.js'; // service worker (offline use) and the build version in #version
import { modelCardText } from './model_card_text.js';

const NOTICE_KEY = 'xraylens.notice.v1';
const DISPLAY_MAX_SIDE = 1024; // the viewer fits the image to its panel; a larger texture only costs time

const $ = (id) => document.getElementById(id);
const state = { pipeline: null, app: null, model: 0, compare: false, results: [], busy: false };

function announce(el, text, data = {}) {
  el.textContent = text;
  for (const k of Object.keys(el.dataset)) delete el.dataset[k];
  Object.assign(el.dataset, data);
}

function showMessage(text, isError) {
  state.app?.setMessage(text, isError);
  announce($('message'), text, { kind: isError ? 'error' : 'info' });
}

async function fetchBytes(url) {
  const r = await fetch(url);
  return r.ok ? new Uint8Array(await r.arrayBuffer()) : null;
}

async function fetchJson(url) {
  const r = await fetch(url);
  return r.ok ? r.json() : null;
}

// Loads both models and the input gate (fetch, checks, self-test); returns one status per model.
async function loadModels(pipeline) {
  return Promise.all(
    ALL_MODELS.map(async (spec) => {
      const [onnx, card] = await Promise.all([fetchBytes(`models/${spec.file}.onnx`), fetchJson(`models/${spec.file}.json`)]);
      const entry = await pipeline.loadModel(spec, onnx, card);
      const detail = entry.session
        ? `ready; threshold ${(card.threshold * 100).toFixed(1)}%${card.test_only ? ' (TEST MODEL)' : ''}`
        : `not available: ${entry.error}`;
      return { title: card?.title || spec.title, ok: !!entry.session, detail, error: entry.error, card: modelCardText(card) };
    }),
  );
}

function resultView(r, openMs, outOfScope) {
  const core = state.pipeline.core;
  const band = state.pipeline.model(r.key).card.inconclusive ?? { low: r.threshold, high: r.threshold };
  const timing = openMs !== undefined ? `${Math.round(openMs + r.inferMs)} ms (inference ${Math.round(r.inferMs)} ms)` : `${Math.round(r.inferMs)} ms`;
  return {
    verdict: r.verdict, pCovid: r.pCovid, threshold: r.threshold, bandLow: band.low, bandHigh: band.high,
    pText: core.percent(r.pCovid), thresholdText: core.percent(r.threshold), modelTitle: r.title,
    timing, warning: r.warning, outOfScope,
  };
}

function showCam(r) {
  const { data, width, height } = r.cam;
  let max = 0;
  for (const v of data) max = Math.max(max, v);
  state.app.setCam(max > 0 ? data.map((v) => v / max) : data, width, height, r.cam.region, state.pipeline.study.lungs?.weight ?? []);
}

// Runs the selected model (and the other one when comparing) on the open study, unless the input gate
// refused it and the user has not asked to analyse it anyway.
async function runModels() {
  const { pipeline, app } = state;
  if (!pipeline.study) return;
  const gate = state.gate;
  if (gate && !gate.ok && !state.override) {
    app.setGate(gate.message);
    app.setCam(new Float32Array(0), 0, 0, [], []);
    showMessage('', false);
    announce($('result'), `File ${pipeline.study.name}. Not analysed: ${gate.message}`, { gate: `rejected:${gate.reason}`, file: pipeline.study.name });
    return;
  }
  const outOfScope = !!(gate && !gate.ok);
  const wanted = state.compare ? MODELS.map((_, i) => i) : [state.model];
  const openMs = state.openMs;
  state.openMs = undefined;
  state.results = [];
  app.clearResults();
  const lines = [];
  const errors = [];
  for (const i of wanted) {
    const spec = MODELS[i];
    try {
      const r = await pipeline.infer(spec.key);
      const view = resultView(r, i === state.model ? openMs : undefined, outOfScope);
      state.results[i] = r;
      app.setResult(i, view);
      if (i === state.model) showCam(r);
      lines.push(`${outOfScope ? "OUTSIDE THE MODEL'S SCOPE (analysed anyway) " : ''}${r.title}: ${r.verdict}, probability of COVID-19 ${view.pText}, threshold ${view.thresholdText}${r.pCovid >= view.bandLow && r.pCovid < view.bandHigh ? ', inconclusive' : ''}, ${view.timing}${r.warning ? `. Warning: ${r.warning}` : ''}`);
    } catch (e) {
      errors.push(e.message);
    }
  }
  const main = state.results[state.model];
  if (!main) app.setCam(new Float32Array(0), 0, 0, [], []);
  showMessage(errors.join(' '), errors.length > 0);
  const data = main ? { verdict: main.verdict, model: main.key, p: main.pCovid.toFixed(6), file: pipeline.study.name } : {};
  data.gate = gate && !gate.ok ? `rejected:${gate.reason}` : 'ok';
  if (outOfScope) data.scope = 'outside';
  if (state.compare) data.compare = state.results.filter(Boolean).map((r) => `${r.key}:${r.verdict}:${r.pCovid.toFixed(6)}`).join(';');
  announce($('result'), lines.length ? `File ${pipeline.study.name}. ${lines.join('. ')}.` : '', data);
}

async function analyse(file) {
  const { pipeline, app } = state;
  if (state.busy) return;
  state.busy = true;
  app.setBusy(true);
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const t0 = performance.now();
    const info = await pipeline.openAsync(bytes, file.name);
    if (!info.ok) {
      const kept = pipeline.study ? ` Still showing ${pipeline.study.name}.` : '';
      showMessage(`Could not open ${file.name}: ${info.error}${kept}`, true);
      return;
    }
    const d = pipeline.core.display(DISPLAY_MAX_SIDE);
    const channels = ['', 'gray', 'gray + alpha', 'RGB', 'RGBA'][info.channels] || '';
    app.setImage(d.pixels, d.width, d.height, info.width, info.height, file.name, `${info.format}, ${info.width} x ${info.height}, ${channels}, ${info.bitDepth}-bit${dicomInfo(pipeline.study.dicom, info.window)}`);
    if (pipeline.study.dicom) app.setPatient(patientText(pipeline.study.dicom.patient));
    state.gate = await pipeline.gate();
    const lungs = pipeline.study.lungs;
    app.setLungs(lungs?.mask ?? [], lungs?.maskRegion ?? []);
    state.override = false;
    state.openMs = performance.now() - t0;
    await runModels();
  } catch (e) {
    showMessage(`Could not analyse ${file.name}: ${e.message}`, true);
  } finally {
    state.busy = false;
    app.setBusy(false);
  }
}

// The DICOM details beside the format: photometric interpretation, view position, the window in use
// (a 16-bit PNG's window too).
function dicomInfo(dicom, pngWindow) {
  const w = dicom ? dicom.window : pngWindow;
  const win = w ? `, window ${+w.center.toFixed(1)}/${+w.width.toFixed(1)} (${w.source})` : '';
  return dicom ? `, ${dicom.photometric}, view ${dicom.viewPosition || 'not given'}${win}` : win;
}

// A DICOM codec from codecs/, imported when a file first needs it (never at start-up).
async function loadCodec(name, options) {
  const dir = new URL('./codecs/', import.meta.url).href;
  const { js, wasm } = CODEC_FILES[name];
  const module = await import(dir + js);
  return wasm ? module.default({ ...options, locateFile: () => dir + wasm }) : module;
}

// A deflated DICOM data set, inflated by the browser; more than `limit` bytes (a deflate bomb) is refused.
async function inflateRaw(bytes, limit) {
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

function saveCopy() {
  const { pipeline } = state;
  const result = state.results[state.model];
  if (!result || !pipeline.study) return;
  const { name, png } = pipeline.labelledCopy(result, new Date().toISOString().slice(0, 10));
  const url = URL.createObjectURL(new Blob([png], { type: 'image/png' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function wireInput() {
  const input = $('file');
  input.addEventListener('change', () => {
    if (input.files.length) analyse(input.files[0]);
    input.value = '';
  });
  window.addEventListener('dragover', (e) => {
    e.preventDefault();
    document.body.classList.add('dragging');
  });
  window.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    document.body.classList.remove('dragging');
    if (e.dataTransfer?.files.length) analyse(e.dataTransfer.files[0]);
  });
}

async function start() {
  globalThis.xraylensHost = {
    openFile: () => $('file').click(),
    selectModel: (i) => {
      state.model = i;
      if (!state.busy) runModels();
    },
    setCompare: (on) => {
      state.compare = on;
      if (!state.busy) runModels();
    },
    analyseAnyway: () => {
      state.override = true;
      if (!state.busy) runModels();
    },
    saveCopy,
    acceptNotice: () => localStorage.setItem(NOTICE_KEY, 'accepted'),
  };
  ort.env.wasm.wasmPaths = new URL('./ort/', import.meta.url).href;
  ort.env.wasm.numThreads = 1;
  // The models (and ORT's wasm) load while the ImGui app starts.
  const pipelineReady = createCore().then((core) => new Pipeline(core, ort, { dicomParser, inflateRaw, codecs: new DicomCodecs(loadCodec) }));
  const modelsReady = pipelineReady.then(loadModels);
  const app = await createApp({ canvas: $('canvas') });
  state.app = app;
  app.setNoticeAccepted(localStorage.getItem(NOTICE_KEY) === 'accepted');
  MODELS.forEach((m, i) => app.setModelStatus(i, m.title, false, 'loading...', ''));
  state.pipeline = await pipelineReady;
  globalThis.xraylens = { app, pipeline: state.pipeline, analyse }; // for tests and tools/bench.mjs
  wireInput();
  const models = await modelsReady;
  MODELS.forEach((_, i) => app.setModelStatus(i, models[i].title, models[i].ok, models[i].detail, models[i].card));
  // A model that is present but fails its checks must not answer, and the page must say so loudly.
  const broken = models.filter((m) => !m.ok && !/not present|still loading/.test(m.error));
  if (broken.length) {
    const banner = `${broken.map((m) => `${m.title} failed its start-up check (${m.error})`).join('; ')}. It gives no verdicts: the model file or this browser's backend is not working as its card says.`;
    app.setBanner(banner);
    announce($('banner'), banner);
  }
  announce($('status'), `Ready. ${models.map((m) => `${m.title}: ${m.detail}`).join('. ')}.`, { state: 'ready' });
  document.documentElement.dataset.state = 'ready';
}

start().catch((e) => {
  announce($('status'), `The page could not start: ${e.message}`, { state: 'failed' });
  document.documentElement.dataset.state = 'failed';
  console.error(e);
});
