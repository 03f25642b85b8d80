// A store-only ZIP writer (no compression: the entries are PNGs, already compressed). Entries are added
// one at a time and kept as Blob parts, so a large archive is held by the browser's blob store and not
// as one growing JavaScript buffer. No browser API beyond Blob; no dependency.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; ++n) {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; ++i) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// MS-DOS date and time of a Date, as ZIP stores them.
function dosTime(d) {
  const time = (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1);
  const date = ((Math.max(1980, d.getFullYear()) - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
  return { time, date };
}

const LIMIT = 0xffffffff; // no ZIP64: entries and archive under 4 GiB, fewer than 65,535 entries

export class ZipWriter {
  constructor(date = new Date()) {
    this.parts = [];
    this.central = [];
    this.offset = 0;
    this.count = 0;
    this.names = new Set();
    this.stamp = dosTime(date);
  }

  // A name not used yet in this archive: "a.png", then "a (2).png", ...
  uniqueName(name) {
    let out = name;
    for (let i = 2; this.names.has(out); ++i) out = name.replace(/(\.[^./]*)?$/, (ext) => ` (${i})${ext}`);
    this.names.add(out);
    return out;
  }

  // Adds bytes under `name` (a relative path with '/'); returns the name used.
  add(name, bytes) {
    name = this.uniqueName(name);
    const nameBytes = new TextEncoder().encode(name);
    if (bytes.length >= LIMIT || this.offset + bytes.length + 30 + nameBytes.length >= LIMIT || this.count >= 0xffff)
      throw new Error('the archive would pass ZIP\'s 4 GB or 65,535-entry limit');
    const crc = crc32(bytes);
    const header = (size, central) => {
      const h = new DataView(new ArrayBuffer((central ? 46 : 30) + nameBytes.length));
      let at = 0;
      const u32 = (v) => { h.setUint32(at, v, true); at += 4; };
      const u16 = (v) => { h.setUint16(at, v, true); at += 2; };
      u32(central ? 0x02014b50 : 0x04034b50);
      if (central) u16(20); // version made by
      u16(20); // version needed
      u16(0x0800); // UTF-8 names
      u16(0); // stored
      u16(this.stamp.time);
      u16(this.stamp.date);
      u32(crc);
      u32(size);
      u32(size);
      u16(nameBytes.length);
      u16(0); // extra
      if (central) {
        u16(0); // comment
        u16(0); // disk
        u16(0); // internal attributes
        u32(0); // external attributes
        u32(this.offset);
      }
      new Uint8Array(h.buffer).set(nameBytes, at);
      return new Uint8Array(h.buffer);
    };
    const local = header(bytes.length, false);
    this.central.push(header(bytes.length, true));
    this.parts.push(new Blob([local, bytes]));
    this.offset += local.length + bytes.length;
    this.count += 1;
    return name;
  }

  // The archive as a Blob.
  finish() {
    const size = this.central.reduce((a, c) => a + c.length, 0);
    const end = new DataView(new ArrayBuffer(22));
    end.setUint32(0, 0x06054b50, true);
    end.setUint16(8, this.count, true);
    end.setUint16(10, this.count, true);
    end.setUint32(12, size, true);
    end.setUint32(16, this.offset, true);
    return new Blob([...this.parts, ...this.central, new Uint8Array(end.buffer)], { type: 'application/zip' });
  }
}
