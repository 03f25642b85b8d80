#!/usr/bin/env node
// The headless predictor: the page's analysis (one C++ call with ONNX Runtime built from C++, the
// one module xraylens.wasm of build/site, through web/analysis.js), run under Node: by default on the models
// the page loads (the site's .ort files), with --models-dir on the .onnx files of DIR and their cards.
//   node tools/predict.mjs [--model covid-normal|covid-pneumonia|both] [--models-dir DIR] [--list FILE] [FILE...]
//   node tools/predict.mjs --model covid-normal --truth DIR_OR_CSV --summary
// Writes CSV to stdout, one row per file and model. Exit status 0 whenever the list was processed.
// --truth: a labelled set, as the page's labelled batch reads it (src/core/truth_labels.h): a folder whose
// sub-folders are named covid, normal or pneumonia and/or that holds CSV/TSV label tables, or one such
// table (the files are those of its folder). --summary prints, instead of the CSV, one JSON object: the
// "Your data" figures of the page (n_pos, n_neg, auc, auc_ci, sensitivity, specificity, threshold,
// site_threshold, ...; docs/YOUR_DATA.md), computed by the same C++; with --model both, one per model.
// Every format the page opens, and DICOM (by content). `gate` is `ok` or `rejected:<reason>` (colour, blank, noise, lateral, not_a_frontal_chest_xray); a rejected
// file still gets p_covid and verdict, as the page's "analyse anyway" would, so that evaluations can
// choose whether to count it.
import fs from 'node:fs';
import path from 'node:path';

import { CSV_HEADER, csvRow } from '../web/csv.js';
import { MODELS } from '../web/models.js';
import { createNodeAnalysis } from './lib/node_runtime.mjs';

const USAGE =
  'usage: node tools/predict.mjs [--model covid-normal|covid-pneumonia|both] [--models-dir DIR] [--list FILE] [--truth DIR_OR_CSV [--summary]] [FILE...]';

function parseArgs(argv) {
  const opts = { model: 'both', modelsDir: undefined, files: [], truth: undefined, summary: false };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--model') opts.model = value();
    else if (a === '--models-dir') opts.modelsDir = value();
    else if (a === '--list') opts.files.push(...fs.readFileSync(value(), 'utf8').split(/\r?\n/).filter((l) => l.length > 0));
    else if (a === '--truth') opts.truth = value();
    else if (a === '--summary') opts.summary = true;
    else if (a === '--help' || a === '-h') throw new Error('');
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.files.push(a);
  }
  const keys = MODELS.map((m) => m.key);
  if (opts.model !== 'both' && !keys.includes(opts.model)) throw new Error(`unknown model ${opts.model}`);
  opts.keys = opts.model === 'both' ? keys : [opts.model];
  if (opts.summary && !opts.truth) throw new Error('--summary needs --truth DIR_OR_CSV');
  if (opts.truth && !fs.existsSync(opts.truth)) throw new Error(`--truth ${opts.truth}: no such file or folder`);
  if (opts.files.length === 0 && !opts.truth) throw new Error('no input files');
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
  const labelled = opts.truth ? labelledSet(opts.truth, opts.files, analysis.module) : null;
  const files = labelled ? labelled.files : opts.files;
  const predictions = new Map(opts.keys.map((k) => [k, []])); // per model, one { p, gateOk } per file
  const out = [CSV_HEADER];
  const row = (fields) => out.push(csvRow(fields));
  for (const file of files) {
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
      predictions.get(key).push({ p: x && !x.error ? x.pCovid : null, gateOk: r.ok && r.gate.ok });
      if (!r.ok) row([file, key, '', '', threshold, '', '', r.error]);
      else if (x.error) row([file, key, '', '', threshold, gate, r.warning, x.error]);
      else row([file, key, x.pCovid.toFixed(6), x.verdict, threshold, gate, r.warning, '']);
    }
    if (opts.summary) out.splice(0);
    else if (out.length > 256) process.stdout.write(out.splice(0).join('\n') + '\n');
  }
  if (!opts.summary) {
    process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
    return;
  }
  const summary = {};
  for (const key of opts.keys) {
    const card = analysis.model(key)?.card;
    summary[key] = JSON.parse(analysis.module.evaluateLabelled({
      model: key, paths: labelled.paths, predictions: predictions.get(key), tables: labelled.tables,
      threshold: card?.threshold ?? NaN, bandLow: card?.inconclusive?.low ?? NaN, bandHigh: card?.inconclusive?.high ?? NaN,
    }));
    if (!analysis.model(key)?.ok) summary[key].error = analysis.model(key)?.error ?? 'model not loaded';
  }
  process.stdout.write(JSON.stringify(opts.keys.length === 1 ? summary[opts.keys[0]] : summary) + '\n');
}

// Every file under dir (sorted, as the page's batch sorts its rows), as paths relative to dir.
function walk(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true })).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return walk(path.join(dir, e.name), rel);
    return e.isFile() ? [rel] : [];
  });
}

// A labelled set: the files to analyse (those given, else every file of the folder), their paths as the
// core's label rules read them (relative to the folder), and the label tables' text.
function labelledSet(truth, given, module) {
  const isDir = fs.statSync(truth).isDirectory();
  const base = isDir ? truth : path.dirname(truth);
  const rel = given.length ? given.map((f) => path.relative(base, f).split(path.sep).join('/')) : walk(base);
  const tablePaths = isDir ? rel.filter((p) => module.isLabelTable(p)) : [path.basename(truth)];
  const tables = tablePaths.map((p) => ({ path: p, text: fs.readFileSync(path.join(base, p), 'utf8') }));
  const paths = rel.filter((p) => !module.isLabelTable(p));
  return { files: paths.map((p) => path.join(base, p)), paths, tables };
}

main();
