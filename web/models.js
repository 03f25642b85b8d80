// The model files the page, the workers and the predictor load: models/<file>.json (the card) with
// models/<file>.ort in the site (converted at build time; the site's card names it and its sha256) or
// models/<file>.onnx in the repository. What a model does with an image is the C++ analysis's business.
export const MODELS = [
  { key: 'covid-normal', file: 'covid_normal', title: 'Model 1: COVID-19 vs Normal' },
  { key: 'covid-pneumonia', file: 'covid_pneumonia', title: 'Model 2: COVID-19 vs Pneumonia' },
];

// The learned part of the input gate: P(the input is a frontal chest X-ray).
export const GATE = { key: 'gate', file: 'gate', title: 'Input gate' };

// The lung model: it outlines both lungs; the classifiers read the lung field the core makes from it.
export const LUNGS = { key: 'lungs', file: 'lungs', title: 'Lung fields' };

// Every model file, in load order.
export const ALL_MODELS = [...MODELS, GATE, LUNGS];

async function fetchOrNull(url, read) {
  const r = await fetch(url);
  return r.ok ? read(r) : null;
}

// The site's .ort file and card of every model of `specs`, fetched in parallel: a promise of
// [[bytes, card], ...] in the order of `specs` (null where a file is missing). The page fetches them once,
// as it starts, and hands them to each analysis worker with the compiled module.
export function fetchModels(specs = ALL_MODELS) {
  return Promise.all(specs.map((spec) => Promise.all([
    fetchOrNull(`models/${spec.file}.ort`, async (r) => new Uint8Array(await r.arrayBuffer())),
    fetchOrNull(`models/${spec.file}.json`, (r) => r.json()),
  ])));
}
