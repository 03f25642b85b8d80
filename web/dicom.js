// DICOM Part 10 input: the first frame's pixels (uncompressed, or an 8-bit JPEG frame), VOI-windowed, as
// samples for the wasm core (core.openSamples), so that preprocessing and the input gate are the same code
// as for PNG and JPEG. It touches no browser API: the parser (npm dicom-parser), an inflater for the
// deflated transfer syntax and a JPEG decoder are passed in (web/pipeline.js, its callers).

const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const DEFLATED_LE = '1.2.840.10008.1.2.1.99';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const SUPPORTED = new Set([IMPLICIT_LE, EXPLICIT_LE, DEFLATED_LE, EXPLICIT_BE]);
// 8-bit JPEG frames, decoded by the core's own JPEG decoder (decodeJpeg)
const JPEG_8 = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51']);
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
const MAX_SIDE = 16384; // as the core (contract.h): refused before the samples are allocated
const MAX_PIXELS = 60_000_000;
// The most a deflated data set may inflate to (the core's file limit, kMaxFileBytes): a deflate bomb stops here.
export const MAX_INFLATED_BYTES = 256_000_000;

export class DicomError extends Error {}

// Part 10: a 128-byte preamble, then "DICM".
export function isDicom(bytes) {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

function parserMessage(e) {
  const inner = e?.exception ?? e;
  const text = String(inner?.message ?? inner);
  if (/overrun|overread|past end/i.test(text)) return 'an element runs past the end of the file: it is truncated, or a length in it is wrong';
  return text.replace(/^dicomParser[.:][\w.]+:\s*/, '');
}

// The transfer syntax UID and where the data set starts (after the file meta information).
export function transferSyntax(bytes, parser) {
  let meta;
  try {
    meta = parser.readPart10Header(bytes);
  } catch (e) {
    throw new DicomError(`Not a readable DICOM file (its file meta information is corrupt: ${parserMessage(e)}).`);
  }
  const uid = (meta.string('x00020010') ?? '').replace(/\0/g, '').trim();
  return { uid, position: meta.position };
}

function checkSyntax(uid, decodeJpeg) {
  if (SUPPORTED.has(uid) || (JPEG_8.has(uid) && decodeJpeg)) return;
  if (!uid) throw new DicomError('Not a readable DICOM file (its file meta information gives no transfer syntax).');
  const name = NAMES[uid] ? ` (${NAMES[uid]})` : ' (unknown)';
  throw new DicomError(`This DICOM file uses transfer syntax ${uid}${name}, which this page cannot ` +
    'decode yet. Uncompressed (implicit or explicit VR little endian, explicit big endian), deflated and ' +
    '8-bit JPEG (baseline, extended) files can be read.');
}

// The inflated data set for the deflated transfer syntax, or null when the file is not deflated.
// inflateRaw(bytes, limit) throws when the data would inflate to more than `limit` bytes.
export async function inflatedCopy(bytes, parser, inflateRaw) {
  const { uid, position } = transferSyntax(bytes, parser);
  if (uid !== DEFLATED_LE) return null;
  if (!inflateRaw) throw new DicomError('This DICOM file is deflated, and no inflater is available here.');
  let data;
  try {
    data = new Uint8Array(await inflateRaw(bytes.subarray(position), MAX_INFLATED_BYTES));
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

// Reads the first frame. Returns { width, height, channels, maxValue, bitDepth, samples: Uint16Array,
// window: { center, width, source }, viewPosition, patient: { name, id, birthDate, accession }, notes: [] },
// or, for a colour JPEG frame, `jpeg` (the frame's bytes, to open as a JPEG) instead of samples.
// `inflated`: the deflated syntax's inflated copy (inflatedCopy); `decodeJpeg(bytes)`: an 8-bit JPEG
// decoder returning { width, height, samples } (gray) or throwing. Throws DicomError with a message for a person.
export function readDicom(bytes, parser, { inflated = null, decodeJpeg = null } = {}) {
  const { uid } = transferSyntax(bytes, parser);
  checkSyntax(uid, decodeJpeg);
  let ds;
  try {
    ds = parser.parseDicom(bytes, inflated ? { inflater: () => inflated } : {});
  } catch (e) {
    throw new DicomError(`Not a readable DICOM file (${parserMessage(e)}).`);
  }
  const rows = uint(ds, 'x00280010');
  const cols = uint(ds, 'x00280011');
  if (!rows || !cols) throw new DicomError('Not a readable DICOM image: it has no Rows or Columns (or they are 0).');
  if (rows > MAX_SIDE || cols > MAX_SIDE || rows * cols > MAX_PIXELS)
    throw new DicomError(`Image too large: ${cols} x ${rows} pixels (the limit is 60 megapixels and 16384 pixels a side).`);
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
  const mono = photometric === 'MONOCHROME1' || photometric === 'MONOCHROME2';
  const jpeg = JPEG_8.has(uid);
  const colour = photometric === 'RGB' || (jpeg && photometric.startsWith('YBR_FULL'));
  if (!((mono && spp === 1) || (colour && spp === 3)))
    throw new DicomError(`This DICOM image's photometric interpretation is ${photometric} with ${spp} samples per pixel; ` +
      'MONOCHROME1, MONOCHROME2 and RGB can be read.');
  const pixel = ds.elements.x7fe00010;
  if (!pixel) throw new DicomError('This DICOM file has no pixel data.');
  let values;
  if (jpeg) {
    if (!pixel.encapsulatedPixelData) throw new DicomError('Not a readable DICOM file: its JPEG pixel data is not encapsulated.');
    const frame = jpegFrame(ds, pixel, parser, frames);
    if (colour) return { ...header(ds, uid, photometric, cols, rows, 8, frames), jpeg: frame };
    values = jpegValues(decodeJpeg, frame, rows, cols, signed);
  } else {
    if (pixel.encapsulatedPixelData || pixel.hadUndefinedLength)
      throw new DicomError('Not a readable DICOM file: its pixel data is encapsulated (compressed) although its transfer syntax is not.');
    const data = ds.byteArray;
    const frameBytes = rows * cols * spp * (bitsAllocated / 8);
    const available = Math.min(pixel.length, data.length - pixel.dataOffset);
    if (available < frameBytes)
      throw new DicomError(`The DICOM file appears truncated: its pixel data holds ${Math.max(0, available)} bytes, ` +
        `a ${cols} x ${rows} image needs ${frameBytes}.`);
    values = storedValues(data, pixel.dataOffset, rows * cols * spp, bitsAllocated, bitsStored, signed, uid === EXPLICIT_BE);
  }
  const result = header(ds, uid, photometric, cols, rows, bitsStored, frames);
  if (!mono) {
    const planar = uint(ds, 'x00280006') === 1;
    return { ...result, channels: 3, maxValue: bitsStored > 8 ? 65535 : 255, samples: rgbSamples(values, rows * cols, planar, bitsStored), window: null };
  }
  const slope = number(ds, 'x00281053') ?? 1;
  const intercept = number(ds, 'x00281052') ?? 0;
  if (slope !== 1 || intercept !== 0) for (let i = 0; i < values.length; ++i) values[i] = values[i] * slope + intercept;
  const window = voiWindow(ds, values);
  const maxValue = bitsStored > 8 ? 65535 : 255;
  const samples = windowed(values, window, maxValue, photometric === 'MONOCHROME1');
  return { ...result, channels: 1, maxValue, samples, window };
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
function jpegFrame(ds, pixel, parser, frames) {
  try {
    if (!pixel.fragments?.length) throw new Error('no fragments');
    if (frames === 1) return parser.readEncapsulatedPixelDataFromFragments(ds, pixel, 0, pixel.fragments.length);
    const table = pixel.basicOffsetTable?.length ? pixel.basicOffsetTable : parser.createJPEGBasicOffsetTable(ds, pixel);
    return parser.readEncapsulatedImageFrame(ds, pixel, 0, table);
  } catch (e) {
    throw new DicomError(`Not a readable DICOM file (its encapsulated pixel data is corrupt: ${parserMessage(e)}).`);
  }
}

// A gray JPEG frame's samples as stored values (8-bit; sign-extended when the file says signed).
function jpegValues(decodeJpeg, frame, rows, cols, signed) {
  let d;
  try {
    d = decodeJpeg(frame);
  } catch (e) {
    throw new DicomError(`This DICOM file's JPEG frame cannot be decoded: ${e.message}`);
  }
  if (d.width !== cols || d.height !== rows)
    throw new DicomError(`Not a readable DICOM file: its JPEG frame is ${d.width} x ${d.height}, the file says ${cols} x ${rows}.`);
  const values = Float32Array.from(d.samples);
  if (signed) for (let i = 0; i < values.length; ++i) if (values[i] >= 128) values[i] -= 256;
  return values;
}

// Stored values of the first frame: masked to Bits Stored (High Bit = Bits Stored - 1), sign-extended.
function storedValues(data, offset, count, bitsAllocated, bitsStored, signed, bigEndian) {
  const out = new Float32Array(count); // half the memory of doubles; exact for 16-bit values
  const view = new DataView(data.buffer, data.byteOffset + offset, count * (bitsAllocated / 8));
  const mask = bitsStored >= 32 ? 0xffffffff : (1 << bitsStored) - 1;
  const sign = 1 << (bitsStored - 1);
  for (let i = 0; i < count; ++i) {
    let v = (bitsAllocated === 8 ? view.getUint8(i) : view.getUint16(2 * i, !bigEndian)) & mask;
    if (signed && v & sign) v -= mask + 1;
    out[i] = v;
  }
  return out;
}

// The file's first VOI window when it gives one, else the full range of the values.
function voiWindow(ds, values) {
  const center = number(ds, 'x00281050');
  const width = number(ds, 'x00281051');
  if (center !== undefined && width !== undefined && width >= 1) return { center, width, source: 'file' };
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // DICOM's linear function maps [c - 0.5 - (w-1)/2, c - 0.5 + (w-1)/2] onto the output range
  return { center: (lo + hi) / 2 + 0.5, width: Math.max(1, hi - lo) + 1, source: 'full range' };
}

// DICOM PS3.3 C.11.2.1.2.1 (VOI LUT Function LINEAR), then MONOCHROME1 inverted so bone is bright.
function windowed(values, { center, width }, maxValue, invert) {
  const out = new Uint16Array(values.length);
  const c = center - 0.5, half = (width - 1) / 2;
  for (let i = 0; i < values.length; ++i) {
    const x = values[i];
    let y = x <= c - half ? 0 : x > c + half ? maxValue : ((x - c) / Math.max(width - 1, 1) + 0.5) * maxValue;
    y = Math.min(maxValue, Math.max(0, Math.round(y)));
    out[i] = invert ? maxValue - y : y;
  }
  return out;
}

// Interleaved RGB samples (Planar Configuration 1 is R plane, G plane, B plane), scaled to 0..max.
function rgbSamples(values, pixels, planar, bitsStored) {
  const out = new Uint16Array(pixels * 3);
  const scale = bitsStored > 8 ? 65535 / ((2 ** bitsStored) - 1) : 255 / ((2 ** bitsStored) - 1);
  for (let i = 0; i < pixels; ++i)
    for (let c = 0; c < 3; ++c) out[3 * i + c] = Math.round(values[planar ? c * pixels + i : 3 * i + c] * scale);
  return out;
}

// Patient data as one line; shown only when the user asks (the app's "show patient data").
export function patientText(p) {
  return [p.name && `Patient ${p.name}`, p.id && `ID ${p.id}`, p.birthDate && `born ${p.birthDate}`,
    p.accession && `accession ${p.accession}`].filter(Boolean).join(', ');
}

export const LATERAL_VIEWS = new Set(['LL', 'RL', 'LATERAL', 'LAT']);
