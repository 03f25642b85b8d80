// The JS driver of the page: the only code that touches browser APIs. It loads the wasm core, ONNX
// Runtime Web and the models, feeds files to the pipeline and hands results to the ImGui app.
import * as ort from './ort/ort.wasm.min.mjs';
import createCore from './xraylens_core.js';
import createApp from './xraylens_app.js';
import { MODELS } from './pipeline.js';
import { configureOrt, createPipeline, loadModels } from './runtime.js';
import dicomParser from './dicom_parser.mjs';
import { patientText } from './dicom.js';
import './offline.js'; // service worker (offline use) and the build version in #version
import { modelCardText } from './model_card_text.js';
import { saveBlob } from './download.js';
import { reportPng } from './report.js';
import { wireBatch } from './batch_ui.js';

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

// Loads every model and the input gate (fetch, checks, self-test); returns one status per model.
async function loadAllModels(pipeline) {
  return (await loadModels(pipeline)).map(({ spec, card, entry }) => {
    const detail = entry.session
      ? `ready; threshold ${(card.threshold * 100).toFixed(1)}%${card.test_only ? ' (TEST MODEL)' : ''}`
      : `not available: ${entry.error}`;
    return { title: card?.title || spec.title, ok: !!entry.session, detail, error: entry.error, card: modelCardText(card) };
  });
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

// The CAM scaled to 0..1 by its maximum, as the viewer and the report show it.
function normalisedCam(r) {
  const { data, width, height } = r.cam;
  let max = 0;
  for (const v of data) max = Math.max(max, v);
  return { data: max > 0 ? data.map((v) => v / max) : data, width, height };
}

function showCam(r) {
  const { data, width, height } = normalisedCam(r);
  state.app.setCam(data, width, height, r.cam.region, state.pipeline.study.lungs?.weight ?? []);
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


function saveCopy() {
  const { pipeline } = state;
  const result = state.results[state.model];
  if (!result || !pipeline.study) return;
  const { name, png } = pipeline.labelledCopy(result, new Date().toISOString().slice(0, 10));
  saveBlob(png, name, 'image/png');
}

// The CAM's place on the image (source pixels), as the pipeline gives it: [x, y, width, height].
const camRegion = (r) => (r.cam.region?.length === 4 ? { x: r.cam.region[0], y: r.cam.region[1], width: r.cam.region[2], height: r.cam.region[3] } : null);

// The one-page report of the open study and the selected model's result, as a PNG download.
async function saveReport() {
  const { pipeline } = state;
  const r = state.results[state.model];
  if (!r || !pipeline.study) return;
  const { info, name } = pipeline.study;
  const d = pipeline.core.display(DISPLAY_MAX_SIDE);
  const study = { pixels: new Uint8Array(d.pixels), width: d.width, height: d.height, sourceWidth: info.width, sourceHeight: info.height, name };
  const gate = state.gate && !state.gate.ok ? `rejected: ${state.gate.message}` : 'ok';
  const result = { ...resultView(r, undefined, !!(state.gate && !state.gate.ok)), pCovid: r.pCovid, gate };
  const card = pipeline.model(r.key).card;
  const date = new Date().toISOString().slice(0, 10);
  try {
    const blob = await reportPng({ study, result, cam: normalisedCam(r), region: camRegion(r), field: pipeline.study.lungs?.weight, card, cardText: modelCardText(card), date });
    const stem = name.replace(/\.[^.]*$/, '');
    saveBlob(blob, `XRayLens_report_${r.verdict}_Prob_${Math.round(r.pCovid * 100)}_Name_${stem}.png`);
  } catch (e) {
    showMessage(`Could not make the report: ${e.message}`, true);
  }
}

function wireInput(batchUi) {
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
    if (batchUi.drop(e.dataTransfer)) return; // a folder or several files: batch mode
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
    saveReport,
    acceptNotice: () => localStorage.setItem(NOTICE_KEY, 'accepted'),
  };
  configureOrt(ort);
  // The models (and ORT's wasm) load while the ImGui app starts.
  const pipelineReady = createCore().then((core) => createPipeline(core, ort, dicomParser));
  const modelsReady = pipelineReady.then(loadAllModels);
  const app = await createApp({ canvas: $('canvas') });
  state.app = app;
  // ?batchfps=N: frames a second while a batch runs (0: every display frame); the app's default otherwise
  const batchFps = new URLSearchParams(location.search).get('batchfps');
  if (batchFps !== null && Number(batchFps) >= 0) app.setBatchFrameRate(Number(batchFps));
  app.setNoticeAccepted(localStorage.getItem(NOTICE_KEY) === 'accepted');
  MODELS.forEach((m, i) => app.setModelStatus(i, m.title, false, 'loading...', ''));
  state.pipeline = await pipelineReady;
  const batchUi = wireBatch({
    app, pipeline: state.pipeline, analyse, showMessage,
    selectedKeys: () => (state.compare ? MODELS.map((m) => m.key) : [MODELS[state.model].key]),
  });
  globalThis.xraylens = { app, pipeline: state.pipeline, analyse, batch: batchUi.batch }; // for tests and tools/bench.mjs
  wireInput(batchUi);
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
