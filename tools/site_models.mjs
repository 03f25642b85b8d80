// The site's models/: each model's .ort (converted from models/<name>.onnx at build time) and a copy of
// its card that names the file the page loads and its sha256. The card in models/ keeps the digest of
// the .onnx it was written with, as `onnx_sha256` in the site's copy.
// Usage: node tools/site_models.mjs MODELS_DIR ORT_DIR SITE_MODELS_DIR
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

// The site's copy of `card` for the .ort `stem`.ort whose bytes are `ort`.
export function siteCard(card, stem, ort) {
  return { ...card, file: `${stem}.ort`, sha256: sha256(ort), onnx_sha256: card.sha256 };
}

export function writeSiteModel(outDir, stem, ort, card) {
  fs.writeFileSync(path.join(outDir, `${stem}.ort`), ort);
  fs.writeFileSync(path.join(outDir, `${stem}.json`), `${JSON.stringify(card, null, 2)}\n`);
}

function main() {
  const [modelsDir, ortDir, outDir] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: node tools/site_models.mjs MODELS_DIR ORT_DIR SITE_MODELS_DIR');
    process.exit(2);
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of fs.readdirSync(modelsDir).filter((f) => f.endsWith('.json')).sort()) {
    const stem = name.slice(0, -'.json'.length);
    const ort = path.join(ortDir, `${stem}.ort`);
    if (!fs.existsSync(ort)) {
      console.error(`${ort} not found: the build converts models/${stem}.onnx`);
      process.exit(1);
    }
    const bytes = fs.readFileSync(ort);
    const card = JSON.parse(fs.readFileSync(path.join(modelsDir, name), 'utf8'));
    writeSiteModel(outDir, stem, bytes, siteCard(card, stem, bytes));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) main();
