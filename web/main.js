// The JS driver of the page: the only code that touches browser APIs. It starts the one module's ImGui
// app on the canvas beside the analysis worker boot.js started (the same module, off the main thread),
// hands the worker the user's files and gives the app what comes back.
import createXrayLens from './xraylens.js';
import { instantiating } from './wasm_module.js';
import { MODELS } from './models.js';
import { patientText } from './dicom.js';
import { registerOffline } from './offline.js';
import { modelCardText } from './model_card_text.js';
import { saveBlob } from './download.js';
import { reportPng } from './report.js';
import { wireBatch } from './batch_ui.js';
import { loadSiteThresholds, removeSiteThreshold, saveSiteThreshold } from './site_threshold.js';
import { yourDataLines } from './your_data_text.js';

const NOTICE_KEY = 'xraylens.notice.v1';

const $ = (id) => document.getElementById(id);
// study: { name, info (the analysis's result), display, lungs }; results[i]: MODELS[i]'s answer
// site: model key -> the site threshold adopted in this browser and still valid for the loaded model, with
// the words that name it (note)
const state = { app: null, worker: null, models: new Map(), model: 0, compare: false, study: null, results: [], busy: false, next: null, site: {} };
const today = () => new Date().toISOString().slice(0, 10);

function announce(el, text, data = {}) {
  el.textContent = text;
  for (const k of Object.keys(el.dataset)) delete el.dataset[k];
  Object.assign(el.dataset, data);
}

function showMessage(text, isError) {
  state.app?.setMessage(text, isError);
  announce($('message'), text, { kind: isError ? 'error' : 'info' });
}

// What the app's model list says of a model once the worker has loaded it (fetch, checks, self-test), or,
// for a classifier not loaded yet (models.js AT_START), of its card.
function modelStatus(m) {
  const threshold = m.ok && `threshold ${(m.card.threshold * 100).toFixed(1)}%${m.card.test_only ? ' (TEST MODEL)' : ''}`;
  const detail = !m.ok ? `not available: ${m.error}` : m.deferred ? `${threshold}; loads when first used` : `ready; ${threshold}`;
  return { ...m, detail, cardText: modelCardText(m.card) };
}

// The app's model list, the status line and, for a model present that fails its checks (it must not
// answer, and the page must say so loudly), the banner, from the models' statuses so far.
function showModels(statuses) {
  for (const m of statuses.map(modelStatus)) state.models.set(m.key, m);
  const shown = MODELS.map((spec) => state.models.get(spec.key));
  shown.forEach((m, i) => state.app.setModelStatus(i, m.title, m.ok, m.detail, m.cardText));
  const broken = [...state.models.values()].filter((m) => !m.ok && !/not present/.test(m.error));
  if (broken.length) {
    const banner = `${broken.map((m) => `${m.title} failed its start-up check (${m.error})`).join('; ')}. It gives no verdicts: the model file or this browser's backend is not working as its card says.`;
    state.app.setBanner(banner);
    announce($('banner'), banner);
  }
  announce($('status'), `Ready. ${shown.map((m) => `${m.title}: ${m.detail}`).join('. ')}.`, { state: 'ready' });
}

// A model's result under the operating point in use: the card's, or the site threshold adopted for that
// model (the core's rule, verdict.h operating_point), with the words that name it.
function operating(r) {
  const site = state.site[r.key];
  const op = state.app.applyOperatingPoint(r, site ? site.threshold : null);
  return { ...r, ...op, thresholdNote: site ? site.note : '' };
}

// The site thresholds kept in this browser, checked against the loaded models' sha256 (a changed model
// drops its threshold, with a message), handed to the app, and every verdict on screen redone.
function applySiteThresholds() {
  const stored = loadSiteThresholds();
  const dropped = [];
  state.site = {};
  MODELS.forEach((m, i) => {
    const entry = stored[m.key];
    const card = state.models.get(m.key)?.card;
    if (entry && card && entry.sha256 !== card.sha256) {
      removeSiteThreshold(m.key);
      dropped.push(m.title);
    } else if (entry && card && Number.isFinite(entry.threshold)) {
      state.site[m.key] = { ...entry, note: state.app.siteThresholdNote(entry.threshold, entry.n, entry.date) };
    }
    const site = state.site[m.key];
    state.app.setSiteThreshold(i, site ? site.threshold : null, site ? site.note : '');
  });
  if (dropped.length) showMessage(`The site threshold of ${dropped.join(' and ')} was removed: the model has changed since it was adopted (its sha256 differs).`, true);
  // #your-data's data-site-<model key>: the site threshold in use (dataset names are camelCase)
  const camel = (key) => `site-${key}`.replace(/-(\w)/g, (_, c) => c.toUpperCase());
  const data = Object.fromEntries(Object.entries(state.site).map(([k, v]) => [camel(k), String(v.threshold)]));
  for (const k of Object.keys($('your-data').dataset)) if (k.startsWith('site')) delete $('your-data').dataset[k];
  Object.assign($('your-data').dataset, data);
  state.batch?.refreshRows();
  if (!state.busy) showResults();
}

function resultView(r, openMs, outOfScope) {
  const app = state.app;
  const timing = openMs !== undefined ? `${Math.round(openMs)} ms (inference ${Math.round(r.inferMs)} ms)` : `${Math.round(r.inferMs)} ms`;
  const bar = (p) => app.barPosition(p, r.threshold); // the app's bar scale, for the report
  return {
    verdict: r.verdict, pCovid: r.pCovid, threshold: r.threshold, bandLow: r.bandLow, bandHigh: r.bandHigh,
    inconclusive: r.inconclusive, bar: { p: bar(r.pCovid), threshold: bar(r.threshold), low: bar(r.bandLow), high: bar(r.bandHigh) },
    pText: app.percent(r.pCovid), thresholdText: app.percent(r.threshold), modelTitle: r.title,
    timing, warning: state.study.info.warning, outOfScope, thresholdNote: r.thresholdNote,
  };
}

// r.cam comes scaled as the viewer and the report show it (verdict.h, scale_cam_to_max).
function showCam(r) {
  const { data, width, height } = r.cam;
  state.app.setCam(data, width, height, state.study.lungs.region, state.study.lungs.weight);
}

// The classifiers the user can see: the selected one, or both when comparing.
const shownKeys = () => (state.compare ? MODELS : [MODELS[state.model]]).map((m) => m.key);

// Shows the selected model's answer (and the other one's when comparing) for the open study, unless the
// input gate refused it and the user has not asked to see it anyway. A model shown for the first time on
// this image is asked of the worker first; each image keeps the answers it got.
function showResults() {
  const { app, study } = state;
  if (!study) return;
  const gate = study.info.gate;
  if (!gate.ok && !state.override) {
    app.setGate(gate.message);
    app.setCam(new Float32Array(0), 0, 0, [], []);
    showMessage('', false);
    announce($('result'), `File ${study.name}. Not analysed: ${gate.message}`, { gate: `rejected:${gate.reason}`, file: study.name });
    return;
  }
  const missing = shownKeys().filter((k) => !study.info.results.some((r) => r.key === k));
  if (missing.length) {
    classifyMissing(study, missing);
    return;
  }
  const outOfScope = !gate.ok;
  const wanted = state.compare ? MODELS.map((_, i) => i) : [state.model];
  const openMs = study.openMs;
  study.openMs = undefined;
  state.results = [];
  app.clearResults();
  const lines = [];
  const errors = [];
  for (const i of wanted) {
    const found = study.info.results.find((x) => x.key === MODELS[i].key);
    if (!found || found.error) {
      errors.push(found?.error || `${MODELS[i].title} gave no answer`);
      continue;
    }
    const r = operating(found);
    const view = resultView(r, i === state.model ? openMs : undefined, outOfScope);
    state.results[i] = r;
    app.setResult(i, view);
    if (i === state.model) showCam(r);
    lines.push(`${outOfScope ? "OUTSIDE THE MODEL'S SCOPE (analysed anyway) " : ''}${r.title}: ${r.verdict}, probability of COVID-19 ${view.pText}, threshold ${view.thresholdText}${r.thresholdNote ? ` (${r.thresholdNote})` : ''}${r.inconclusive ? ', inconclusive' : ''}, ${view.timing}${view.warning ? `. Warning: ${view.warning}` : ''}`);
  }
  const main = state.results[state.model];
  if (!main) app.setCam(new Float32Array(0), 0, 0, [], []);
  showMessage(errors.join(' '), errors.length > 0);
  const data = main ? { verdict: main.verdict, model: main.key, p: main.pCovid.toFixed(6), threshold: String(main.threshold), file: study.name } : {};
  if (main?.thresholdNote) data.site = main.thresholdNote;
  data.gate = gate.ok ? 'ok' : `rejected:${gate.reason}`;
  if (outOfScope) data.scope = 'outside';
  if (state.compare) data.compare = state.results.filter(Boolean).map((r) => `${r.key}:${r.verdict}:${r.pCovid.toFixed(6)}`).join(';');
  announce($('result'), lines.length ? `File ${study.name}. ${lines.join('. ')}.` : '', data);
}

// A labelled batch's figures, in words for screen readers (the app's Your data tab shows them).
function announceYourData(evaluations) {
  const el = $('your-data');
  const site = Object.fromEntries(Object.entries(el.dataset).filter(([k]) => k.startsWith('site')));
  const lines = MODELS.flatMap((m) => yourDataLines(evaluations[m.key], m.title));
  const labelled = Math.max(0, ...MODELS.map((m) => evaluations[m.key]?.labelled ?? 0));
  announce(el, lines.join('. '), { ...site, evaluated: 'yes', labelled: String(labelled) });
  // a label table that could not be used, in a batch without any label, would otherwise go unseen
  const problems = evaluations[MODELS[0].key]?.label_problems ?? [];
  if (!labelled && problems.length) showMessage(`No labels were read from this batch: ${problems.join(' ')}`, true);
}

// The worker's answers for `keys` on the open study, kept with it (an error stands for an answer too).
function classifyMissing(study, keys) {
  exclusive(async () => {
    await state.worker.need(keys);
    const { results = [], error } = await state.worker.request({ type: 'classify', models: keys });
    for (const key of keys) if (!results.some((r) => r.key === key)) results.push({ key, error: error || 'no answer' });
    study.info.results.push(...results);
    return state.study === study;
  }, (e) => showMessage(`Could not analyse ${study.name}: ${e.message}`, true));
}

// One request to the worker at a time; the frames wait meanwhile (app_main.cpp). `work` resolves true
// when the open study's results are to be shown. A file chosen meanwhile waits; the last one chosen is
// the one shown.
async function exclusive(work, failed) {
  state.busy = true;
  state.app.setBusy(true);
  let show = false;
  try {
    show = await work();
  } catch (e) {
    failed(e);
  } finally {
    state.busy = false;
    state.app.setBusy(false);
  }
  const next = state.next;
  state.next = null;
  if (next) analyse(next);
  else if (show) showResults();
}

function analyse(file) {
  if (state.busy) {
    state.next = file;
    return Promise.resolve();
  }
  return exclusive(() => open(file), (e) => showMessage(`Could not analyse ${file.name}: ${e.message}`, true));
}

// The file's analysis by the worker, with the classifiers the user can see (the other on demand).
async function open(file) {
  const { app } = state;
  const t0 = performance.now();
  await state.worker.need(shownKeys());
  const { result: info, view } = await state.worker.request({ type: 'open', file, models: shownKeys() });
  if (!info.ok) {
    const kept = state.study ? ` Still showing ${state.study.name}.` : '';
    showMessage(`Could not open ${file.name}: ${info.error}${kept}`, true);
    return false;
  }
  const d = view.display;
  const channels = ['', 'gray', 'gray + alpha', 'RGB', 'RGBA'][info.channels] || '';
  app.setImage(d.pixels, d.width, d.height, info.width, info.height, file.name, `${info.format}, ${info.width} x ${info.height}, ${channels}, ${info.bitDepth}-bit${dicomInfo(info.dicom, info.window)}`);
  if (info.dicom) app.setPatient(patientText(info.dicom.patient));
  const lungs = info.lungs ? { ...info.lungs, mask: view.mask, weight: view.weight } : { region: [], mask: [], weight: [] };
  app.setLungs(lungs.mask, lungs.maskRegion ?? []);
  state.study = { name: file.name, info, display: d, lungs, openMs: performance.now() - t0 };
  state.override = false;
  return true;
}

// The DICOM details beside the format: photometric interpretation, view position, the window in use
// (a 16-bit PNG's window too).
function dicomInfo(dicom, pngWindow) {
  const w = dicom ? dicom.window : pngWindow;
  const win = w ? `, window ${+w.center.toFixed(1)}/${+w.width.toFixed(1)} (${w.source})` : '';
  return dicom ? `, ${dicom.photometric}, view ${dicom.viewPosition || 'not given'}${win}` : win;
}

async function saveCopy() {
  const r = state.results[state.model];
  if (!r || !state.study) return;
  const result = { pCovid: r.pCovid, threshold: r.threshold, title: r.title, thresholdNote: r.thresholdNote };
  const msg = await state.worker.request({ type: 'saveCopy', result, date: today() });
  if (msg.error) showMessage(`Could not make the labelled copy: ${msg.error}`, true);
  else saveBlob(msg.png, msg.name, 'image/png');
}

// The CAM's place on the image (source pixels), as the analysis gives it: [x, y, width, height].
const camRegion = (region) => (region?.length === 4 ? { x: region[0], y: region[1], width: region[2], height: region[3] } : null);

// The one-page report of the open study and the selected model's result, as a PNG download.
async function saveReport() {
  const r = state.results[state.model];
  const s = state.study;
  if (!r || !s) return;
  const study = { pixels: s.display.pixels, width: s.display.width, height: s.display.height, sourceWidth: s.info.width, sourceHeight: s.info.height, name: s.name };
  const gate = s.info.gate.ok ? 'ok' : `rejected: ${s.info.gate.message}`;
  const result = { ...resultView(r, undefined, !s.info.gate.ok), pCovid: r.pCovid, gate };
  const card = state.models.get(r.key).card;
  const date = today();
  const yourData = yourDataLines(state.batch?.evaluations[r.key], r.title);
  try {
    const blob = await reportPng({ study, result, cam: r.cam, region: camRegion(s.lungs.region), field: s.lungs.weight, card, cardText: modelCardText(card), date, yourData });
    const stem = s.name.replace(/\.[^.]*$/, '');
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

// compiled: a promise of the compiled module; models: the model files (models.js ModelFiles); worker: the
// analysis worker (analysis_client.js) already starting with both (boot.js).
async function run({ compiled, models: modelFiles, worker }) {
  globalThis.xraylensHost = {
    openFile: () => $('file').click(),
    selectModel: (i) => {
      state.model = i;
      if (!state.busy) showResults();
    },
    setCompare: (on) => {
      state.compare = on;
      if (!state.busy) showResults();
    },
    analyseAnyway: () => {
      state.override = true;
      if (!state.busy) showResults();
    },
    saveCopy,
    saveReport,
    acceptNotice: () => localStorage.setItem(NOTICE_KEY, 'accepted'),
    // a site threshold from the labelled batch's figures, kept in this browser with the model's sha256
    adoptSite: (i, target) => {
      const key = MODELS[i].key;
      const t = state.batch?.evaluations[key]?.site_thresholds?.[target];
      const card = state.models.get(key)?.card;
      if (!t?.allowed || !card) return;
      saveSiteThreshold(key, { threshold: t.threshold, n: t.n, date: today(), target: t.target_sensitivity, sha256: card.sha256 });
      applySiteThresholds();
    },
    removeSite: (i) => {
      removeSiteThreshold(MODELS[i].key);
      applySiteThresholds();
    },
  };
  // The worker loads the models while the app starts. (performance marks xraylens:*: where the
  // start-up time goes, read by tools/bench.mjs)
  state.worker = worker;
  const app = await createXrayLens(instantiating(await compiled, { canvas: $('canvas') }));
  const failed = app.startApp();
  if (failed) throw new Error(failed);
  performance.mark('xraylens:app-started');
  state.app = app;
  // ?batchfps=N: frames a second while a batch runs (0: every display frame); the app's default otherwise
  const batchFps = new URLSearchParams(location.search).get('batchfps');
  if (batchFps !== null && Number(batchFps) >= 0) app.setBatchFrameRate(Number(batchFps));
  app.setNoticeAccepted(localStorage.getItem(NOTICE_KEY) === 'accepted');
  MODELS.forEach((m, i) => app.setModelStatus(i, m.title, false, 'loading...', ''));
  const batchUi = wireBatch({
    app, compiled, models: modelFiles, analyse, showMessage, operating,
    card: (key) => state.models.get(key)?.card,
    selectedKeys: () => (state.compare ? MODELS.map((m) => m.key) : [MODELS[state.model].key]),
    onEvaluated: announceYourData,
  });
  state.batch = batchUi.batch;
  globalThis.xraylens = { app, state, analyse, batch: batchUi.batch }; // for tests and tools/bench.mjs
  wireInput(batchUi);
  const ready = await state.worker.ready;
  performance.mark('xraylens:models-ready');
  for (const [name, at] of ready.steps ?? []) performance.mark(`xraylens:${name}`, { startTime: at - performance.timeOrigin });
  if (ready.type === 'failed') throw new Error(`the analysis could not start (${ready.error})`);
  // the classifiers not loaded at start: their cards, until first used
  const later = await Promise.all(MODELS.filter((spec) => !ready.models.some((m) => m.key === spec.key)).map(async (spec) => {
    const card = await modelFiles.card(spec.key);
    return card ? { key: spec.key, title: card.title || spec.title, ok: true, deferred: true, error: '', card } : { key: spec.key, title: spec.title, ok: false, error: 'model file not present', card };
  }));
  showModels([...ready.models, ...later]);
  state.worker.onModels = (statuses) => {
    showModels(statuses);
    applySiteThresholds();
  };
  applySiteThresholds();
  document.documentElement.dataset.state = 'ready';
}

export function start(started) {
  run(started).catch((e) => {
    announce($('status'), `The page could not start: ${e.message}`, { state: 'failed' });
    document.documentElement.dataset.state = 'failed';
    console.error(e);
  }).finally(registerOffline); // service worker (offline use) and #version, once start-up is over
}
