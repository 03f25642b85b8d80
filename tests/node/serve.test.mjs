// serve.py: files only, inside its folder, with the page's headers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { startServer } from '../e2e/harness.mjs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-serve-'));
const site = path.join(root, 'site');
fs.mkdirSync(path.join(site, 'sub'), { recursive: true });
fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><p>hi</p>');
fs.writeFileSync(path.join(site, 'a.wasm'), 'wasm');
fs.writeFileSync(path.join(site, 'b.mjs'), 'export {}');
fs.writeFileSync(path.join(site, 'sub', 'file.txt'), 'in sub');
fs.writeFileSync(path.join(root, 'secret.txt'), 'SECRET');
const server = await startServer(site);
after(() => server.close());
const { port } = new URL(server.url);

// A raw request, so that the path reaches the server exactly as written (no client-side normalisation).
function raw(pathPart) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`GET ${pathPart} HTTP/1.0\r\nHost: x\r\n\r\n`));
    let buf = '';
    s.on('data', (d) => (buf += d));
    s.on('end', () => resolve({ status: Number(buf.split(' ')[1]), text: buf }));
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
