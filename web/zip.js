// The batch export's ZIP: the archive itself (local headers, CRC-32, central directory, ZIP64 when an entry
// or the archive passes 4 GB or 65,535 entries) is written by client-zip (npm, pinned in package-lock.json;
// the site serves it as client_zip.mjs). This class gives each entry a name not used yet and keeps the
// entries as Blobs, so a large archive is held by the browser's blob store and not as one growing buffer.
// The library is passed in (`{ downloadZip }`), so that the page and Node's tests use the same class.
export class ZipWriter {
  constructor(clientZip, date = new Date()) {
    this.downloadZip = clientZip.downloadZip;
    this.entries = [];
    this.names = new Set();
    this.date = date;
    this.count = 0;
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
    this.entries.push({ name, lastModified: this.date, input: new Blob([bytes]), size: bytes.length });
    this.count += 1;
    return name;
  }

  // The archive as a Blob (stored entries: the PNGs are compressed already).
  async finish() {
    const zip = await this.downloadZip(this.entries).blob();
    return new Blob([zip], { type: 'application/zip' });
  }
}
