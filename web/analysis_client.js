// The main thread's side of an analysis worker (analysis_worker.js): start it with the page's compiled
// module, wait until its module and models are ready, and send it requests, each answered once
// (matched by id).
export class AnalysisWorker {
  // compiled: a promise of the compiled xraylens.wasm (wasm_module.js); models: a promise of the model
  // files (models.js fetchModels), fetched once by the page for every worker
  constructor(name, compiled, models) {
    this.worker = new Worker(new URL('./analysis_worker.js', import.meta.url), { type: 'module', name });
    this.pending = new Map(); // id -> resolve
    this.nextId = 1;
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
      models.then((files) => this.worker.postMessage({ type: 'models', models: files }), failed);
    });
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
