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

// What the viewer runs on every image as the page opens (the gate, the lungs, the model selected at
// start); the other classifier is fetched and loaded when the user first asks for it.
export const AT_START = [MODELS[0], GATE, LUNGS].map((m) => m.key);

export const specOf = (key) => ALL_MODELS.find((m) => m.key === key);

async function fetchOrNull(url, read) {
  try {
    const r = await fetch(url);
    return r.ok ? await read(r) : null;
  } catch {
    return null; // offline without this file cached: the model is reported "not present"
  }
}

// The site's model files, each fetched once for the page and every analysis worker: every card at
// once (a few kB; the page shows each model's threshold and card from the start), a model's .ort
// (hundreds of kB) when a worker first needs it.
export class ModelFiles {
  constructor(specs = ALL_MODELS) {
    this.cards = new Map(specs.map((s) => [s.key, fetchOrNull(`models/${s.file}.json`, (r) => r.json())]));
    this.bytes = new Map();
  }

  card(key) {
    return this.cards.get(key) ?? Promise.resolve(null);
  }

  // A promise of [{ key, bytes, card }] for `keys` (bytes or card null where a file is missing).
  get(keys) {
    return Promise.all(keys.map(async (key) => {
      if (!this.bytes.has(key)) {
        this.bytes.set(key, fetchOrNull(`models/${specOf(key).file}.ort`, async (r) => new Uint8Array(await r.arrayBuffer())));
      }
      return { key, bytes: await this.bytes.get(key), card: await this.card(key) };
    }));
  }
}
