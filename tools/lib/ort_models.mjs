// A folder of .onnx models and their cards (the repository's models/, a training run's output, the test
// fixtures) made into what the page loads: each .onnx converted to .ort by the build's full ONNX Runtime
// (build/wasm/ort_convert.cjs; the page's module links the minimal build, which loads .ort only), with
// the site's card naming it (tools/site_models.mjs). Conversions are kept in build/ort-cache/, by the
// .onnx's sha256 and the converter's. An .onnx that does not match its card's sha256 is not converted:
// its bytes go in as they are under the card's digest, so that loading it fails as a tampered .ort does.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { sha256, siteCard, writeSiteModel } from '../site_models.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CONVERTER = path.join(ROOT, 'build/wasm/ort_convert.cjs');
const CACHE = path.join(ROOT, 'build/ort-cache');

let converterDigest = null; // of the converter's wasm, read once per process

// The .ort bytes of `onnx` (bytes), converted once per converter build.
function toOrt(onnx) {
  if (!fs.existsSync(CONVERTER)) throw new Error(`${CONVERTER} not found: run "make build" first`);
  converterDigest ??= sha256(fs.readFileSync(CONVERTER.replace(/\.cjs$/, '.wasm')));
  const key = sha256(Buffer.concat([Buffer.from(converterDigest), onnx]));
  const cached = path.join(CACHE, `${key}.ort`);
  if (!fs.existsSync(cached)) {
    fs.mkdirSync(CACHE, { recursive: true });
    const tmp = `${cached}.${process.pid}`;
    fs.writeFileSync(`${tmp}.onnx`, onnx);
    try {
      execFileSync('node', ['--no-experimental-fetch', CONVERTER, `${tmp}.onnx`, tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
      fs.renameSync(tmp, cached);
    } catch (e) {
      throw new Error(`could not convert the model to .ort: ${String(e.stderr ?? e.message).trim()}`);
    } finally {
      fs.rmSync(`${tmp}.onnx`, { force: true });
    }
  }
  return fs.readFileSync(cached);
}

// Every card in onnxDir with its .onnx beside it, as the site holds it: [{ stem, ort, card }] (none where
// onnxDir does not exist: the models are then "not present", as in an empty folder).
export function siteModels(onnxDir) {
  const names = fs.existsSync(onnxDir) ? fs.readdirSync(onnxDir) : [];
  const out = [];
  for (const name of names.filter((f) => f.endsWith('.json')).sort()) {
    const stem = name.slice(0, -'.json'.length);
    const file = path.join(onnxDir, `${stem}.onnx`);
    if (!fs.existsSync(file)) continue;
    const card = JSON.parse(fs.readFileSync(path.join(onnxDir, name), 'utf8'));
    const onnx = fs.readFileSync(file);
    if (card.sha256 && sha256(onnx) !== card.sha256) out.push({ stem, ort: onnx, card });
    else {
      const ort = toOrt(onnx);
      out.push({ stem, ort, card: siteCard(card, stem, ort) });
    }
  }
  return out;
}

// siteModels(onnxDir) written to outDir/<stem>.ort and outDir/<stem>.json (a site's models/).
export function convertModels(onnxDir, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  for (const { stem, ort, card } of siteModels(onnxDir)) writeSiteModel(outDir, stem, ort, card);
  return outDir;
}
