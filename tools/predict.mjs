#!/usr/bin/env node
// The headless predictor: the page's analysis (one C++ call with ONNX Runtime built from C++, the
// one module xraylens.wasm of build/site, through web/analysis.js), run under Node: by default on the models
// the page loads (the site's .ort files), with --models-dir on the .onnx files of DIR and their cards.
//   node tools/predict.mjs [--model covid-normal|covid-pneumonia|both] [--models-dir DIR] [--list FILE] [FILE...]
// Writes CSV to stdout, one row per file and model. Exit status 0 whenever the list was processed.
// Every format the page opens, and DICOM (by content). `gate` is `ok` or `rejected:<reason>` (colour, blank, noise, lateral, not_a_frontal_chest_xray); a rejected
// file still gets p_covid and verdict, as the page's "analyse anyway" would, so that evaluations can
// choose whether to count it.
import fs from 'node:fs';

import { CSV_HEADER, csvRow } from '../web/csv.js';
import { MODELS } from '../web/models.js';
import { createNodeAnalysis } from './lib/node_runtime.mjs';

const USAGE =
  'usage: node tools/predict.mjs [--model covid-normal|covid-pneumonia|both] [--models-dir DIR] [--list FILE] [FILE...]';

function parseArgs(argv) {
  const opts = { model: 'both', modelsDir: undefined, files: [] };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--model') opts.model = value();
    else if (a === '--models-dir') opts.modelsDir = value();
    else if (a === '--list') opts.files.push(...fs.readFileSync(value(), 'utf8').split(/\r?\n/).filter((l) => l.length > 0));
    else if (a === '--help' || a === '-h') throw new Error('');
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.files.push(a);
  }
  const keys = MODELS.map((m) => m.key);
  if (opts.model !== 'both' && !keys.includes(opts.model)) throw new Error(`unknown model ${opts.model}`);
  opts.keys = opts.model === 'both' ? keys : [opts.model];
  if (opts.files.length === 0) throw new Error('no input files');
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e.message) console.error(`predict: ${e.message}`);
    console.error(USAGE);
    process.exit(2);
  }
  const analysis = await createNodeAnalysis({ modelsDir: opts.modelsDir, keys: opts.keys });
  const out = [CSV_HEADER];
  const row = (fields) => out.push(csvRow(fields));
  for (const file of opts.files) {
    let r;
    try {
      const bytes = fs.readFileSync(file);
      r = await analysis.analyse(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), { models: opts.keys, analyseAnyway: true });
    } catch (e) {
      r = { ok: false, error: `cannot read the file (${e.code || e.message})` };
    }
    const gate = r.ok ? (r.gate.ok ? 'ok' : `rejected:${r.gate.reason}`) : '';
    for (const key of opts.keys) {
      const threshold = analysis.model(key)?.card?.threshold ?? '';
      const x = r.ok ? r.results.find((m) => m.key === key) : null;
      if (!r.ok) row([file, key, '', '', threshold, '', '', r.error]);
      else if (x.error) row([file, key, '', '', threshold, gate, r.warning, x.error]);
      else row([file, key, x.pCovid.toFixed(6), x.verdict, threshold, gate, r.warning, '']);
    }
    if (out.length > 256) process.stdout.write(out.splice(0).join('\n') + '\n');
  }
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
}

main();
