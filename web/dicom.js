// DICOM Part 10 input: the first frame's pixels (uncompressed, or compressed: JPEG by the core, the other
// codecs by web/dicom_codecs.js): gray ones as stored values that the core windows, colour ones as
// samples, for the wasm core (openSamples / analyseSamples), so that
// preprocessing and the input gate are the same code as for PNG and JPEG. It touches no browser API: the
// parser (npm dicom-parser), an inflater for the deflated transfer syntax, a JPEG decoder and the codecs
// are passed in (web/analysis.js, its callers).
import { CODEC_OF, CodecError } from './dicom_codecs.js';
import { paletteToRgb, rgbSamples, ybr422ToFull, ybrToRgb } from './dicom_colour.js';

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const DEFLATED_LE = '1.2.840.10008.1.2.1.99';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const SUPPORTED = new Set([IMPLICIT_LE, EXPLICIT_LE, DEFLATED_LE, EXPLICIT_BE]);
// JPEG frames, decoded by the core (decodeJpeg): 8-bit by stb_image, 12-bit (extended, process 4) by
// libjpeg-turbo's 12-bit build, as stored values 0..4095
const JPEG_8 = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']);
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
const NAMES = {
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless (Process 14, Selection Value 1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};
const syntaxName = (uid) => `${uid} (${NAMES[uid] ?? 'unknown'})`;
const MONO = new Set(['MONOCHROME1', 'MONOCHROME2']);
// three samples a pixel; YBR_RCT and YBR_ICT come out of the JPEG 2000 decoder as RGB
const COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_RCT', 'YBR_ICT']);

export class DicomError extends Error {}

// Part 10: a 128-byte preamble, then "DICM".
export function isDicom(bytes) {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

// What dicom-parser (which throws strings, Errors or { exception }) found wrong, in words.
function parserMessage(e) {
  const inner = e?.exception ?? e;
  const text = String(inner?.message ?? inner ?? '').trim();
  if (/overrun|overread|past end|cannot be greater than or equal to|outside the bounds|out of range|invalid typed array length/i.test(text))
    return 'an element runs past the end of the file: it is truncated, or a length in it is wrong' +
      (text.startsWith('past end: ') ? ` (${text.slice(10)})` : '');
  return text.replace(/^dicomParser[.:][\w.]+:\s*/, '') || 'its structure is corrupt';
}

// The message for anything thrown while a DICOM file is read: a DicomError's own, else what the parser said.
export function dicomErrorMessage(e) {
  return e instanceof DicomError ? e.message : `Not a readable DICOM file (${parserMessage(e)}).`;
}

// The transfer syntax UID and where the data set starts (after the file meta information).
export function transferSyntax(bytes, parser) {
  try {
    const meta = parser.readPart10Header(bytes);
    // dicom-parser reads past a length that points beyond the file without a word: say which element
    for (const [tag, el] of Object.entries(meta.elements))
      if (!(el.dataOffset + el.length <= bytes.length))
        throw new Error(`past end: element (${tag.slice(1, 5)},${tag.slice(5)}) claims ${el.length} bytes, the file has ${Math.max(0, bytes.length - el.dataOffset)} left`);
    const uid = (meta.string('x00020010') ?? '').replace(/\0/g, '').trim();
    if (!(meta.position <= bytes.length)) throw new Error('past end');
    return { uid, position: meta.position };
  } catch (e) {
    throw new DicomError(`Not a readable DICOM file (its file meta information is corrupt: ${parserMessage(e)}).`);
  }
}

function checkSyntax(uid, decodeJpeg, codecs) {
  if (SUPPORTED.has(uid) || (JPEG_8.has(uid) && decodeJpeg) || (CODEC_OF[uid] && codecs)) return;
  if (!uid) throw new DicomError('Not a readable DICOM file (its file meta information gives no transfer syntax).');
  throw new DicomError(`This DICOM file uses transfer syntax ${syntaxName(uid)}, which this page cannot ` +
    'decode. Uncompressed, deflated, RLE, JPEG (8-bit baseline and extended, lossless), JPEG-LS and ' +
    'JPEG 2000 files can be read.');
}

// What a DICOM file needs before readDicom: the codec its transfer syntax needs, loaded (`codecs`, a
// DicomCodecs), and for the deflated syntax the inflated data set, returned (null for the others).
// inflateRaw(bytes, limit) throws when the data would inflate to more than `limit` bytes.
// `limits`: the core's image limits (contract.h, from the module: { maxSide, maxPixels, maxFileBytes });
// a deflated data set may inflate to maxFileBytes at most (a deflate bomb stops there).
export async function prepareDicom(bytes, parser, inflateRaw, codecs, limits) {
  const { uid, position } = transferSyntax(bytes, parser);
  if (CODEC_OF[uid] && codecs) {
    try {
      await codecs.ready(uid);
    } catch (e) {
      throw new DicomError(`This DICOM file uses transfer syntax ${syntaxName(uid)}, and ${e.message}.`);
    }
  }
  if (uid !== DEFLATED_LE) return null;
  if (!inflateRaw) throw new DicomError('This DICOM file is deflated, and no inflater is available here.');
  let data;
  try {
    data = new Uint8Array(await inflateRaw(bytes.subarray(position), limits.maxFileBytes));
  } catch (e) {
    throw new DicomError(`Not a readable DICOM file (its deflated data cannot be inflated: ${e.message}).`);
  }
  const full = new Uint8Array(position + data.length);
  full.set(bytes.subarray(0, position));
  full.set(data, position);
  return full;
}

const text = (ds, tag) => (ds.string(tag) ?? '').replace(/\0/g, '').trim();
const number = (ds, tag) => {
  const v = ds.floatString(tag, 0);
  return Number.isFinite(v) ? v : undefined;
};
const uint = (ds, tag) => (ds.elements[tag] ? ds.uint16(tag) : undefined);

// Person Name "Family^Given^Middle" as "Given Middle Family".
function personName(pn) {
  const [family = '', given = '', middle = ''] = pn.split('=')[0].split('^');
  return [given, middle, family].filter(Boolean).join(' ');
}

// Reads the first frame. Returns { width, height, channels, maxValue, bitDepth, viewPosition, patient:
// { name, id, birthDate, accession }, notes: [] } with, for a gray image, `values` (Float32Array: stored
// values after the modality rescale), `window` (the file's { center, width, source: 'file' } or null)
// and `invert` (MONOCHROME1); for a colour one `samples` (Uint16Array, RGB); for a colour JPEG frame
// `jpeg` (the frame's bytes, to open as a JPEG).
// `inflated`: the deflated syntax's inflated copy (prepareDicom); `decodeJpeg(bytes)`: an 8-bit JPEG
// decoder returning { width, height, samples } (gray) or throwing; `codecs`: a DicomCodecs whose codec for
// this file prepareDicom has loaded; `limits` as for prepareDicom, checked before the samples are
// allocated. Throws DicomError with a message for a person.
export function readDicom(bytes, parser, { inflated = null, decodeJpeg = null, codecs = null, limits }) {
  const { uid } = transferSyntax(bytes, parser);
  checkSyntax(uid, decodeJpeg, codecs);
  let ds;
  try {
    ds = parser.parseDicom(bytes, inflated ? { inflater: () => inflated } : {});
  } catch (e) {
    throw new DicomError(`Not a readable DICOM file (${parserMessage(e)}).`);
  }
  const rows = uint(ds, 'x00280010');
  const cols = uint(ds, 'x00280011');
  if (!rows || !cols) throw new DicomError('Not a readable DICOM image: it has no Rows or Columns (or they are 0).');
  const { maxSide, maxPixels } = limits;
  if (rows > maxSide || cols > maxSide || rows * cols > maxPixels)
    throw new DicomError(`Image too large: ${cols} x ${rows} pixels (the limit is ${maxPixels / 1e6} megapixels and ${maxSide} pixels a side).`);
  const spp = uint(ds, 'x00280002') ?? 1;
  const bitsAllocated = uint(ds, 'x00280100') ?? 0;
  const bitsStored = uint(ds, 'x00280101') ?? bitsAllocated;
  const signed = uint(ds, 'x00280103') === 1;
  const photometric = text(ds, 'x00280004').toUpperCase() || 'MONOCHROME2';
  const frames = Math.max(1, parseInt(text(ds, 'x00280008'), 10) || 1);
  if (bitsAllocated !== 8 && bitsAllocated !== 16)
    throw new DicomError(`This DICOM image has ${bitsAllocated} bits allocated per sample; 8 and 16 can be read.`);
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated))
    throw new DicomError(`Not a readable DICOM image: ${bitsStored} bits stored in ${bitsAllocated} allocated.`);
  const jpeg = JPEG_8.has(uid);
  const codec = CODEC_OF[uid];
  if (jpeg && bitsStored > (uid === JPEG_EXTENDED ? 12 : 8))
    throw new DicomError(`This DICOM file holds ${bitsStored}-bit JPEG (transfer syntax ${syntaxName(uid)}), which ` +
      'this page cannot decode: JPEG baseline frames of 8 bits and extended ones of up to 12 bits can be read.');
  const colour = COLOUR.has(photometric) && spp === 3 && (photometric !== 'YBR_FULL_422' || !codec);
  if (!((MONO.has(photometric) || photometric === 'PALETTE COLOR') && spp === 1) && !colour)
    throw new DicomError(`This DICOM image's photometric interpretation is ${photometric} with ${spp} samples per pixel; ` +
      'MONOCHROME1, MONOCHROME2, PALETTE COLOR, RGB and YBR_FULL (also 4:2:2) can be read.');
  const pixel = ds.elements.x7fe00010;
  if (!pixel) throw new DicomError('This DICOM file has no pixel data.');
  const result = header(ds, uid, photometric, cols, rows, bitsStored, frames);
  let values, planar = uint(ds, 'x00280006') === 1;
  if (jpeg || codec) {
    if (!pixel.encapsulatedPixelData) throw new DicomError('Not a readable DICOM file: its compressed pixel data is not encapsulated.');
    const frame = firstFrame(ds, pixel, parser, frames);
    if (jpeg && colour) return { ...result, bitDepth: 8, jpeg: frame };
    const d = jpeg ? { samples: jpegSamples(decodeJpeg, frame, rows, cols, bitsStored), planar: false } : decoded(codecs, uid, frame, { rows, cols, spp, bitsAllocated });
    values = maskedValues(d.samples, bitsStored, signed);
    planar = d.planar;
    if (d.warning) result.notes.push(d.warning);
  } else {
    if (pixel.encapsulatedPixelData || pixel.hadUndefinedLength)
      throw new DicomError('Not a readable DICOM file: its pixel data is encapsulated (compressed) although its transfer syntax is not.');
    const data = ds.byteArray;
    // YBR_FULL_422 stores two luma samples and one pair of chroma samples for every two pixels
    const count = rows * cols * (photometric === 'YBR_FULL_422' ? 2 : spp);
    const frameBytes = count * (bitsAllocated / 8);
    const available = Math.min(pixel.length, data.length - pixel.dataOffset);
    if (available < frameBytes)
      throw new DicomError(`The DICOM file appears truncated: its pixel data holds ${Math.max(0, available)} bytes, ` +
        `a ${cols} x ${rows} image needs ${frameBytes}.`);
    values = storedValues(data, pixel.dataOffset, count, bitsAllocated, bitsStored, signed, uid === EXPLICIT_BE);
  }
  if (colour || photometric === 'PALETTE COLOR') return { ...result, ...colourSamples(ds, values, rows * cols, planar, photometric, bitsStored) };
  const slope = number(ds, 'x00281053') ?? 1;
  const intercept = number(ds, 'x00281052') ?? 0;
  if (slope !== 1 || intercept !== 0) for (let i = 0; i < values.length; ++i) values[i] = values[i] * slope + intercept;
  // the core windows the values (src/core/window.h): the file's VOI window, else their full range
  const maxValue = bitsStored > 8 ? 65535 : 255;
  return { ...result, channels: 1, maxValue, values, window: fileWindow(ds), invert: photometric === 'MONOCHROME1' };
}

// Colour stored values as interleaved RGB samples for the core: { channels, maxValue, samples, window: null }.
function colourSamples(ds, values, pixels, planar, photometric, bitsStored) {
  const storedMax = 2 ** bitsStored - 1;
  let maxIn = storedMax;
  if (photometric === 'PALETTE COLOR') {
    try {
      ({ rgb: values, max: maxIn } = paletteToRgb(ds, values));
    } catch (e) {
      throw new DicomError(`Not a readable DICOM image: ${e.message}.`);
    }
    planar = false;
  } else if (photometric === 'YBR_FULL_422') {
    values = ybr422ToFull(values, pixels);
    planar = false;
  }
  if (photometric.startsWith('YBR_FULL')) ybrToRgb(values, pixels, planar, storedMax);
  const maxValue = maxIn > 255 ? 65535 : 255;
  return { channels: 3, maxValue, samples: rgbSamples(values, pixels, planar, maxIn, maxValue), window: null };
}

// What every reading returns beside the pixels.
function header(ds, uid, photometric, width, height, bitDepth, frames) {
  return {
    width, height, bitDepth, photometric, transferSyntax: uid,
    viewPosition: text(ds, 'x00185101').toUpperCase(),
    patient: {
      name: personName(text(ds, 'x00100010')), id: text(ds, 'x00100020'),
      birthDate: text(ds, 'x00100030'), accession: text(ds, 'x00080050'),
    },
    notes: frames > 1 ? [`This DICOM file holds ${frames} frames; the first is shown and analysed.`] : [],
  };
}

// The first frame's bytes from encapsulated pixel data.
function firstFrame(ds, pixel, parser, frames) {
  try {
    if (!pixel.fragments?.length) throw new Error('no fragments');
    if (frames === 1) return parser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, pixel.fragments.length);
    // without an offset table: one fragment a frame when the counts agree, else frames found by their JPEG end markers
    if (!pixel.basicOffsetTable?.length && pixel.fragments.length === frames) return parser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, 1);
    const table = pixel.basicOffsetTable?.length ? pixel.basicOffsetTable : parser.createJPEGBasicOffsetTable(ds, pixel);
    return parser.readEncapsulatedImageFrame(ds, pixel, 0, table);
  } catch (e) {
    throw new DicomError(`Not a readable DICOM file (its encapsulated pixel data is corrupt: ${parserMessage(e)}).`);
  }
}

// A frame decoded by its codec (web/dicom_codecs.js): { samples, planar, warning }.
function decoded(codecs, uid, frame, expect) {
  try {
    return codecs.decode(uid, frame, expect);
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    throw new DicomError(`This DICOM file's pixel data (${NAMES[uid]}, transfer syntax ${uid}) cannot be decoded: ${e.message}.`);
  }
}

// A gray 8-bit JPEG frame's samples.
function jpegSamples(decodeJpeg, frame, rows, cols, bitsStored) {
  let d;
  try {
    d = decodeJpeg(frame);
  } catch (e) {
    throw new DicomError(`This DICOM file's JPEG frame cannot be decoded: ${e.message}`);
  }
  if (d.width !== cols || d.height !== rows)
    throw new DicomError(`Not a readable DICOM file: its JPEG frame is ${d.width} x ${d.height}, the file says ${cols} x ${rows}.`);
  const frameBits = d.maxValue === 4095 ? 12 : 8;
  if ((bitsStored > 8) !== (frameBits > 8))
    throw new DicomError(`Not a readable DICOM file: its JPEG frame holds ${frameBits}-bit samples, the file says ${bitsStored} bits stored.`);
  return d.samples;
}

// Stored values of the first frame, uncompressed.
function storedValues(data, offset, count, bitsAllocated, bitsStored, signed, bigEndian) {
  let samples;
  if (bitsAllocated === 8) samples = data.subarray(offset, offset + count);
  else {
    samples = new Uint16Array(count);
    const view = new DataView(data.buffer, data.byteOffset + offset, count * 2);
    for (let i = 0; i < count; ++i) samples[i] = view.getUint16(2 * i, !bigEndian);
  }
  return maskedValues(samples, bitsStored, signed);
}

// Samples as stored values: masked to Bits Stored (High Bit = Bits Stored - 1), sign-extended.
function maskedValues(samples, bitsStored, signed) {
  const out = new Float32Array(samples.length); // half the memory of doubles; exact for 16-bit values
  const mask = (1 << bitsStored) - 1;
  const sign = 1 << (bitsStored - 1);
  for (let i = 0; i < samples.length; ++i) {
    let v = samples[i] & mask;
    if (signed && v & sign) v -= mask + 1;
    out[i] = v;
  }
  return out;
}

// The file's first VOI window, or null when it gives none.
function fileWindow(ds) {
  const center = number(ds, 'x00281050');
  const width = number(ds, 'x00281051');
  return center !== undefined && width !== undefined && width >= 1 ? { center, width, source: 'file' } : null;
}

// Patient data as one line; shown only when the user asks (the app's "show patient data").
export function patientText(p) {
  return [p.name && `Patient ${p.name}`, p.id && `ID ${p.id}`, p.birthDate && `born ${p.birthDate}`,
    p.accession && `accession ${p.accession}`].filter(Boolean).join(', ');
}

