// Decoders for compressed DICOM frames: JPEG lossless (npm jpeg-lossless-decoder-js), JPEG-LS (CharLS,
// npm @cornerstonejs/codec-charls), JPEG 2000 (OpenJPEG, npm @cornerstonejs/codec-openjpeg) and RLE
// (web/dicom_rle.js). The codec modules are loaded on first use through the host's
// `load(name, moduleOptions)` (web/main.js in the page, tools/lib/node_runtime.mjs under Node), so that
// page start-up loads none of them. Touches no browser API.
import { decodeRle } from './dicom_rle.js';

// The files each codec needs, in the site's codecs/ folder (scripts/assemble_site.sh puts them there).
export const CODEC_FILES = {
  'jpeg-lossless': { js: 'jpeg_lossless.mjs' },
  charls: { js: 'charls_decode.mjs', wasm: 'charls_decode.wasm' },
  openjpeg: { js: 'openjpeg_decode.mjs', wasm: 'openjpeg_decode.wasm' },
};

export const CODEC_OF = {
  '1.2.840.10008.1.2.4.57': 'jpeg-lossless',
  '1.2.840.10008.1.2.4.70': 'jpeg-lossless',
  '1.2.840.10008.1.2.4.80': 'charls',
  '1.2.840.10008.1.2.4.81': 'charls',
  '1.2.840.10008.1.2.4.90': 'openjpeg',
  '1.2.840.10008.1.2.4.91': 'openjpeg',
  '1.2.840.10008.1.2.5': 'rle',
};

// also the kinds of codestream frameHeader tells apart (and 'JPEG' for the other JPEG processes)
const TITLE = { 'jpeg-lossless': 'JPEG lossless', charls: 'JPEG-LS', openjpeg: 'JPEG 2000', rle: 'RLE' };

export class CodecError extends Error {}

// The kind and size a JPEG-family (SOFn, JPEG-LS SOF55) or JPEG 2000 (SIZ) codestream says it has, read
// before any decoder allocates for it: { kind, width, height, components, bits }, or null when no such
// header is found.
export function frameHeader(bytes) {
  if (bytes.length < 4 || bytes[0] !== 0xff) return null;
  if (bytes[1] === 0x4f) {
    // JPEG 2000: SOC, then SIZ (FF51): Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, tiles (4 x 4 bytes), Csiz, Ssiz...
    if (bytes.length < 43 || bytes[2] !== 0xff || bytes[3] !== 0x51) return null;
    const u32 = (at) => ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
    return { kind: 'JPEG 2000', width: u32(8) - u32(16), height: u32(12) - u32(20), components: (bytes[40] << 8) | bytes[41], bits: (bytes[42] & 0x7f) + 1 };
  }
  if (bytes[1] !== 0xd8) return null;
  for (let at = 2; at + 9 < bytes.length;) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1];
    if (marker === 0xff) { ++at; continue; } // fill byte
    const sof = (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7;
    const kind = marker === 0xf7 ? 'JPEG-LS' : (marker & 3) === 3 ? 'JPEG lossless' : 'JPEG';
    if (sof) return { kind, bits: bytes[at + 4], height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8], components: bytes[at + 9] };
    if (marker === 0xda) return null; // scan data before any frame header
    at += 2 + ((bytes[at + 2] << 8) | bytes[at + 3]);
  }
  return null;
}

export class DicomCodecs {
  constructor(load) {
    this.load = load;
    this.modules = new Map(); // name -> loaded module (an emscripten instance, or the JS module)
    this.messages = [];       // what the last emscripten decoder printed (OpenJPEG says why it failed)
  }

  // Loads the codec a transfer syntax needs, once; a no-op for the others.
  async ready(uid) {
    const name = CODEC_OF[uid];
    if (!name || name === 'rle' || this.modules.has(name)) return;
    const log = (s) => this.messages.push(String(s));
    try {
      this.modules.set(name, await this.load(name, { print: log, printErr: log }));
    } catch (e) {
      throw new CodecError(`the ${TITLE[name]} decoder could not be loaded (${e.message ?? e})`);
    }
  }

  // Decodes one frame whose DICOM header says `expect` = { rows, cols, spp, bitsAllocated }.
  // Returns { samples: Uint8Array | Uint16Array, planar, warning } or throws CodecError.
  decode(uid, frame, expect) {
    const name = CODEC_OF[uid];
    const module = name === 'rle' ? { decodeRle } : this.modules.get(name);
    if (!module) throw new CodecError(`the ${TITLE[name]} decoder is not loaded`);
    if (name === 'rle') return this.#run(name, module, () => decodeRle(frame, expect));
    const h = frameHeader(frame);
    if (!h) throw new CodecError(`the frame is not a ${TITLE[name]} codestream`);
    if (h.kind !== TITLE[name]) throw new CodecError(`the frame is a ${h.kind} codestream, not ${TITLE[name]}`);
    if (h.width !== expect.cols || h.height !== expect.rows || h.components !== expect.spp)
      throw new CodecError(`the ${TITLE[name]} frame is ${h.width} x ${h.height} with ${h.components} component(s), ` +
        `the file says ${expect.cols} x ${expect.rows} with ${expect.spp}`);
    if (h.bits > expect.bitsAllocated)
      throw new CodecError(`the ${TITLE[name]} frame has ${h.bits}-bit samples, the file allocates ${expect.bitsAllocated} bits`);
    if (name === 'jpeg-lossless') return this.#run(name, module, () => this.#jpegLossless(module, frame, expect));
    return this.#run(name, module, () => this.#emscripten(name, module, frame, expect));
  }

  // Runs a decoder; what it throws becomes a CodecError that says why.
  #run(name, module, decode) {
    this.messages = [];
    try {
      return decode();
    } catch (e) {
      if (e instanceof CodecError) throw e;
      // a wasm trap (say, out of memory) leaves the instance unusable: the next frame gets a new one
      if (e instanceof Error && e.name === 'RuntimeError') this.modules.delete(name);
      const why = typeof e === 'number' && module.getExceptionMessage ? module.getExceptionMessage(e) : (e?.message ?? String(e));
      throw new CodecError(`the ${TITLE[name]} decoder failed (${String(why).replace(/^ERROR:\s*/, '')})`);
    }
  }

  #jpegLossless(module, frame, expect) {
    const decoder = new module.Decoder();
    const bytes = expect.bitsAllocated === 8 ? 1 : 2;
    const out = decoder.decode(frame.buffer, frame.byteOffset, frame.length, bytes);
    const size = expect.rows * expect.cols * expect.spp;
    if (out.length < size) throw new CodecError(`the JPEG lossless frame holds ${out.length} samples, ${size} are needed`);
    // the decoder reads past the end of a cut frame as zeros: it says where it stopped
    const warning = decoder.stream?.index > frame.length ? 'The JPEG lossless frame appears truncated; the result may be unreliable.' : '';
    return { samples: bytes === 1 ? new Uint8Array(out.buffer, out.byteOffset, size) : new Uint16Array(out.buffer, out.byteOffset, size), planar: false, warning };
  }

  #emscripten(name, module, frame, expect) {
    const decoder = name === 'charls' ? new module.JpegLSDecoder() : new module.J2KDecoder();
    try {
      decoder.getEncodedBuffer(frame.length).set(frame);
      decoder.decode();
      const info = decoder.getFrameInfo();
      if (info.width !== expect.cols || info.height !== expect.rows || info.componentCount !== expect.spp) {
        const said = this.messages.filter((m) => /error/i.test(m)).map((m) => m.replace(/^\[ERROR\]\s*/, '')).join('; ');
        throw new CodecError(`the ${TITLE[name]} decoder failed (${said || `it gave ${info.width} x ${info.height}`})`);
      }
      const raw = decoder.getDecodedBuffer(); // a view into the codec's memory: copied before delete()
      const size = expect.rows * expect.cols * expect.spp;
      const wide = info.bitsPerSample > 8;
      const samples = wide ? new Uint16Array(size) : new Uint8Array(size);
      const bytes = new Uint8Array(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, size * (wide ? 2 : 1)));
      if (bytes.length < size * (wide ? 2 : 1)) throw new CodecError(`the ${TITLE[name]} frame decodes to too few samples`);
      new Uint8Array(samples.buffer).set(bytes);
      // CharLS without interleaving gives one plane per component; OpenJPEG always interleaves
      const planar = name === 'charls' && expect.spp > 1 && decoder.getInterleaveMode() === 0;
      return { samples, planar, warning: '' };
    } finally {
      try {
        decoder.delete();
      } catch {
        // after a wasm trap the instance is dropped anyway (#run)
      }
    }
  }
}
