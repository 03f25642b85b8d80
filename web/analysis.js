// The page's, the workers' and the predictor's one way to analyse an image: the bytes go into the
// wasm module once and one C++ call (src/analysis, src/web/analysis_api.cpp) returns the gate, the lung
// field, every requested model's probability, verdict, inconclusive zone and CAM. JS only reads DICOM
// (npm codecs) and checks model files against their cards. No browser API is touched here.
import { DicomError, dicomErrorMessage, isDicom, prepareDicom, readDicom } from './dicom.js';

export async function sha256Hex(bytes) {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

export class Analysis {
  // `module`: the instantiated one module (xraylens.js, its app not started); DICOM options as for web/dicom.js.
  constructor(module, { dicomParser = null, inflateRaw = null, codecs = null } = {}) {
    this.module = module;
    this.dicom = { dicomParser, inflateRaw, codecs };
    // the core's image limits (contract.h), which DICOM reading checks before it allocates samples
    this.limits = { maxSide: module.maxSide, maxPixels: module.maxPixels, maxFileBytes: module.maxFileBytes };
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

  // What the content says a file is: the core's format ('PNG', 'JPEG', 'WebP', 'TIFF', 'BMP', 'GIF', 'PNM',
  // 'TGA'; its test needs at most 132 bytes, to tell a DICOM preamble), 'DICOM', or null.
  format(bytes) {
    return this.module.imageFormat(bytes.subarray(0, 132)) || (isDicom(bytes) ? 'DICOM' : null);
  }

  // options: { models: [keys], analyseAnyway }. A failed open comes back with ok false and `error`; an
  // analysed study becomes the module's open study (display, lung outline, labelled copy).
  async analyse(bytes, options = {}) {
    return this.#run(bytes, options, true);
  }

  // The open study's answers from classifiers its analysis did not run (`keys`), as analyse gives them.
  classifyOpen(keys) {
    return this.module.classifyOpen({ models: keys });
  }

  // Opens the file as the analysis would, without analysing it (a labelled copy of a batch row).
  async open(bytes) {
    return this.#run(bytes, {}, false);
  }

  // The labelled copy of the open study for `result` ({ pCovid, threshold, title, thresholdNote }): { name, png };
  // thresholdNote names an adopted site threshold.
  labelledCopy(result, date, name) {
    const m = this.module;
    return {
      name: m.labelledCopyName(result.pCovid, result.threshold, name),
      png: new Uint8Array(m.labelledCopyPng(result.pCovid, result.threshold, result.title, date, name, result.thresholdNote ?? '')),
    };
  }

  async #run(bytes, options, analyse) {
    const m = this.module;
    const file = (b, o) => (m.fileBuffer(b.length).set(b), analyse ? m.analyseFile(o) : m.openFile());
    if (!isDicom(bytes)) return file(bytes, options);
    const { dicomParser, inflateRaw, codecs } = this.dicom;
    let d;
    try {
      if (!dicomParser) throw new DicomError('DICOM support is not loaded.');
      const inflated = await prepareDicom(bytes, dicomParser, inflateRaw, codecs, this.limits);
      d = readDicom(bytes, dicomParser, { inflated, decodeJpeg: (frame) => this.#decodeJpeg(frame), codecs, limits: this.limits });
    } catch (e) {
      return { ok: false, error: dicomErrorMessage(e), format: 'DICOM' };
    }
    const withView = { ...options, viewPosition: d.viewPosition || '' };
    let r;
    if (d.jpeg) {
      // a colour JPEG frame is analysed as any JPEG, so that the input gate measures its colour
      r = file(d.jpeg, withView);
      if (r.ok) r.format = 'DICOM';
    } else {
      if (d.values) {
        // gray: the core windows the stored values into the samples (src/core/window.h)
        m.valuesBuffer(d.values.length).set(d.values);
        d.window = m.windowValues(d.maxValue, d.invert, d.window?.center ?? NaN, d.window?.width ?? NaN);
      } else {
        m.samplesBuffer(d.samples.length).set(d.samples);
      }
      r = analyse
        ? m.analyseSamples(d.width, d.height, d.channels, d.maxValue, 'DICOM', d.bitDepth, withView)
        : m.openSamples(d.width, d.height, d.channels, d.maxValue, 'DICOM', d.bitDepth);
    }
    if (!r.ok) return r;
    r.warning = [r.warning, ...d.notes].filter(Boolean).join(' ');
    const { samples, values, invert, jpeg, ...dicom } = d;
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
