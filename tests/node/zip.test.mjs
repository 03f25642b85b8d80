// The batch export's store-only ZIP writer (web/zip.js), read back by Python's zipfile (every CRC
// checked), and the CSV helpers the predictor and the batch export share (web/csv.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import { ZipWriter, crc32 } from '../../web/zip.js';
import { CSV_HEADER, csvField, csvRow } from '../../web/csv.js';

const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

test('crc32 agrees with zlib', () => {
  for (const n of [0, 1, 7, 1000, 65537]) {
    const bytes = crypto.randomBytes(n);
    assert.equal(crc32(bytes), zlib.crc32(bytes));
  }
});

test('a store-only ZIP reads back with every entry, name and byte', async () => {
  const zip = new ZipWriter(new Date(2026, 10, 26, 12, 30, 10));
  const entries = [
    ['a/POSITIVE_Prob_91_Name_x.png', crypto.randomBytes(5000)],
    ['outside_the_models_scope/b/NEGATIVE_Prob_3_Name_ü é.png', crypto.randomBytes(1)],
    ['empty.png', new Uint8Array(0)],
  ];
  for (const [name, bytes] of entries) zip.add(name, bytes);
  assert.equal(zip.add('empty.png', new Uint8Array([1, 2])), 'empty (2).png', 'a repeated name gets a number');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xr-zip-')), 'out.zip');
  fs.writeFileSync(file, new Uint8Array(await zip.finish().arrayBuffer()));
  const code = [
    'import sys, zipfile, json, hashlib',
    'z = zipfile.ZipFile(sys.argv[1])',
    'print(json.dumps({"bad": z.testzip(), "entries": [[i.filename, hashlib.sha256(z.read(i)).hexdigest(), i.date_time[:3]] for i in z.infolist()]}))',
  ].join('\n');
  const got = JSON.parse(execFileSync(PY, ['-c', code, file], { encoding: 'utf8' }));
  assert.equal(got.bad, null);
  const want = [...entries, ['empty (2).png', new Uint8Array([1, 2])]].map(([n, b]) => [n, crypto.createHash('sha256').update(b).digest('hex'), [2026, 11, 26]]);
  assert.deepEqual(got.entries, want);
});

test('CSV fields are quoted as the predictor quotes them', () => {
  assert.equal(CSV_HEADER, 'file,model,p_covid,verdict,threshold,gate,warning,error');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "x"'), '"say ""x"""');
  assert.equal(csvField(undefined), '');
  assert.equal(csvRow(['f.png', 'covid-normal', '0.500000', 'POSITIVE', 0.09, 'ok', '', '']), 'f.png,covid-normal,0.500000,POSITIVE,0.09,ok,,');
});
