// The classifiers' inference in the page's worker, with the page idle and while its canvas draws, beside
// ONNX Runtime Web 1.30 in a bare worker of the same browser (reference.mjs), on the same input: on the
// same .onnx files (`reference_infer_ms`) and on the fixed yardstick's (`yardstick_infer_ms`, the 4.1.0
// models the 0.75x target was set against). They alternate in rounds, so that a change of load on the
// machine falls on all of them alike; the figures to read are the ratios.
import fs from 'node:fs';
import path from 'node:path';

import { MODELS } from '../../web/models.js';
import { createNodeAnalysis } from '../lib/node_runtime.mjs';
import { ORIGINALS } from '../../tests/e2e/harness.mjs';
import { idleFps, pageInferMs, setPageFile } from './page_model.mjs';
import { YARDSTICK, startReference } from './reference.mjs';

const IMAGE = 'IM-0640-0001-0001.jpeg';
const ROUNDS = 4;
const PER_ROUND = 5;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => (x === null ? null : Math.round(x * 10) / 10);
const byKey = (f) => Object.fromEntries(MODELS.map((m) => [m.key, f(m.key)]));

// `page`: the app, ready, in `context`'s browser.
export async function inferenceBeside(context, page) {
  const bytes = fs.readFileSync(path.join(ORIGINALS, IMAGE));
  const keys = MODELS.map((m) => m.key);
  // the classifiers' input for this image, as the module makes it (the lung field), for the reference
  const node = await createNodeAnalysis();
  await node.analyse(new Uint8Array(bytes), { models: [keys[0]] });
  const input = Float32Array.from(node.module.lungInput());

  const fps = async (hover) => Object.fromEntries(Object.entries(await idleFps(page, hover)).map(([k, v]) => [k, round(v)]));
  const page_fps = { idle: await fps(false), hover: await fps(true) };
  await setPageFile(page, bytes, IMAGE);
  const ref = await startReference(context);
  await page.bringToFront(); // a page behind another gets no animation frames: the app would not draw
  try {
    const yard = (k) => `${k}${YARDSTICK.suffix}`;
    for (const m of MODELS) {
      for (const [key, file] of [[m.key, m.file], [yard(m.key), `${m.file}${YARDSTICK.suffix}`]]) {
        await ref.load(key, file);
        await ref.setInput(key, input, [1, 1, 224, 224]);
        await ref.run(key, 2); // warm-up
      }
    }
    await pageInferMs(page, keys, 2, false); // warm-up
    const idle = byKey(() => []), drawing = byKey(() => []), reference = byKey(() => []), yardstick = byKey(() => []);
    const drawingFps = [];
    for (let r = 0; r < ROUNDS; ++r) {
      const i = await pageInferMs(page, keys, PER_ROUND, false);
      const d = await pageInferMs(page, keys, PER_ROUND, true);
      drawingFps.push(d.fps);
      for (const k of keys) {
        idle[k].push(...i.ms[k]);
        drawing[k].push(...d.ms[k]);
        reference[k].push(...(await ref.run(k, PER_ROUND)));
        yardstick[k].push(...(await ref.run(yard(k), PER_ROUND)));
      }
    }
    const med = (xs) => byKey((k) => round(median(xs[k])));
    const ratio = (xs, to = reference) => byKey((k) => (median(xs[k]) === null ? null : Math.round((median(xs[k]) / median(to[k])) * 100) / 100));
    return {
      reference: `onnxruntime-web ${ref.version}, wasm backend, 1 thread, the .onnx models, a bare worker of the same Chromium`,
      inference_image: IMAGE,
      inference_runs: ROUNDS * PER_ROUND,
      page_fps_built_sent: page_fps,
      reference_infer_ms: med(reference),
      yardstick: `the same onnxruntime-web on the ${YARDSTICK.version} models (${YARDSTICK.dir}), the target's yardstick`,
      yardstick_infer_ms: med(yardstick),
      infer_ms_page_idle: med(idle),
      infer_ms_page_drawing: med(drawing),
      page_drawing_fps: round(median(drawingFps)),
      infer_ratio_to_reference: { idle: ratio(idle), drawing: ratio(drawing) },
      infer_ratio_to_yardstick: { idle: ratio(idle, yardstick), drawing: ratio(drawing, yardstick) },
    };
  } finally {
    await ref.close();
  }
}
