// Shared set-up of the browser tests: a site to serve (the real models, or tiny contract models when
// none are trained yet), serve.py on a free port, and Debian's Chromium driven by playwright-core.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

import { ROOT, SITE } from '../../tools/lib/node_runtime.mjs';
import { convertModels } from '../../tools/lib/ort_models.mjs';

export const ORIGINALS = path.resolve(ROOT, '../shared/cxr-data/originals');
export const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// A copy of build/site whose models/ holds `models` ('shipped', 'tiny' or 'none'), in build/NAME.
export function prepareSite(models = 'shipped', name = `e2e-site-${models}`) {
  const dir = path.join(ROOT, 'build', name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(SITE, dir, { recursive: true });
  const modelsDir = path.join(dir, 'models');
  if (models !== 'shipped') fs.rmSync(modelsDir, { recursive: true, force: true });
  fs.mkdirSync(modelsDir, { recursive: true });
  if (models === 'tiny') {
    const tiny = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-tiny-site-'));
    execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_tiny_models.py'), tiny]);
    convertModels(tiny, modelsDir); // as the build installs the shipped ones
  }
  return dir;
}

// The real models when they exist, else the tiny test models.
export function defaultModels() {
  return fs.existsSync(path.join(ROOT, 'models/covid_normal.onnx')) ? 'shipped' : 'tiny';
}

// A folder of real images for batch mode: `count` files from three collections of ../shared/cxr-data
// (mostly 512 px JPEGs), in sub-folders of root/studies, plus a text file and a broken JPEG unless
// `extras` is false. The shared data is only read. Returns { root, dir, images } (paths under dir).
export function makeBatchFolder(count = 220, { extras = true, root = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-batch-')) } = {}) {
  const images = path.resolve(ROOT, '../shared/cxr-data/images');
  const dir = path.join(root, 'studies');
  const out = [];
  for (const [src, share] of [['ieee8023_images', 0.5], ['jsrt', 0.25], ['crd_partial_COVID', 0.25]]) {
    const names = fs.readdirSync(path.join(images, src)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort().slice(0, Math.round(count * share));
    fs.mkdirSync(path.join(dir, src), { recursive: true });
    for (const n of names) {
      fs.copyFileSync(path.join(images, src, n), path.join(dir, src, n));
      out.push(`${src}/${n}`);
    }
  }
  if (extras) {
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an image');
    fs.writeFileSync(path.join(dir, 'broken.jpg'), fs.readFileSync(path.join(dir, out[0])).subarray(0, 200));
  }
  return { root, dir, images: out };
}

// serve.py on a free port; with { captureStderr: true } its stderr is kept (server.stderr()) instead of shown.
export async function startServer(dir, { captureStderr = false } = {}) {
  const proc = spawn(PY, [path.join(ROOT, 'serve.py'), '--dir', dir, '--port', '0', '--quiet'],
    { stdio: ['ignore', 'pipe', captureStderr ? 'pipe' : 'inherit'] });
  let stderr = '';
  proc.stderr?.on('data', (d) => (stderr += d));
  const url = await new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/(http:\/\/[^\s]+)/);
      if (m) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`serve.py exited with ${code}`)));
  });
  return { url, close: () => proc.kill(), stderr: () => stderr };
}

// Debian's Chromium with a fresh profile; `deviceScaleFactor` is window.devicePixelRatio (2: a high-DPI screen).
export async function launch({ deviceScaleFactor = 1, viewport = { width: 1280, height: 800 } } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xraylens-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    deviceScaleFactor,
    acceptDownloads: true,
  });
  return {
    context,
    userDataDir,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// Opens the page and waits until it is ready; collects console errors and every request.
export async function openApp(context, url) {
  const page = await context.newPage();
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.documentElement.dataset.state), null, { timeout: 60_000 });
  return { page, requests, errors };
}

// openApp with the first-start notice accepted (a modal notice takes the clicks), reloaded and ready.
export async function openAcceptedApp(context, url) {
  const opened = await openApp(context, url);
  await opened.page.evaluate(() => localStorage.setItem('xraylens.notice.v1', 'accepted'));
  await opened.page.reload();
  await opened.page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60_000 });
  return opened;
}

// Opens `file` through the page's file input; resolves with the result's data attributes once it is shown.
export async function openFileInPage(page, file) {
  await page.setInputFiles('#file', file);
  await page.waitForFunction((f) => document.getElementById('result').dataset.file === f, path.basename(file), { timeout: 30_000 });
  return page.evaluate(() => ({ ...document.getElementById('result').dataset }));
}

// Clicks an ImGui control at the rectangle the app reported for it in the last frame.
export async function clickWidget(page, name) {
  await page.waitForFunction((n) => globalThis.xraylens?.app.widgetRect(n) !== null, name, { timeout: 10_000 });
  const r = await page.evaluate((n) => globalThis.xraylens.app.widgetRect(n), name);
  await page.mouse.move(r.x + r.w / 2, r.y + r.h / 2);
  await page.mouse.down();
  await page.waitForTimeout(50);
  await page.mouse.up();
}

// The notice accepted (once per browser context).
export async function acceptNotice(page) {
  if (await page.evaluate(() => localStorage.getItem('xraylens.notice.v1'))) return;
  await clickWidget(page, 'accept');
  await page.waitForFunction(() => localStorage.getItem('xraylens.notice.v1') === 'accepted');
}

export async function waitForResult(page, predicate) {
  await page.waitForFunction(predicate, null, { timeout: 30_000 });
  return page.evaluate(() => ({ ...document.getElementById('result').dataset, text: document.getElementById('result').textContent }));
}

// Privacy: every request went to the page's own origin (or a blob:/data: URL) as a GET, and none carried
// `image`'s bytes.
export function assertOnlyOwnGets(requests, origin, image) {
  for (const req of requests) {
    const u = new URL(req.url());
    assert.ok(u.origin === origin || ['blob:', 'data:'].includes(u.protocol), `request to ${req.url()}`);
    assert.equal(req.method(), 'GET');
    const body = req.postDataBuffer();
    if (body) assert.equal(body.includes(image.subarray(600, 664)), false);
  }
}
