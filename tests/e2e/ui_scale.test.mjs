// Issue 20's canvas in Chromium: the UI is drawn in device pixels with its font and sizes scaled by
// window.devicePixelRatio (the same layout in CSS pixels at 1 and 2, twice the font pixels), rebuilt when
// the ratio changes on an open page, keyboard navigation (Tab moves the focus from control to control),
// the UI font is DejaVu Sans and the favicon is served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import path from 'node:path';

import { ORIGINALS, clickWidget, defaultModels, launch, openAcceptedApp, openFileInPage, prepareSite, startServer } from './harness.mjs';

let server;
before(async () => {
  server = await startServer(prepareSite(defaultModels(), 'e2e-site-ui'));
});
after(() => server?.close());

const uiState = (page) => page.evaluate(() => globalThis.xraylens.app.uiState());
const rect = (page, name) => page.evaluate((n) => globalThis.xraylens.app.widgetRect(n), name);
const canvasSize = (page) => page.evaluate(() => {
  const c = document.getElementById('canvas');
  return { width: c.width, height: c.height, cssWidth: c.clientWidth, cssHeight: c.clientHeight };
});

// The page at a device pixel ratio: its UI state, canvas size and where two controls are (CSS pixels).
async function measure(ratio) {
  const browser = await launch({ deviceScaleFactor: ratio });
  try {
    const { page, errors } = await openAcceptedApp(browser.context, server.url);
    await page.waitForFunction(() => globalThis.xraylens?.app.widgetRect('open') !== null);
    const out = { ui: await uiState(page), canvas: await canvasSize(page), open: await rect(page, 'open'), compare: await rect(page, 'compare') };
    assert.deepEqual(errors, []);
    return out;
  } finally {
    await browser.close();
  }
}

test('the UI scales with devicePixelRatio: crisp device pixels, the same layout in CSS pixels', async (t) => {
  const one = await measure(1);
  const two = await measure(2);
  t.diagnostic(JSON.stringify({ one, two }));
  assert.equal(one.ui.ratio, 1);
  assert.equal(two.ui.ratio, 2);
  assert.equal(one.ui.fontPx, 15);
  assert.equal(two.ui.fontPx, 30);
  assert.equal(one.canvas.width, one.canvas.cssWidth);
  assert.equal(two.canvas.width, 2 * two.canvas.cssWidth, 'the backing store has a pixel per device pixel');
  assert.equal(two.canvas.height, 2 * two.canvas.cssHeight);
  for (const name of ['open', 'compare'])
    for (const k of ['x', 'y', 'w', 'h'])
      assert.ok(Math.abs(one[name][k] - two[name][k]) <= 1.5, `${name}.${k}: ${one[name][k]} at ratio 1, ${two[name][k]} at 2`);
});

test('a change of the ratio on an open page rebuilds the font and the canvas, and clicks still land', async () => {
  const browser = await launch({ deviceScaleFactor: 1 });
  try {
    const { page, errors } = await openAcceptedApp(browser.context, server.url);
    assert.equal((await uiState(page)).fontPx, 15);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 1.5, mobile: false });
    await page.waitForFunction(() => globalThis.xraylens.app.uiState().ratio === 1.5, null, { timeout: 10_000 });
    assert.equal((await uiState(page)).fontPx, 23); // round(15 * 1.5)
    await page.waitForFunction(() => document.getElementById('canvas').width === Math.round(document.getElementById('canvas').clientWidth * 1.5));
    // a click on the Shortcuts checkbox (its rectangle in CSS pixels) lands on it in the scaled UI
    await openFileInPage(page, path.join(ORIGINALS, 'IM-0640-0001-0001.jpeg'));
    assert.equal((await page.evaluate(() => globalThis.xraylens.app.viewState())).help, false);
    await clickWidget(page, 'help');
    await page.waitForFunction(() => globalThis.xraylens.app.viewState().help === true, null, { timeout: 10_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

// Quick presses, as a fast typist makes them: a press and release between two frames must still count
// (src/app/input_queue.h).

test('Tab moves the keyboard focus from control to control, Shift+Tab back', async () => {
  const browser = await launch({ deviceScaleFactor: 2 });
  try {
    const { page, errors } = await openAcceptedApp(browser.context, server.url);
    await page.focus('#canvas');
    const seen = [];
    const first = (await uiState(page)).focused;
    for (let i = 0; i < 4; ++i) {
      await page.keyboard.press('Tab');
      await page.waitForFunction((before) => globalThis.xraylens.app.uiState().focused !== before, seen.at(-1) ?? first, { timeout: 5_000 });
      seen.push((await uiState(page)).focused);
    }
    assert.equal(new Set(seen).size, 4, `four different controls: ${seen.join(', ')}`);
    assert.equal(seen[0], 'open-many', 'from the first control of the toolbar to the second');
    await page.keyboard.press('Shift+Tab');
    await page.waitForFunction((want) => globalThis.xraylens.app.uiState().focused === want, seen[2], { timeout: 5_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the favicon is served (no 404) and the UI font\'s licence ships with the site', async () => {
  const icon = await fetch(new URL('favicon.svg', server.url));
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type'), /image\/svg\+xml/);
  const licence = await fetch(new URL('licences/DejaVu-fonts.txt', server.url));
  assert.equal(licence.status, 200);
  assert.match(await licence.text(), /Bitstream Vera/);
});
