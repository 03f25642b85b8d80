// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header (segment count, 15 offsets), then one PackBits
// segment per byte of each sample, most significant byte first, component by component. Touches no
// browser API. Throws an Error that says what is wrong with the frame.

// `expect` = { rows, cols, spp, bitsAllocated }. Returns { samples: Uint8Array | Uint16Array, planar: true, warning }.
export function decodeRle(frame, { rows, cols, spp, bitsAllocated }) {
  const pixels = rows * cols;
  const bytesPerSample = bitsAllocated / 8;
  const wanted = spp * bytesPerSample;
  if (frame.length < 64) throw new Error('the frame is shorter than its 64-byte header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
  const count = view.getUint32(0, true);
  if (count !== wanted)
    throw new Error(`the frame has ${count} segments; ${spp} sample(s) of ${bitsAllocated} bits need ${wanted}`);
  const offsets = Array.from({ length: count }, (_, i) => view.getUint32(4 + 4 * i, true));
  for (let i = 0; i < count; ++i)
    if (offsets[i] < 64 || offsets[i] > frame.length || (i > 0 && offsets[i] < offsets[i - 1]))
      throw new Error(`segment ${i + 1} starts at ${offsets[i]}, outside the frame of ${frame.length} bytes`);
  const samples = bytesPerSample === 1 ? new Uint8Array(pixels * spp) : new Uint16Array(pixels * spp);
  let short = false;
  for (let s = 0; s < count; ++s) {
    const component = Math.floor(s / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    const end = s + 1 < count ? offsets[s + 1] : frame.length;
    const base = component * pixels;
    let out = 0;
    for (let at = offsets[s]; at < end && out < pixels;) {
      const n = frame[at++];
      if (n < 128) { // n + 1 literal bytes
        for (let k = 0; k <= n && at < end && out < pixels; ++k) samples[base + out++] |= frame[at++] << shift;
      } else if (n > 128) { // the next byte 257 - n times
        if (at >= end) break;
        const b = frame[at++] << shift;
        for (let k = 0; k < 257 - n && out < pixels; ++k) samples[base + out++] |= b;
      }
    }
    if (out < pixels) short = true;
  }
  return { samples, planar: true, warning: short ? 'The RLE frame appears truncated; the result may be unreliable.' : '' };
}
