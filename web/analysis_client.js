// The main thread's side of an analysis worker (analysis_worker.js): start it with the page's compiled
// module and the models it runs from the start, load other models into it when first needed, and send
// it requests, each answered once (matched by id).
export class AnalysisWorker {
  // compiled: a promise of the compiled xraylens.wasm (wasm_module.js); files: the page's ModelFiles
  // (models.js), fetched once for every worker; keys: the models to load at start
  constructor(name, compiled, files, keys) {
    this.worker = new Worker(new URL('./analysis_worker.js', import.meta.url), { type: 'module', name });
    this.files = files;
    this.pending = new Map(); // id -> resolve
    this.nextId = 1;
    this.loading = new Map(); // model key -> a promise of its status ({ key, title, ok, error, card })
    this.onModels = null; // (statuses) => void: models loaded after start-up
    this.ready = new Promise((resolve) => {
      this.worker.addEventListener('message', (e) => {
        const msg = e.data;
        if (msg.type === 'ready' || msg.type === 'failed') return resolve(msg);
        this.pending.get(msg.id)?.(msg);
        this.pending.delete(msg.id);
      });
      this.worker.addEventListener('error', (e) => resolve({ type: 'failed', error: e.message || 'the worker could not start' }));
      const failed = (e) => resolve({ type: 'failed', error: e.message });
      compiled.then((module) => this.worker.postMessage({ type: 'module', module }), failed);
      files.get(keys).then((models) => this.worker.postMessage({ type: 'models', models }), failed);
    });
    for (const key of keys) this.loading.set(key, this.ready.then((r) => r.models?.find((m) => m.key === key)));
  }

  // Loads the models of `keys` not loaded yet (fetched once for the page), before any later request;
  // resolves when all of `keys` are loaded, or have failed to.
  async need(keys) {
    const missing = keys.filter((k) => !this.loading.has(k));
    if (missing.length) {
      const loaded = this.files.get(missing).then((models) => this.request({ type: 'load', models })).then((msg) => {
        const statuses = msg.models ?? missing.map((key) => ({ key, ok: false, error: msg.error || 'the model could not be loaded' }));
        this.onModels?.(statuses);
        return statuses;
      });
      missing.forEach((k, i) => this.loading.set(k, loaded.then((models) => models[i])));
    }
    return Promise.all(keys.map((k) => this.loading.get(k)));
  }

  // Posts { type, ...fields } and resolves with the worker's answer to it.
  request(msg, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }
}
