// ONNX Runtime Web 1.30 (npm onnxruntime-web, a devDependency of the benchmark, never served by the site)
// in a bare module worker: the reference every in-page inference time is read against
// (tools/bench/reference.mjs). One thread, the wasm backend, the repository's .onnx models.
// Messages: { type: 'load', key, url } -> { ok } | { error }
//           { type: 'run', key, input (Float32Array), shape, runs } -> { ms: [each session.run] } | { error }
import * as ort from './ort.wasm.min.mjs';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
const sessions = new Map();

async function handle(msg) {
  if (msg.type === 'load') {
    sessions.set(msg.key, await ort.InferenceSession.create(msg.url, { executionProviders: ['wasm'] }));
    return { ok: true };
  }
  const feeds = { input: new ort.Tensor('float32', msg.input, msg.shape) };
  const ms = [];
  for (let i = 0; i < msg.runs; ++i) {
    const t0 = performance.now();
    await sessions.get(msg.key).run(feeds);
    ms.push(performance.now() - t0);
  }
  return { ms };
}

onmessage = async ({ data }) => {
  try {
    postMessage(await handle(data));
  } catch (e) {
    postMessage({ error: e.message || String(e) });
  }
};
