// The page's and the analysis worker's scripts are fetched at once, not one level of imports after
// another: web/index.html preloads every module of the page's start, and analysis_worker.js imports every
// module below it directly. These lists are written by hand; this test says what is missing or extra.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

// The modules a file imports statically ('./name' only: the site's modules sit side by side).
function imports(name) {
  const file = path.join(WEB, name);
  if (!fs.existsSync(file)) return []; // made by scripts/assemble_site.sh from npm (dicom_parser.mjs): no imports
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"();]*?['"]\.\/([^'"]+)['"]/gm)].map((m) => m[1]);
}

function closure(roots) {
  const seen = new Set();
  const todo = [...roots];
  while (todo.length) {
    const name = todo.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    todo.push(...imports(name));
  }
  return seen;
}

const sorted = (set) => [...set].sort();

test('the import reader sees static imports only', () => {
  assert.deepEqual(sorted(new Set(imports('boot.js'))), ['analysis_client.js', 'models.js', 'wasm_module.js']);
  assert.ok(!imports('batch.js').includes('client_zip.mjs'), 'a dynamic import is not a start-up module');
});

test('index.html preloads every module of the page start (boot.js, its imports, main.js and its imports)', () => {
  const html = fs.readFileSync(path.join(WEB, 'index.html'), 'utf8');
  const preloaded = new Set([...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]));
  const start = closure(['boot.js', 'main.js']); // boot.js imports main.js dynamically, at once
  start.delete('boot.js'); // the page's script itself
  assert.deepEqual(sorted(preloaded), sorted(start));
});

test('analysis_worker.js imports every module below it directly', () => {
  const direct = new Set(imports('analysis_worker.js'));
  const below = closure(['analysis_worker.js']);
  below.delete('analysis_worker.js');
  assert.deepEqual(sorted(direct), sorted(below));
});
