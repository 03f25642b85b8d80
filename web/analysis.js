// The page's, the workers' and the predictor's one way to analyse an image: the bytes go into the
// wasm module once and one C++ call (src/analysis, src/web/analysis_api.cpp) returns the gate, the lung
// field, every requested model's probability, verdict, inconclusive zone and CAM. JS only reads DICOM
// (npm codecs) and checks model files against their cards. No browser API is touched here.
import { DicomError, isDicom, prepareDicom, readDicom } from './dicom.js';

export async function sha256Hex(bytes) {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Analysis {
  // `module`: the instantiated xraylens_analysis module; DICOM options as for web/dicom.js.
  constructor(module, { dicomParser = null, inflateRaw = null, codecs = null } = {}) {
    this.module = module;
    this.dicom = { dicomParser, inflateRaw, codecs };
    this.models = new Map(); // key -> { spec, card, ok, error }
  }

  // Hands one model (.onnx or .ort bytes) and its card to the module, which loads and self-tests it.
  // `sha256` is the digest the bytes must have (the card's for .onnx; the site's for a converted .ort).
  async loadModel(spec, bytes, card, sha256 = card?.sha256) {
    const entry = { spec, card, ok: false, error: '' };
    this.models.set(spec.key, entry);
    try {
      if (!bytes || !card) throw new Error('model file not present');
      if (sha256 && (await sha256Hex(bytes)) !== sha256) throw new Error('the model file does not match its card (sha256)');
      this.module.fileBuffer(bytes.length).set(bytes);
      entry.error = this.module.loadModel(spec.key, { ...card, title: card.title || spec.title });
      entry.ok = entry.error === '';
    } catch (e) {
      entry.error = e.message || String(e);
      this.module.refuseModel(spec.key, card ?? { title: spec.title }, entry.error);
    }
    return entry;
  }

  model(key) {
    return this.models.get(key);
  }

  // options: { models: [keys], analyseAnyway }. A failed open comes back with ok false and `error`.
  async analyse(bytes, options = {}) {
    if (!isDicom(bytes)) {
      this.module.fileBuffer(bytes.length).set(bytes);
      return this.module.analyseFile(options);
    }
    return this.#analyseDicom(bytes, options);
  }

  async #analyseDicom(bytes, options) {
    const { dicomParser, inflateRaw, codecs } = this.dicom;
    let d;
    try {
      if (!dicomParser) throw new DicomError('DICOM support is not loaded.');
      const inflated = await prepareDicom(bytes, dicomParser, inflateRaw, codecs);
      d = readDicom(bytes, dicomParser, { inflated, decodeJpeg: (frame) => this.#decodeJpeg(frame), codecs });
    } catch (e) {
      return { ok: false, error: e instanceof DicomError ? e.message : `Not a readable DICOM file (${e.message}).`, format: 'DICOM' };
    }
    const withView = { ...options, viewPosition: d.viewPosition || '' };
    let r;
    if (d.jpeg) {
      // a colour JPEG frame is analysed as any JPEG, so that the input gate measures its colour
      this.module.fileBuffer(d.jpeg.length).set(d.jpeg);
      r = this.module.analyseFile(withView);
      if (r.ok) r.format = 'DICOM';
    } else {
      this.module.samplesBuffer(d.samples.length).set(d.samples);
      r = this.module.analyseSamples(d.width, d.height, d.channels, d.maxValue, 'DICOM', d.bitDepth, withView);
    }
    if (!r.ok) return r;
    r.warning = [r.warning, ...d.notes].filter(Boolean).join(' ');
    const { samples, jpeg, ...dicom } = d;
    r.dicom = dicom;
    return r;
  }

  // A gray JPEG frame by the core's own decoder: { width, height, maxValue, samples }; 8-bit (maxValue 255)
  // or 12-bit (4095, the stored values).
  #decodeJpeg(frame) {
    this.module.fileBuffer(frame.length).set(frame);
    const r = this.module.decodeFile();
    if (!r.ok) throw new Error(r.error);
    if (r.maxValue !== 255 && r.maxValue !== 4095) throw new Error('it is neither 8- nor 12-bit');
    return { width: r.width, height: r.height, maxValue: r.maxValue, samples: new Uint16Array(this.module.decodedSamples()) };
  }
}
