// DICOM colour to interleaved RGB, for the core's one RGB-to-gray conversion and colour measure:
// YBR_FULL and YBR_FULL_422 (PS3.3 C.7.6.3.1.2), PALETTE COLOR (C.7.6.3.1.5/6), RGB in either planar
// configuration. Touches no browser API.

// Interleaved RGB samples (Planar Configuration 1 is R plane, G plane, B plane), scaled from 0..maxIn to 0..maxOut.
export function rgbSamples(values, pixels, planar, maxIn, maxOut) {
  const out = new Uint16Array(pixels * 3);
  const scale = maxOut / maxIn;
  for (let i = 0; i < pixels; ++i)
    for (let c = 0; c < 3; ++c) out[3 * i + c] = Math.min(maxOut, Math.max(0, Math.round(values[planar ? c * pixels + i : 3 * i + c] * scale)));
  return out;
}

// YBR_FULL_422 as stored uncompressed: Y1 Y2 Cb Cr for each pair of pixels; returns interleaved YBR_FULL.
export function ybr422ToFull(values, pixels) {
  const out = new Float32Array(pixels * 3);
  for (let i = 0; i + 1 < pixels; i += 2) {
    const at = 2 * i, cb = values[at + 2], cr = values[at + 3];
    out.set([values[at], cb, cr, values[at + 1], cb, cr], 3 * i);
  }
  return out;
}

// Full-range YCbCr to RGB in place (interleaved, or planar), samples 0..max.
export function ybrToRgb(values, pixels, planar, max) {
  const half = (max + 1) / 2;
  const at = (i, c) => (planar ? c * pixels + i : 3 * i + c);
  const clamp = (v) => Math.min(max, Math.max(0, v));
  for (let i = 0; i < pixels; ++i) {
    const y = values[at(i, 0)], cb = values[at(i, 1)] - half, cr = values[at(i, 2)] - half;
    values[at(i, 0)] = clamp(y + 1.402 * cr);
    values[at(i, 1)] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    values[at(i, 2)] = clamp(y + 1.772 * cb);
  }
}

// PALETTE COLOR: each stored value through the file's red, green and blue lookup tables.
// Returns { rgb: interleaved Float32Array, max } or throws Error with what is missing.
export function paletteToRgb(ds, values) {
  // descriptors (0028,1101..1103), data (0028,1201..1203)
  const tables = [1, 2, 3].map((c) => lut(ds, `x0028110${c}`, `x0028120${c}`));
  const max = tables[0].bits > 8 ? 65535 : 255;
  const rgb = new Float32Array(values.length * 3);
  for (let i = 0; i < values.length; ++i)
    for (let c = 0; c < 3; ++c) {
      const t = tables[c];
      const k = Math.min(t.data.length - 1, Math.max(0, values[i] - t.first));
      rgb[3 * i + c] = t.data[k];
    }
  return { rgb, max };
}

function lut(ds, descriptorTag, dataTag) {
  const d = ds.elements[descriptorTag];
  const data = ds.elements[dataTag];
  if (ds.elements.x00281221) throw new Error('its palette is segmented, which this page does not read');
  if (!d || d.length < 6 || !data) throw new Error('its palette colour lookup tables are missing');
  const entries = ds.uint16(descriptorTag, 0) || 65536;
  const first = ds.uint16(descriptorTag, 1);
  const bits = ds.uint16(descriptorTag, 2);
  const bytes = data.length / entries;
  if (bytes !== 1 && bytes !== 2) throw new Error(`its palette has ${entries} entries in ${data.length} bytes`);
  const out = new Uint16Array(entries);
  for (let i = 0; i < entries; ++i) out[i] = bytes === 1 ? ds.byteArray[data.dataOffset + i] : ds.uint16(dataTag, i);
  return { data: out, first, bits };
}
