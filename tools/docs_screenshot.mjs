#!/usr/bin/env node
// Writes docs/screenshot.png: the page in headless Chromium with a real X-ray, its result, heatmap and
// lung outline.  node tools/docs_screenshot.mjs [IMAGE] [OUT.png]   (after `make build`)
import path from 'node:path';

import { ROOT } from './lib/node_runtime.mjs';
import { ORIGINALS, clickWidget, defaultModels, launch, openApp, prepareSite, startServer } from '../tests/e2e/harness.mjs';

const image = process.argv[2] ?? path.join(ORIGINALS, 'ryct.2020200028.fig1a.jpeg');
const server = await startServer(prepareSite(defaultModels(), 'docs-site'));
const browser = await launch();
try {
  const { page } = await openApp(browser.context, server.url);
  await page.evaluate(() => localStorage.setItem('xraylens.notice.v1', 'accepted'));
  await page.reload();
  await page.waitForFunction(() => document.documentElement.dataset.state === 'ready');
  await page.setInputFiles('#file', image);
  await page.waitForFunction(() => document.getElementById('result').dataset.file, null, { timeout: 60_000 });
  await clickWidget(page, 'lung-outline');
  await page.waitForTimeout(500);
  await page.screenshot({ path: process.argv[3] ?? path.join(ROOT, 'docs/screenshot.png') });
  console.log(await page.textContent('#result'));
} finally {
  await browser.close();
  server.close();
}
