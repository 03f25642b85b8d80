#!/usr/bin/env node
// Writes docs/screenshot.png: the page in headless Chromium with a real X-ray, its result, heatmap and
// lung outline.  node tools/docs_screenshot.mjs [--dpr N] [IMAGE] [OUT.png]   (after `make build`)
// With --dpr 2 (a high-DPI screen) the default output is docs/screenshot_dpr2.png.
import path from 'node:path';

import { ROOT } from './lib/node_runtime.mjs';
import { ORIGINALS, clickWidget, defaultModels, launch, openAcceptedApp, prepareSite, startServer } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--dpr');
const dpr = at >= 0 ? Number(args.splice(at, 2)[1]) : 1;
const image = args[0] ?? path.join(ORIGINALS, 'ryct.2020200028.fig1a.jpeg');
const out = args[1] ?? path.join(ROOT, dpr === 1 ? 'docs/screenshot.png' : `docs/screenshot_dpr${dpr}.png`);
const server = await startServer(prepareSite(defaultModels(), 'docs-site'));
const browser = await launch({ deviceScaleFactor: dpr, ...(dpr === 1 ? {} : { viewport: { width: 1100, height: 690 } }) });
try {
  const { page } = await openAcceptedApp(browser.context, server.url);
  await page.setInputFiles('#file', image);
  await page.waitForFunction(() => document.getElementById('result').dataset.file, null, { timeout: 60_000 });
  await clickWidget(page, 'lung-outline');
  await page.waitForTimeout(500);
  await page.screenshot({ path: out });
  console.log(await page.textContent('#result'));
} finally {
  await browser.close();
  server.close();
}
