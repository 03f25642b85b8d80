// The one path from file bytes to a verdict, shared by the page (web/main.js) and the headless
// predictor (tools/predict.mjs). It touches no browser API: the caller passes in the wasm core
// (xraylens_core.js) and ONNX Runtime Web, so both run exactly this code. DICOM support takes the parser
// (npm dicom-parser), an async raw-deflate inflater and the codecs (web/dicom_codecs.js) as options, for the same reason.
import { DicomError, LATERAL_VIEWS, dicomErrorMessage, isDicom, prepareDicom, readDicom } from './dicom.js';

export const MODELS = [
  { key: 'covid-normal', file: 'covid_normal', title: 'Model 1: COVID-19 vs Normal', output: 'prob' },
  { key: 'covid-pneumonia', file: 'covid_pneumonia', title: 'Model 2: COVID-19 vs Pneumonia', output: 'prob' },
];

// The learned part of the input gate: P(the input is a frontal chest X-ray).
export const GATE = { key: 'gate', file: 'gate', title: 'Input gate', output: 'p_in_scope' };

// Contract v2: the lung model outlines both lungs on the canonical image; the classifiers read the lung
// field the core makes from that outline (src/core/lung_field.h).
export const LUNGS = { key: 'lungs', file: 'lungs', title: 'Lung fields', output: 'mask' };

// Every model file the page loads, in load order.
export const ALL_MODELS = [...MODELS, GATE, LUNGS];
const GATE_REJECT_REASON = 'not_a_frontal_chest_xray';

// The start-up self-test inputs "pattern-v1" (224 x 224) and "pattern-256": x[y][x] = (3x + 5y) mod 256.
export function selfTestPattern(size) {
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; ++y) for (let x = 0; x < size; ++x) data[y * size + x] = (3 * x + 5 * y) % 256;
  return data;
}

async function sha256Hex(bytes) {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Pipeline {
  constructor(core, ort, { dicomParser = null, inflateRaw = null, codecs = null } = {}) {
    this.core = core;
    this.ort = ort;
    this.dicomParser = dicomParser;
    this.inflateRaw = inflateRaw;
    this.codecs = codecs;
    this.models = new Map(); // key -> { spec, card, session } or { spec, error }
    this.study = null; // { name, info, input: Float32Array, dicom }
  }

  // Loads one model with its card; a model that fails its checks is kept with `error` and never answers.
  async loadModel(spec, onnxBytes, card) {
    const entry = { spec, card, session: null, error: '' };
    this.models.set(spec.key, entry);
    try {
      if (!onnxBytes || !card) throw new Error('model file not present');
      if (card.contract_version !== this.core.contractVersion)
        throw new Error(`model contract v${card.contract_version}, this page speaks v${this.core.contractVersion}`);
      if (card.sha256 && (await sha256Hex(onnxBytes)) !== card.sha256)
        throw new Error('the model file does not match its card (sha256)');
      entry.session = await this.ort.InferenceSession.create(onnxBytes, { executionProviders: ['wasm'] });
      await this.#selfTest(entry);
    } catch (e) {
      entry.error = e.message || String(e);
      entry.session = null;
    }
    return entry;
  }

  async #selfTest(entry) {
    const test = entry.card.self_test;
    const size = { 'pattern-v1': this.core.inputSize, 'pattern-256': this.core.canonicalSize }[test?.input];
    if (!size) throw new Error('the model card has no self-test');
    const out = await this.#run(entry.session, selfTestPattern(size), size);
    const values = out[entry.spec.output].data;
    if (test.expected_mean !== undefined) {
      const mean = values.reduce((a, v) => a + v, 0) / values.length;
      if (!(Math.abs(mean - test.expected_mean) <= test.tolerance))
        throw new Error(`self-test failed: mean ${mean.toFixed(4)}, card expects ${test.expected_mean.toFixed(4)}`);
      return;
    }
    const got = values[0];
    if (!(Math.abs(got - test.expected_prob) <= test.tolerance))
      throw new Error(`self-test failed: P = ${got.toFixed(4)}, card expects ${test.expected_prob.toFixed(4)}`);
    // Logits, where the card gives them, are the sharper check when P sits near 0 or 1.
    (test.expected_logits ?? []).forEach((want, i) => {
      const have = out.logits.data[i];
      if (!(Math.abs(have - want) <= (test.logits_tolerance ?? 0.05)))
        throw new Error(`self-test failed: logit ${i} = ${have.toFixed(4)}, card expects ${want.toFixed(4)}`);
    });
  }

  async #run(session, input, size = this.core.inputSize) {
    const feeds = { input: new this.ort.Tensor('float32', input, [1, 1, size, size]) };
    return session.run(feeds);
  }

  model(key) {
    return this.models.get(key);
  }

  // What the content says a file is: the core's format ('PNG', 'JPEG', 'WebP', 'TIFF', 'BMP', 'GIF', 'PNM',
  // 'TGA'; its test needs at most 132 bytes, to tell a DICOM preamble), 'DICOM', or null.
  format(bytes) {
    return this.core.imageFormat(bytes.subarray(0, 132)) || (isDicom(bytes) ? 'DICOM' : null);
  }

  // Decodes and preprocesses; on failure the previous study stays open and `info.error` says why.
  // PNG and JPEG go to the core as they are; DICOM (by its content) is read here first. A deflated or
  // compressed DICOM needs openAsync.
  open(bytes, name, inflated = null) {
    if (isDicom(bytes)) return this.#openDicom(bytes, name, inflated);
    this.core.fileBuffer(bytes.length).set(bytes);
    const info = this.core.openFile();
    if (info.ok) this.study = { name, info, input: new Float32Array(this.core.modelInput()), dicom: null };
    return info;
  }

  // The same as open, for every input the page takes (a deflated DICOM is inflated first, a codec loaded).
  async openAsync(bytes, name) {
    let inflated = null;
    if (isDicom(bytes) && this.dicomParser) {
      try {
        inflated = await prepareDicom(bytes, this.dicomParser, this.inflateRaw, this.codecs);
      } catch (e) {
        return { ok: false, error: dicomErrorMessage(e), format: 'DICOM' };
      }
    }
    return this.open(bytes, name, inflated);
  }

  #openDicom(bytes, name, inflated) {
    let d, info;
    try {
      if (!this.dicomParser) throw new DicomError('DICOM support is not loaded.');
      d = readDicom(bytes, this.dicomParser, { inflated, decodeJpeg: (frame) => this.#decodeJpeg(frame), codecs: this.codecs });
      if (d.jpeg) {
        // a colour JPEG frame opens as any JPEG, so that the input gate measures its colour
        this.core.fileBuffer(d.jpeg.length).set(d.jpeg);
        info = this.core.openFile();
        if (info.ok) info.format = 'DICOM';
      } else {
        this.core.samplesBuffer(d.samples.length).set(d.samples);
        info = this.core.openSamples(d.width, d.height, d.channels, d.maxValue, 'DICOM', d.bitDepth);
      }
    } catch (e) {
      return { ok: false, error: dicomErrorMessage(e), format: 'DICOM' };
    }
    if (!info.ok) return info;
    info.warning = [info.warning, ...d.notes].filter(Boolean).join(' ');
    const { samples, jpeg, ...dicom } = d;
    this.study = { name, info, input: new Float32Array(this.core.modelInput()), dicom };
    return info;
  }

  // A gray JPEG frame by the core's own decoder: { width, height, maxValue, samples }; 8-bit (maxValue 255)
  // or 12-bit (4095, the stored values).
  #decodeJpeg(frame) {
    this.core.fileBuffer(frame.length).set(frame);
    const r = this.core.decodeFile();
    if (!r.ok) throw new Error(r.error);
    if (r.maxValue !== 255 && r.maxValue !== 4095) throw new Error('it is neither 8- nor 12-bit');
    return { width: r.width, height: r.height, maxValue: r.maxValue, samples: new Uint16Array(this.core.decodedSamples()) };
  }

  close() {
    this.core.release();
    this.study = null;
  }

  // The input gate for the open study: the core's rules (colour, blank, noise), then the gate model when
  // it is present. Returns { ok, reason, message, score }.
  async gate() {
    if (!this.study) throw new Error('no image is open');
    const { gateReason, gateMessage } = this.study.info;
    if (gateReason) return { ok: false, reason: gateReason, message: gateMessage, score: null };
    const view = this.study.dicom?.viewPosition;
    if (LATERAL_VIEWS.has(view))
      return { ok: false, reason: 'lateral', message: `the DICOM file says this is a lateral view (View Position ${view}); the models read frontal chest X-rays only.`, score: null };
    const entry = this.models.get(GATE.key);
    let score = null;
    if (entry?.session) {
      const out = await this.#run(entry.session, this.study.input);
      score = out[GATE.output].data[0];
      if (score < entry.card.threshold) return this.#gateRefusal(score, entry.card.threshold);
    }
    let lungs;
    try {
      lungs = await this.lungField();
    } catch {
      return { ok: true, reason: '', message: '', score }; // no lung model: infer says so
    }
    if (lungs.reason) return { ok: false, reason: lungs.reason, message: lungs.message, score };
    return { ok: true, reason: '', message: '', score };
  }

  #gateRefusal(score, threshold) {
    return {
      ok: false,
      reason: GATE_REJECT_REASON,
      message: `this does not look like a frontal chest X-ray (gate score ${(score * 100).toFixed(1)}%, ` +
        `threshold ${(threshold * 100).toFixed(1)}%). Lateral views, photographs, documents and screenshots are outside the models' scope.`,
      score,
    };
  }

  // The open study's lung field (contract v2), made once: the lung model's mask on the canonical image,
  // then the core's box, masking and plausibility. { input, mask, region, maskRegion, reason, message, ... }
  async lungField() {
    const study = this.study;
    if (!study) throw new Error('no image is open');
    if (study.lungs) return study.lungs;
    const entry = this.models.get(LUNGS.key);
    if (!entry?.session) throw new Error(`${LUNGS.title} are not available: ${entry?.error || 'still loading'}`);
    const size = this.core.canonicalSize;
    const t0 = performance.now();
    const out = await this.#run(entry.session, new Float32Array(this.core.canonicalInput()), size);
    if (this.study !== study) throw new Error('the study changed while its lungs were outlined');
    const p = out[LUNGS.output].data;
    const mask = this.core.lungMaskBuffer();
    for (let i = 0; i < mask.length; ++i) mask[i] = p[i] >= 0.5 ? 255 : 0;
    const info = this.core.computeLungField();
    study.lungs = {
      ...info,
      input: new Float32Array(this.core.lungInput()),
      mask: new Uint8Array(this.core.lungMask()),
      weight: new Uint8Array(this.core.lungWeight()),
      ms: performance.now() - t0,
    };
    return study.lungs;
  }

  // Runs one model on the open study's lung field.
  async infer(key) {
    const entry = this.models.get(key);
    if (!this.study) throw new Error('no image is open');
    if (!entry) throw new Error(`unknown model ${key}`);
    if (!entry.session) throw new Error(`${entry.spec.title} is not available: ${entry.error || 'still loading'}`);
    const lungs = await this.lungField();
    const t0 = performance.now();
    const out = await this.#run(entry.session, lungs.input);
    const inferMs = performance.now() - t0;
    const pCovid = out.prob.data[0];
    const threshold = entry.card.threshold;
    const [, h, w] = out.cam.dims;
    return {
      key,
      title: entry.card.title || entry.spec.title,
      pCovid,
      threshold,
      verdict: this.core.verdict(pCovid, threshold),
      logits: Array.from(out.logits.data),
      cam: { data: new Float32Array(out.cam.data), width: w, height: h, region: lungs.region },
      warning: this.study.info.warning,
      inferMs,
    };
  }

  // The labelled copy of the open study as PNG bytes and its file name.
  labelledCopy(result, date) {
    const s = this.study;
    const name = this.core.labelledCopyName(result.pCovid, result.threshold, s.name);
    const png = new Uint8Array(this.core.labelledCopyPng(result.pCovid, result.threshold, result.title, date, s.name));
    return { name, png };
  }
}
