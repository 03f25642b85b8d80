// Offline and private by construction (issue 8), in Debian's Chromium: after one online visit the page
// loads and analyses an image and evaluates a small labelled folder with the browser offline and the
// server stopped, for build/site and for dist/; no request reaches the network during either; no request ever goes to another origin; the
// CSP header is there and blocks an injected inline script; a new build replaces the cache.
//
// "Reaches the network" means: a request issued by the service worker itself (request.serviceWorker()),
// or a request of the page that the service worker did not answer (no response, or a response with
// fromServiceWorker() false). Requests the service worker answers from its cache are listed by
// Playwright too; they are counted apart and reported, not treated as network requests. blob: and
// data: URLs never leave the browser and are not counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from '../../tools/lib/node_runtime.mjs';
import { makeDist, serverHeaders, stampSite } from '../../tools/make_dist.mjs';
import { makeLabelledFolder } from '../fixtures/labelled_folder.mjs';
import { ORIGINALS, PY, defaultModels, launch, openApp, prepareSite, startServer } from './harness.mjs';

const IMAGE = path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg');
const SITE_DIR = prepareSite(defaultModels(), 'e2e-offline-site');
stampSite(SITE_DIR); // the precache list must name the models the copy holds
const DIST_DIR = path.join(ROOT, 'build/e2e-offline-dist');
const dist = makeDist(SITE_DIR, DIST_DIR);
const labelled = makeLabelledFolder({ covid: 3, normal: 3 });
let browser;
const requests = []; // every request of the browser context: pages and service workers

before(async () => {
  browser = await launch();
  browser.context.on('request', (r) => requests.push(r));
});
after(async () => {
  await browser?.close();
  fs.rmSync(labelled.root, { recursive: true, force: true });
});

const isLocal = (r) => ['blob:', 'data:'].includes(new URL(r.url()).protocol);

async function reachesNetwork(r) {
  if (isLocal(r)) return false;
  if (r.serviceWorker()) return true;
  const res = await r.response();
  return !res || !res.fromServiceWorker();
}

const swBuild = (dir) => JSON.parse(fs.readFileSync(path.join(dir, 'sw.js'), 'utf8').match(/\/\* build \*\/ (.*) \/\* end build \*\//)[1]);
const pageVersion = (page) => page.evaluate(() => ({ ...document.getElementById('version')?.dataset }));
const waitReady = (page) => page.waitForFunction(() => document.documentElement.dataset.state === 'ready', null, { timeout: 60_000 });

// Injects an inline script; returns whether it ran and the CSP directives it violated.
function injectInlineScript(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const violated = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      violated.push(e.violatedDirective);
      resolve({ ran: globalThis.__inlineRan === true, violated });
    });
    const s = document.createElement('script');
    s.textContent = 'globalThis.__inlineRan = true;';
    document.head.append(s);
    setTimeout(() => resolve({ ran: globalThis.__inlineRan === true, violated }), 2000);
  }));
}

// One online visit, then the network off (context offline and server stopped): reload, analyse.
async function offlineFlow(t, dir) {
  const server = await startServer(dir);
  const origin = new URL(server.url).origin;
  const first = requests.length;
  const build = swBuild(dir);
  let page;
  try {
    const opened = await openApp(browser.context, server.url);
    page = opened.page;
    assert.equal(await page.evaluate(() => document.documentElement.dataset.state), 'ready', await page.textContent('#status'));
    await page.waitForFunction(() => document.getElementById('version')?.dataset.offline === 'ready', null, { timeout: 60_000 });
    assert.equal((await pageVersion(page)).version, build.version);
    // the service worker revalidates what the page has loaded (a 304: no body again) and downloads the
    // rest, such as Model 2, which the page fetches only when first used
    const swBody = async (name) => {
      const q = requests.slice(first).find((r) => r.serviceWorker() && name.test(new URL(r.url()).pathname));
      assert.ok(q, `the service worker fetched ${name}`);
      return (await q.sizes()).responseBodySize;
    };
    assert.equal(await swBody(/\/xraylens(\.[0-9a-f]+)?\.wasm$/), 0, 'the module is not downloaded twice');
    if (defaultModels() === 'shipped') assert.ok(await swBody(/\/covid_pneumonia(\.[0-9a-f]+)?\.ort$/) > 0);
    const cached = await page.evaluate(async (v) => (await (await caches.open(`xraylens-${v}`)).keys()).map((r) => r.url), build.version);
    assert.deepEqual(cached.sort(), build.files.map((f) => new URL(f, server.url).href).sort(), 'every file of the build is cached');
    assert.ok(build.files.some((f) => f.endsWith('.ort')), 'the models are precached');
    // one application module: the DICOM codecs (loaded on demand) are the only other wasm
    const wasm = build.files.filter((f) => f.endsWith('.wasm') && !/^codecs[./]/.test(f));
    assert.deepEqual(wasm.map((f) => f.replace(/\.[0-9a-f]{10}\.wasm$/, '.wasm')), ['xraylens.wasm']);
    assert.deepEqual(opened.errors, []);
    const onlineStatus = await page.textContent('#status');

    await browser.context.setOffline(true);
    server.close();
    const nav = await page.reload();
    await waitReady(page);
    assert.ok(nav.fromServiceWorker(), 'the page itself comes from the service worker');
    assert.match(nav.headers()['content-security-policy'] ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
    assert.equal(await page.textContent('#status'), onlineStatus, 'the same models are ready offline as online');

    const start = requests.length;
    await page.setInputFiles('#file', IMAGE);
    await page.waitForFunction(() => document.getElementById('result').dataset.verdict, null, { timeout: 30_000 });
    const during = requests.slice(start);
    const network = [];
    for (const r of during) if (await reachesNetwork(r)) network.push(r.url());
    t.diagnostic(`during analysis: ${during.length} requests in all, ${network.length} reaching the network`);
    assert.deepEqual(network, [], 'no request reaches the network during analysis');
    assert.ok(['POSITIVE', 'NEGATIVE'].includes(await page.evaluate(() => document.getElementById('result').dataset.verdict)));

    // a labelled folder evaluated offline (Your data): nothing reaches the network either
    const batchStart = requests.length;
    await page.setInputFiles('#folder', labelled.dir);
    await page.waitForFunction(() => document.getElementById('your-data').dataset.evaluated === 'yes', null, { timeout: 120_000 });
    assert.equal(await page.evaluate(() => document.getElementById('your-data').dataset.labelled), String(labelled.files.length));
    const batchNetwork = [];
    for (const r of requests.slice(batchStart)) if (await reachesNetwork(r)) batchNetwork.push(r.url());
    assert.deepEqual(batchNetwork, [], 'no request reaches the network while a labelled folder is evaluated');

    const csp = await injectInlineScript(page);
    assert.equal(csp.ran, false, 'the injected inline script did not run');
    assert.ok(csp.violated.some((d) => d.startsWith('script-src')), `violations: ${csp.violated}`);

    const mine = requests.slice(first);
    for (const r of mine) assert.ok(isLocal(r) || new URL(r.url()).origin === origin, `request to another origin: ${r.url()}`);
    return { page, mine };
  } finally {
    await browser.context.setOffline(false);
    server.close();
  }
}

test('build/site: after one visit the page loads and analyses offline, from the service worker', async (t) => {
  const { page } = await offlineFlow(t, SITE_DIR);
  await page.close();
});

test('dist/: hashed names, gzip transfer, and the same offline flow', async (t) => {
  t.diagnostic(`dist: ${dist.files.length} files, ${dist.gzipBytes} bytes gzipped`);
  const { headers } = serverHeaders();
  const rules = fs.readFileSync(path.join(DIST_DIR, '_headers'), 'utf8');
  for (const [k, v] of Object.entries(headers)) if (k !== 'Cache-Control') assert.ok(rules.includes(`  ${k}: ${v}\n`), `_headers: ${k}`);
  assert.doesNotMatch(rules, /'unsafe-inline'|'unsafe-eval'/);
  const index = fs.readFileSync(path.join(DIST_DIR, 'index.html'), 'utf8');
  assert.match(index, /<meta http-equiv="Content-Security-Policy" content="default-src 'self';[^"]*">/);
  assert.doesNotMatch(index, /frame-ancestors/);

  const { page, mine } = await offlineFlow(t, DIST_DIR);
  const hashed = /\.[0-9a-f]{10}(\.[a-z]+$|\/)/;
  for (const r of mine.filter((q) => !isLocal(q))) {
    const p = new URL(r.url()).pathname;
    assert.ok(p === '/' || p === '/sw.js' || hashed.test(p), `unhashed name: ${p}`);
  }
  const wasm = mine.find((r) => /\/xraylens\.[0-9a-f]{10}\.wasm$/.test(r.url()) && !r.serviceWorker());
  assert.equal((await (await wasm.response()).allHeaders())['content-encoding'], 'gzip', 'the module travels gzipped');
  await page.close();
});

test('a new build replaces the old cache and the page says which build it runs', async () => {
  const server = await startServer(SITE_DIR);
  try {
    const { page } = await openApp(browser.context, server.url);
    await page.waitForFunction(() => document.getElementById('version')?.dataset.offline === 'ready', null, { timeout: 60_000 });
    const v1 = (await pageVersion(page)).version;
    fs.appendFileSync(path.join(SITE_DIR, 'style.css'), '\n/* a new build */\n');
    const v2 = stampSite(SITE_DIR);
    assert.notEqual(v1, v2);
    // This load is served by the old build; offline.js asks for an update, the browser fetches the new
    // sw.js and installs it. Chromium runs that update no sooner than a minute after the last install.
    await page.reload();
    await waitReady(page);
    const deadline = Date.now() + 120_000;
    while ((await page.evaluate(() => caches.keys())).join() !== `xraylens-${v2}`) {
      assert.ok(Date.now() < deadline, 'the new build did not replace the old cache within 120 s');
      await page.waitForTimeout(250);
    }
    await page.reload();
    await waitReady(page);
    assert.equal((await pageVersion(page)).version, v2);
    assert.match(await page.textContent('#version'), new RegExp(`XRayLens build ${v2}`));
    await page.close();
  } finally {
    server.close();
  }
});

test('the offline bundle holds dist/, serve.py and the README, and its serve.py serves the page', async () => {
  const zip = path.join(ROOT, 'build/e2e-offline.zip');
  const out = path.join(ROOT, 'build/e2e-offline-unzipped');
  execFileSync(PY, [path.join(ROOT, 'tools/make_offline_zip.py'), DIST_DIR, zip]);
  fs.rmSync(out, { recursive: true, force: true });
  execFileSync(PY, ['-m', 'zipfile', '-e', zip, out]);
  const top = path.join(out, 'xraylens-offline');
  assert.deepEqual(fs.readdirSync(top).sort(), ['README-OFFLINE.txt', 'dist', 'serve.py']);
  assert.match(fs.readFileSync(path.join(top, 'README-OFFLINE.txt'), 'utf8'), /py serve\.py --dir dist/);
  assert.ok(!dist.files.some((f) => !fs.existsSync(path.join(top, 'dist', f))), 'every file of dist/ is in the bundle');
  const proc = execFileSync(PY, ['-c', `
import subprocess, sys, time, urllib.request
p = subprocess.Popen([sys.executable, 'serve.py', '--dir', 'dist', '--port', '0', '--quiet'], stdout=subprocess.PIPE, text=True)
url = p.stdout.readline().split()[2]
try:
    print(urllib.request.urlopen(url).read().decode()[:400])
finally:
    p.terminate()
`], { cwd: top, encoding: 'utf8' });
  assert.match(proc, /xraylens-version/);
});
