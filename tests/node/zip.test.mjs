// The batch export's ZIP (web/zip.js over npm client-zip), read back by Python's zipfile (every CRC
// checked), ZIP64 past 65,535 entries, and the CSV helpers the predictor and the batch export share (web/csv.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as clientZip from 'client-zip';

import { ZipWriter } from '../../web/zip.js';
import { CSV_HEADER, csvField, csvRow } from '../../web/csv.js';

const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

// The archive written to a file, and what Python's zipfile reads from it: testzip (every CRC), the entries.
async function readBack(zip) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xr-zip-')), 'out.zip');
  fs.writeFileSync(file, new Uint8Array(await (await zip.finish()).arrayBuffer()));
  const code = [
    'import sys, zipfile, json, hashlib',
    'z = zipfile.ZipFile(sys.argv[1])',
    'raw = open(sys.argv[1], "rb").read()',
    'print(json.dumps({"bad": z.testzip(), "zip64": raw.find(b"PK\\x06\\x06") >= 0, "count": len(z.infolist()), "entries": [[i.filename, hashlib.sha256(z.read(i)).hexdigest(), i.date_time[:3]] for i in z.infolist()[:8]]}))',
  ].join('\n');
  return JSON.parse(execFileSync(PY, ['-c', code, file], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

test('a ZIP reads back with every entry, name and byte', async () => {
  const zip = new ZipWriter(clientZip, new Date(2026, 10, 26, 12, 30, 10));
  const entries = [
    ['a/POSITIVE_Prob_91_Name_x.png', crypto.randomBytes(5000)],
    ['outside_the_models_scope/b/NEGATIVE_Prob_3_Name_ü é.png', crypto.randomBytes(1)],
    ['empty.png', new Uint8Array(0)],
  ];
  for (const [name, bytes] of entries) zip.add(name, bytes);
  assert.equal(zip.add('empty.png', new Uint8Array([1, 2])), 'empty (2).png', 'a repeated name gets a number');
  const got = await readBack(zip);
  assert.equal(got.bad, null);
  const want = [...entries, ['empty (2).png', new Uint8Array([1, 2])]].map(([n, b]) => [n, crypto.createHash('sha256').update(b).digest('hex'), [2026, 11, 26]]);
  assert.deepEqual(got.entries, want);
  assert.equal(got.zip64, false);
});

// client-zip writes ZIP64 records when an entry or the archive passes 4 GiB: an entry of 4 GiB + 12 MiB of
// zeros, streamed (never held), in the entry shape ZipWriter gives it; the archive's tail is parsed here.
test('an entry past 4 GiB makes a ZIP64 archive (central directory extra field, ZIP64 end records)', async () => {
  const chunk = new Uint8Array(1 << 22);
  const size = 2 ** 32 + chunk.length * 3;
  let sent = 0;
  const input = new ReadableStream({
    pull(c) {
      if (sent >= size) c.close();
      else { c.enqueue(chunk); sent += chunk.length; }
    },
  });
  let total = 0, tail = new Uint8Array(0);
  for await (const part of clientZip.makeZip([{ name: 'big.png', lastModified: new Date(2026, 10, 26), input, size }])) {
    total += part.length;
    const joined = new Uint8Array(tail.length + part.length);
    joined.set(tail);
    joined.set(part, tail.length);
    tail = joined.slice(-400);
  }
  const view = new DataView(tail.buffer);
  const find = (sig) => { for (let i = tail.length - 4; i >= 0; --i) if (view.getUint32(i, true) === sig) return i; return -1; };
  const central = find(0x02014b50), end64 = find(0x06064b50), locator = find(0x07064b50), end = find(0x06054b50);
  assert.ok(central >= 0 && end64 > central && locator > end64 && end > locator, 'central entry, ZIP64 end, locator, end');
  assert.equal(view.getUint32(central + 20, true), 0xffffffff, 'the 32-bit size defers to the ZIP64 field');
  const nameLength = view.getUint16(central + 28, true);
  const extra = central + 46 + nameLength;
  assert.equal(view.getUint16(extra, true), 0x0001, 'ZIP64 extended information');
  assert.equal(Number(view.getBigUint64(extra + 4, true)), size);
  assert.equal(Number(view.getBigUint64(end64 + 32, true)), 1, 'one entry');
  assert.equal(total, Number(view.getBigUint64(end64 + 48, true)) + Number(view.getBigUint64(end64 + 40, true)) + 56 + 20 + 22);
});

test('CSV fields are quoted as the predictor quotes them', () => {
  assert.equal(CSV_HEADER, 'file,model,p_covid,verdict,threshold,gate,warning,error');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "x"'), '"say ""x"""');
  assert.equal(csvField(undefined), '');
  assert.equal(csvRow(['f.png', 'covid-normal', '0.500000', 'POSITIVE', 0.09, 'ok', '', '']), 'f.png,covid-normal,0.500000,POSITIVE,0.09,ok,,');
});
