// The JS driver of the page: the only code that touches browser APIs. It loads the wasm core, ONNX
// Runtime Web and the models, feeds files to the pipeline and hands results to the ImGui app.
import * as ort from './ort/ort.wasm.min.mjs';
import createCore from './xraylens_core.js';
import createApp from './xraylens_app.js';
import { MODELS, Pipeline } from './pipeline.js';
import './offline.js'; // service worker (offline use) and the build version in #version

const NOTICE_KEY = 'xraylens.notice.v1';
const DISPLAY_MAX_SIDE = 2048;

const $ = (id) => document.getElementById(id);
const state = { pipeline: null, app: null, model: 0, result: null, busy: false };

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

// Loads both models (fetch, checks, self-test); returns one status line per model.
async function loadModels(pipeline) {
  return Promise.all(
    MODELS.map(async (spec) => {
      const [onnx, card] = await Promise.all([fetchBytes(`models/${spec.file}.onnx`), fetchJson(`models/${spec.file}.json`)]);
      const entry = await pipeline.loadModel(spec, onnx, card);
      const detail = entry.session
        ? `ready; threshold ${(card.threshold * 100).toFixed(1)}%${card.test_only ? ' (TEST MODEL)' : ''}`
        : `not available: ${entry.error}`;
      return { title: card?.title || spec.title, ok: !!entry.session, detail };
    }),
  );
}

async function runModel() {
  const { pipeline, app } = state;
  if (!pipeline.study) return;
  const spec = MODELS[state.model];
  try {
    const r = await pipeline.infer(spec.key);
    state.result = r;
    const t = state.openMs !== undefined ? `${Math.round(state.openMs + r.inferMs)} ms (inference ${Math.round(r.inferMs)} ms)` : `${Math.round(r.inferMs)} ms`;
    state.openMs = undefined;
    const view = {
      verdict: r.verdict,
      pCovid: r.pCovid,
      pText: state.pipeline.core.percent(r.pCovid),
      thresholdText: state.pipeline.core.percent(r.threshold),
      modelTitle: r.title,
      timing: t,
      warning: r.warning,
    };
    app.setResult(view);
    showMessage('', false);
    announce($('result'), `${r.verdict}: probability of COVID-19 ${view.pText}, threshold ${view.thresholdText}, ${r.title}, file ${pipeline.study.name}, ${t}.`, {
      verdict: r.verdict,
      model: spec.key,
      p: r.pCovid.toFixed(6),
      file: pipeline.study.name,
    });
  } catch (e) {
    state.result = null;
    app.clearResult();
    announce($('result'), '');
    showMessage(e.message, true);
  }
}

async function analyse(file) {
  const { pipeline, app } = state;
  if (state.busy) return;
  state.busy = true;
  app.setBusy(true);
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const t0 = performance.now();
    const info = pipeline.open(bytes, file.name);
    if (!info.ok) {
      const kept = pipeline.study ? ` Still showing ${pipeline.study.name}.` : '';
      showMessage(`Could not open ${file.name}: ${info.error}${kept}`, true);
      return;
    }
    const d = pipeline.core.display(DISPLAY_MAX_SIDE);
    const channels = ['', 'gray', 'gray + alpha', 'RGB', 'RGBA'][info.channels] || '';
    app.setImage(d.pixels, d.width, d.height, file.name, `${info.format}, ${info.width} x ${info.height}, ${channels}, ${info.bitDepth}-bit`);
    state.openMs = performance.now() - t0;
    await runModel();
  } catch (e) {
    showMessage(`Could not analyse ${file.name}: ${e.message}`, true);
  } finally {
    state.busy = false;
    app.setBusy(false);
  }
}

function saveCopy() {
  const { pipeline } = state;
  if (!state.result || !pipeline.study) return;
  const { name, png } = pipeline.labelledCopy(state.result, new Date().toISOString().slice(0, 10));
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
      if (!state.busy) runModel();
    },
    saveCopy,
    acceptNotice: () => localStorage.setItem(NOTICE_KEY, 'accepted'),
  };
  ort.env.wasm.wasmPaths = new URL('./ort/', import.meta.url).href;
  ort.env.wasm.numThreads = 1;
  // The models (and ORT's wasm) load while the ImGui app starts.
  const pipelineReady = createCore().then((core) => new Pipeline(core, ort));
  const modelsReady = pipelineReady.then(loadModels);
  const app = await createApp({ canvas: $('canvas') });
  state.app = app;
  app.setNoticeAccepted(localStorage.getItem(NOTICE_KEY) === 'accepted');
  MODELS.forEach((m, i) => app.setModelStatus(i, m.title, false, 'loading…'));
  state.pipeline = await pipelineReady;
  globalThis.xraylens = { app, pipeline: state.pipeline, analyse }; // for tests and tools/bench.mjs
  wireInput();
  const models = await modelsReady;
  models.forEach((m, i) => app.setModelStatus(i, m.title, m.ok, m.detail));
  announce($('status'), `Ready. ${models.map((m) => `${m.title}: ${m.detail}`).join('. ')}.`, { state: 'ready' });
  document.documentElement.dataset.state = 'ready';
}

start().catch((e) => {
  announce($('status'), `The page could not start: ${e.message}`, { state: 'failed' });
  document.documentElement.dataset.state = 'failed';
  console.error(e);
});
