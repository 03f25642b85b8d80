// Batch mode: many files (a selection, a folder, a dropped folder) through a pool of module workers
// (analysis_worker.js: the page's own analysis), so that the main thread only hands out files and fills
// the ImGui table. Files are read by the workers; only File handles and each row's small result stay
// here, so memory does not grow with the queue. Exports: the table as CSV, labelled copies as a ZIP.
// A labelled batch (folders named covid/normal/pneumonia, CSV/TSV label tables in the selection) is
// evaluated by the core when it ends: this file hands over the paths, probabilities and table text.
import { AnalysisWorker } from './analysis_client.js';
import { ALL_MODELS, MODELS } from './models.js';
import { CSV_HEADER, csvRow } from './csv.js';
import { ZipWriter } from './zip.js';
import { yourDataLines } from './your_data_text.js';

const IN_FLIGHT = 2; // jobs handed to a worker ahead, so it never waits for the main thread
const OUTSIDE_DIR = 'outside_the_models_scope';

// Workers: ?workers=N in the page's address, else one per core, at most 4 (each holds its own ONNX
// Runtime and models, about 60 MB). On 2 shared cores 2 workers beat 1 (README, "Batch mode").
export function defaultWorkerCount() {
  const asked = Number(new URLSearchParams(globalThis.location?.search ?? '').get('workers'));
  if (asked >= 1 && asked <= 8) return Math.floor(asked);
  return Math.max(1, Math.min(4, navigator.hardwareConcurrency || 2));
}

// Every file under the dropped items, with its path ("folder/sub/name.png"). Must be called in the
// drop event itself (the entries are gone once it returns).
export function droppedFiles(dataTransfer) {
  const entries = [...(dataTransfer?.items ?? [])].map((i) => i.webkitGetAsEntry?.()).filter(Boolean);
  const plain = [...(dataTransfer?.files ?? [])];
  const hasFolder = entries.some((e) => e.isDirectory);
  if (!hasFolder) return { hasFolder, files: Promise.resolve(plain.map((file) => ({ file, path: file.name }))) };
  const walk = async (entry) => {
    if (entry.isFile) return [{ file: await new Promise((ok, fail) => entry.file(ok, fail)), path: entry.fullPath.replace(/^\//, '') }];
    const reader = entry.createReader();
    const children = [];
    for (;;) {
      const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
      if (!batch.length) break;
      children.push(...batch);
    }
    return (await Promise.all(children.map(walk))).flat();
  };
  return { hasFolder, files: Promise.all(entries.map(walk)).then((lists) => lists.flat()) };
}

const byPath = (a, b) => a.path.localeCompare(b.path, undefined, { numeric: true });

export class Batch {
  // app: the ImGui app's embind API; announce(data, text) for #batch; onEvaluated(evaluations) when a
  // batch's figures are made. compiled, models: the page's compiled module (a promise) and model files
  // (models.js ModelFiles), which every worker takes; a batch row has every model's answer. card(key): a
  // model's card; operating(result): the result under the operating point in use (the card's or an
  // adopted site threshold: verdict, threshold, thresholdNote).
  constructor({ app, compiled, models, card, operating, announce, onEvaluated, workerCount = defaultWorkerCount() }) {
    this.app = app;
    this.compiled = compiled;
    this.models = models;
    this.card = card;
    this.operating = operating;
    this.onEvaluated = onEvaluated;
    this.tables = []; // promises of { path, text }: the label tables of the selection
    this.evaluations = {}; // model key -> the core's figures (labelled_evaluation.h)
    this.announce = announce;
    this.workerCount = workerCount;
    this.workers = [];
    this.rows = [];
    this.queue = [];
    this.running = false;
    this.paused = false;
    this.task = '';
  }

  // Starts the workers (the module and the models load in each); safe to call many times.
  warm() {
    while (this.workers.length < this.workerCount) {
      const client = new AnalysisWorker(`batch-${this.workers.length + 1}`, this.compiled, this.models, ALL_MODELS.map((m) => m.key));
      this.workers.push({ client, busy: 0, ready: client.ready });
    }
    return Promise.all(this.workers.map((w) => w.ready));
  }

  // Queues files ({ file, path }); a new batch replaces a finished one, a running one grows. Label tables
  // (the core's rule: .csv, .tsv) are read for the figures, not analysed.
  add(items) {
    const isTable = items.map((it) => this.app.isLabelTable(it.path));
    const tables = items.filter((_, i) => isTable[i]);
    const images = items.filter((_, i) => !isTable[i]);
    if (!images.length) return;
    if (!this.running) this.#reset();
    const read = (t) => t.file.text().then((text) => ({ path: t.path, text }), () => ({ path: t.path, text: '' }));
    this.tables.push(...tables.map(read));
    const start = this.rows.length;
    const rows = [...images].sort(byPath).map((it, i) => ({ index: start + i, path: it.path, file: it.file, status: 'queued' }));
    this.rows.push(...rows);
    this.queue.push(...rows);
    this.app.batchAddRows(rows.map((r) => r.path));
    this.running = true;
    this.paused = false;
    this.task = 'Analysing';
    this.#progress();
    this.#pump();
  }

  pause(on) {
    if (!this.running) return;
    const now = performance.now();
    if (on && !this.paused) this.pausedAt = now;
    if (!on && this.paused) this.pausedMs += now - this.pausedAt;
    this.paused = on;
    this.#progress();
    if (!on) this.#pump();
  }

  // Drops every file not yet handed to a worker; those in flight finish.
  cancel() {
    for (const r of this.queue.splice(0)) {
      r.status = 'cancelled';
      r.error = 'not analysed (cancelled)';
      this.app.batchSetRow(r.index, this.#rowView(r));
    }
    this.#finishIfDone();
    this.#progress();
  }

  #reset() {
    this.rows = [];
    this.queue = [];
    this.tables = [];
    this.evaluations = {};
    this.app.clearYourData();
    this.done = 0;
    this.t0 = performance.now();
    this.pausedMs = 0;
    this.app.batchClear();
  }

  async #pump() {
    const states = await this.warm();
    if (states.every((st) => st.type === 'failed')) {
      // no worker could start: every queued file gets the reason, and the run ends
      for (const r of this.queue.splice(0)) {
        r.status = 'error';
        r.error = `the batch worker could not start (${states[0].error})`;
        this.done += 1;
        this.app.batchSetRow(r.index, this.#rowView(r));
      }
      this.#finishIfDone();
      this.#progress();
      return;
    }
    for (const [k, w] of this.workers.entries()) {
      if (states[k].type === 'failed') continue;
      while (!this.paused && this.queue.length && w.busy < IN_FLIGHT) {
        const row = this.queue.shift();
        row.status = 'running';
        w.busy += 1;
        w.client.request({ type: 'job', file: row.file }).then((msg) => this.#onRow(w, row, msg.row));
      }
    }
  }

  #onRow(w, row, result) {
    w.busy -= 1;
    if (this.rows[row.index] !== row) return; // a row of a batch that was replaced
    Object.assign(row, result);
    this.done += 1;
    this.app.batchSetRow(row.index, this.#rowView(row));
    this.#finishIfDone();
    this.#progress();
    this.#pump();
  }

  #finishIfDone() {
    if (this.running && !this.queue.length && this.workers.every((w) => w.busy === 0)) {
      this.running = false;
      this.paused = false;
      this.elapsedMs = performance.now() - this.t0 - this.pausedMs;
      this.evaluated = this.evaluate();
    }
  }

  // Each model's figures on the labelled files of this batch, by the core (the app keeps them for its
  // Your data tab); rows of an unlabelled batch make figures with labelled 0.
  async evaluate() {
    const rows = this.rows;
    const tables = await Promise.all(this.tables);
    if (rows !== this.rows) return this.evaluations; // a new batch started meanwhile
    const paths = rows.map((r) => r.path);
    MODELS.forEach((m, i) => {
      const card = this.card(m.key);
      const predictions = rows.map((r) => {
        const res = r.results?.find((x) => x.key === m.key && !x.error);
        return { p: res ? res.pCovid : null, gateOk: r.gate === 'ok' };
      });
      const input = {
        model: m.key, paths, predictions, tables,
        threshold: card?.threshold ?? NaN, bandLow: card?.inconclusive?.low ?? NaN, bandHigh: card?.inconclusive?.high ?? NaN,
      };
      this.evaluations[m.key] = JSON.parse(this.app.evaluateBatch(i, input));
    });
    this.onEvaluated?.(this.evaluations);
    return this.evaluations;
  }

  // The table's verdicts again, after the operating point changed (a site threshold adopted or removed).
  refreshRows() {
    for (const r of this.rows) if (r.status === 'done') this.app.batchSetRow(r.index, this.#rowView(r));
  }

  // The row as the ImGui table shows it.
  #rowView(r) {
    const cells = MODELS.map((m) => r.results?.find((x) => x.key === m.key));
    const note = [r.error, r.warning, r.results?.map((x) => x.error).filter(Boolean).join(' ')].filter(Boolean).join(' ');
    return {
      status: r.status, gate: r.gate || '', note,
      verdicts: cells.map((c) => (c && !c.error ? this.operating(c).verdict : '')), probs: cells.map((c) => (c?.pCovid ?? -1)),
    };
  }

  stats() {
    const elapsed = this.running ? performance.now() - this.t0 - this.pausedMs - (this.paused ? performance.now() - this.pausedAt : 0) : this.elapsedMs ?? 0;
    const rate = elapsed > 0 ? (this.done * 1000) / elapsed : 0;
    const left = this.rows.filter((r) => r.status === 'queued' || r.status === 'running').length;
    return { done: this.done, total: this.rows.length, rate, etaS: rate > 0 ? left / rate : -1, elapsedMs: elapsed, left };
  }

  #progress(label) {
    const s = this.stats();
    const state = this.running ? (this.paused ? 'paused' : 'running') : 'done';
    this.app.batchProgress(s.done, s.total, s.rate, s.etaS, this.running, this.paused, label ?? this.task);
    const counts = {}; // rows per status; 'done' rows are counted as 'analysed' (done is the progress)
    for (const r of this.rows) {
      const k = r.status === 'done' ? 'analysed' : r.status;
      counts[k] = (counts[k] || 0) + 1;
    }
    this.announce(
      { ...counts, state, done: s.done, total: s.total, rate: s.rate.toFixed(2), elapsedMs: Math.round(s.elapsedMs) },
      state === 'done' ? `Batch finished: ${s.done} of ${s.total} files, ${counts.skipped || 0} skipped, ${counts.error || 0} could not be read.` : null,
    );
  }

  // The table in the predictor's columns: one line per file and model (the selected model, or both),
  // verdicts under the operating point in use; a labelled batch's figures follow as '#' lines.
  csv(keys) {
    const lines = [CSV_HEADER];
    for (const r of this.rows) {
      for (const key of keys) {
        const res = r.results?.find((x) => x.key === key);
        const op = res && !res.error ? this.operating(res) : null;
        const threshold = op?.threshold ?? this.card(key)?.threshold ?? '';
        if (r.status !== 'done') lines.push(csvRow([r.path, key, '', '', threshold, '', '', r.error || r.status]));
        else if (!op) lines.push(csvRow([r.path, key, '', '', threshold, r.gate, r.warning, res?.error || 'no result']));
        else lines.push(csvRow([r.path, key, res.pCovid.toFixed(6), op.verdict, threshold, r.gate, r.warning, '']));
      }
    }
    for (const key of keys) {
      const title = MODELS.find((m) => m.key === key).title;
      lines.push(...yourDataLines(this.evaluations[key], title).map((l) => `# ${l}`));
      const note = this.operating({ key, pCovid: 0, threshold: this.card(key)?.threshold ?? 0.5 }).thresholdNote;
      if (note) lines.push(`# ${title}: verdicts use a ${note} (research use)`);
    }
    return lines.join('\n') + '\n';
  }

  // Labelled copies of every analysed file for model `key`, made again by the workers one at a time and
  // added to a ZIP (web/zip.js); copies of files the input gate refused go under outside_the_models_scope/.
  async zip(key, date) {
    if (this.running) throw new Error('wait until the batch has finished');
    await this.warm();
    const todo = this.rows.filter((r) => r.status === 'done' && r.results?.find((x) => x.key === key && !x.error));
    // client-zip is loaded on the first export, not with the page
    const zip = new ZipWriter(await import('./client_zip.mjs'));
    const errors = [];
    this.running = true;
    this.task = 'Making ZIP';
    let made = 0;
    const next = () => todo.shift();
    const one = async (w) => {
      for (let r = next(); r; r = next()) {
        const res = this.operating(r.results.find((x) => x.key === key));
        w.busy += 1;
        const result = { pCovid: res.pCovid, threshold: res.threshold, title: res.title, thresholdNote: res.thresholdNote };
        const msg = await w.client.request({ type: 'copy', file: r.file, result, date });
        w.busy -= 1;
        if (msg.error) errors.push(`${r.path}: ${msg.error}`);
        else {
          const dir = r.path.includes('/') ? r.path.slice(0, r.path.lastIndexOf('/') + 1) : '';
          const safeDir = dir.split('/').filter((p) => p && p !== '.' && p !== '..').map((p) => `${p}/`).join('');
          zip.add(`${r.gate === 'ok' ? '' : `${OUTSIDE_DIR}/`}${safeDir}${msg.name}`, msg.png);
        }
        made += 1;
        this.app.batchProgress(made, made + todo.length, 0, -1, true, false, this.task);
      }
    };
    try {
      await Promise.all(this.workers.map(one));
    } finally {
      this.running = false;
      this.task = 'Analysing';
      this.#progress();
    }
    return { blob: await zip.finish(), count: zip.count, errors };
  }
}
