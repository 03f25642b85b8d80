// serve.py: files only, inside its folder, with the page's headers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import { startServer } from '../e2e/harness.mjs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-serve-'));
const site = path.join(root, 'site');
fs.mkdirSync(path.join(site, 'sub'), { recursive: true });
fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><p>hi</p>');
fs.writeFileSync(path.join(site, 'a.wasm'), 'wasm');
fs.writeFileSync(path.join(site, 'b.mjs'), 'export {}');
fs.writeFileSync(path.join(site, 'sub', 'file.txt'), 'in sub');
fs.writeFileSync(path.join(root, 'secret.txt'), 'SECRET');
const big = 'export const text = "' + 'x-ray '.repeat(2000) + '";\n';
fs.writeFileSync(path.join(site, 'big.js'), big);
fs.writeFileSync(path.join(site, 'big.js.gz'), zlib.gzipSync(big));
fs.writeFileSync(path.join(site, 'link.txt'), 'inside');
fs.writeFileSync(path.join(root, 'secret.txt.gz'), zlib.gzipSync('SECRET'));
fs.symlinkSync(path.join(root, 'secret.txt.gz'), path.join(site, 'link.txt.gz')); // a sibling pointing outside
const server = await startServer(site);
after(() => server.close());
const { port } = new URL(server.url);

// A raw request, so that the path reaches the server exactly as written (no client-side normalisation).
function raw(pathPart, headers = '') {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`GET ${pathPart} HTTP/1.0\r\nHost: x\r\n${headers}\r\n`));
    const chunks = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => {
      const all = Buffer.concat(chunks);
      const text = all.toString('latin1');
      const end = all.indexOf('\r\n\r\n');
      resolve({ status: Number(text.split(' ')[1]), text, head: text.slice(0, end).toLowerCase(), body: all.subarray(end + 4) });
    });
    s.on('error', reject);
  });
}

test('serves files with the right types and headers', async () => {
  const r = await fetch(server.url);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  assert.doesNotMatch(r.headers.get('content-security-policy'), /unsafe-inline/);
  assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  assert.equal((await fetch(server.url + 'a.wasm')).headers.get('content-type'), 'application/wasm');
  assert.match((await fetch(server.url + 'b.mjs')).headers.get('content-type'), /^text\/javascript/);
  assert.equal(await (await fetch(server.url + 'sub/file.txt')).text(), 'in sub');
});

test('refuses path traversal, plain and encoded', async () => {
  for (const p of ['/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt',
    '/sub/%2e%2e/%2e%2e/secret.txt', '/..%5csecret.txt', '/%2e%2e%2f%2e%2e%2fetc/passwd']) {
    const r = await raw(p);
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(r.text, /SECRET/, p);
  }
});

test('never lists a directory', async () => {
  for (const p of ['/sub/', '/sub']) {
    const r = await raw(p);
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(r.text, /file\.txt/, p);
  }
});

test('sends a .gz sibling to clients that accept gzip, and only to them', async () => {
  const gz = await raw('/big.js', 'Accept-Encoding: gzip, deflate, br\r\n');
  assert.equal(gz.status, 200);
  assert.match(gz.head, /\r\ncontent-encoding: gzip\r\n/);
  assert.match(gz.head, /\r\nvary: accept-encoding\r\n/);
  assert.match(gz.head, /\r\ncontent-type: text\/javascript/);
  assert.match(gz.head, /\r\ncontent-security-policy: /);
  assert.equal(zlib.gunzipSync(gz.body).toString(), big);
  for (const h of ['', 'Accept-Encoding: identity\r\n', 'Accept-Encoding: gzip;q=0, br\r\n']) {
    const plain = await raw('/big.js', h);
    assert.doesNotMatch(plain.head, /content-encoding/, h);
    assert.match(plain.head, /\r\nvary: accept-encoding\r\n/, h);
    assert.equal(plain.body.toString(), big, h);
  }
  const none = await raw('/b.mjs', 'Accept-Encoding: gzip\r\n');
  assert.doesNotMatch(none.head, /content-encoding|vary/);
  assert.equal(none.body.toString(), 'export {}');
});

test('a revalidation of an unchanged file (ETag or date) is a 304 without the file; a changed file is sent again', async () => {
  const first = await raw('/sub/file.txt');
  const etag = first.head.match(/\r\netag: ("[^"\r]+")/)?.[1];
  assert.ok(etag, first.head);
  const again = await raw('/sub/file.txt', `If-None-Match: ${etag}\r\n`);
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.match(again.head, /\r\ncontent-security-policy: /);
  // the gzip sibling has a validator of its own: the plain file's does not revalidate it
  const gz = await raw('/big.js', 'Accept-Encoding: gzip\r\n');
  const plainTag = (await raw('/big.js')).head.match(/\r\netag: ("[^"\r]+")/)[1];
  assert.equal((await raw('/big.js', `Accept-Encoding: gzip\r\nIf-None-Match: ${plainTag}\r\n`)).status, 200);
  assert.equal((await raw('/big.js', `Accept-Encoding: gzip\r\nIf-None-Match: ${gz.head.match(/\r\netag: ("[^"\r]+")/)[1]}\r\n`)).status, 304);
  // Last-Modified too, for a client that sends only a date
  const lastModified = first.head.match(/\r\nlast-modified: ([^\r]+)/)?.[1];
  assert.ok(lastModified, first.head);
  assert.equal((await raw('/sub/file.txt', `If-Modified-Since: ${lastModified}\r\n`)).status, 304);
  assert.equal((await raw('/sub/file.txt', 'If-Modified-Since: Sat, 01 Jan 2000 00:00:00 GMT\r\n')).status, 200);
  assert.equal((await raw('/sub/file.txt', 'If-Modified-Since: not a date\r\n')).status, 200);
  fs.writeFileSync(path.join(site, 'sub', 'file.txt'), 'in sub, changed');
  const changed = await raw('/sub/file.txt', `If-None-Match: ${etag}\r\n`);
  assert.equal(changed.status, 200);
  assert.equal(changed.body.toString(), 'in sub, changed');
  fs.writeFileSync(path.join(site, 'sub', 'file.txt'), 'in sub');
});

test('HTTP/1.1: one connection carries several requests, a 304 among them (so browsers revalidate by ETag)', async () => {
  const etag = (await raw('/sub/file.txt')).head.match(/\r\netag: ("[^"\r]+")/)[1];
  const text = await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(
      'GET /sub/file.txt HTTP/1.1\r\nHost: x\r\n\r\n' +
      `GET /sub/file.txt HTTP/1.1\r\nHost: x\r\nIf-None-Match: ${etag}\r\n\r\n` +
      'GET /a.wasm HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    const chunks = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    s.on('error', reject);
  });
  assert.deepEqual([...text.matchAll(/HTTP\/(1\.\d) (\d{3}) [A-Z]/g)].map((m) => `${m[1]} ${m[2]}`), ['1.1 200', '1.1 304', '1.1 200'], text);
  assert.match(text, /\r\n\r\nin subHTTP\/1\.1 304/); // the first body is exactly its Content-Length
  assert.ok(text.endsWith('\r\n\r\nwasm'), text);
});

test('the gzip path keeps the traversal and listing guarantees', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/sub/', '/sub']) {
    const r = await raw(p, 'Accept-Encoding: gzip\r\n');
    assert.equal(r.status, 404, p);
    assert.doesNotMatch(r.text, /SECRET|file\.txt/, p);
  }
  // a sibling that resolves outside the folder is never sent
  const link = await raw('/link.txt', 'Accept-Encoding: gzip\r\n');
  assert.equal(link.status, 200);
  assert.doesNotMatch(link.head, /content-encoding/);
  assert.equal(link.body.toString(), 'inside');
});

test('a client that hangs up mid-download is not an error, and the server goes on serving', async () => {
  const dir = path.join(root, 'hangup');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'index.html'), 'ok');
  fs.writeFileSync(path.join(dir, 'huge.bin'), Buffer.alloc(32 << 20, 7)); // larger than the socket buffers
  const own = await startServer(dir, { captureStderr: true });
  try {
    const { port: p } = new URL(own.url);
    for (let i = 0; i < 3; ++i) {
      await new Promise((resolve) => {
        const s = net.connect(p, '127.0.0.1', () => s.write('GET /huge.bin HTTP/1.0\r\nHost: x\r\n\r\n'));
        s.once('data', () => { s.resetAndDestroy(); setTimeout(resolve, 200); });
      });
    }
    // a kept-alive connection dropped between requests (a browser closing)
    for (let i = 0; i < 3; ++i) {
      await new Promise((resolve) => {
        const s = net.connect(p, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
        s.once('data', () => setTimeout(() => { s.resetAndDestroy(); setTimeout(resolve, 200); }, 50));
      });
    }
    assert.equal(await (await fetch(own.url)).text(), 'ok');
    assert.doesNotMatch(own.stderr(), /Traceback|BrokenPipe|ConnectionReset/);
  } finally {
    own.close();
  }
});
