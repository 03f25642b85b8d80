// `tools/predict.mjs --truth DIR_OR_CSV --summary`: the "Your data" figures of the core for a labelled
// folder (folder names) and for a label table, against the Python reference (tests/python/site_metrics_ref.py:
// scikit-learn, SciPy, numpy DeLong) on the same predictions. Tiny contract models (tests/fixtures).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT } from '../../tools/lib/node_runtime.mjs';
import { makeLabelledFolder } from '../fixtures/labelled_folder.mjs';

const PY = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xr-summary-'));
const models = path.join(tmp, 'models');
execFileSync(PY, [path.join(ROOT, 'tests/fixtures/make_tiny_models.py'), models]);
const set = makeLabelledFolder({ covid: 20, normal: 21, pneumonia: 3 }, tmp);
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function predict(args) {
  const r = spawnSync('node', [path.join(ROOT, 'tools/predict.mjs'), '--models-dir', models, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// The Python reference's figures for the cases the core counted.
function reference(summary) {
  const pairs = summary.cases.p.map((p, i) => `${p} ${summary.cases.positive[i]}`).join('\n') + '\n';
  return JSON.parse(execFileSync(PY, [path.join(ROOT, 'tests/python/site_metrics_ref.py'), String(summary.threshold)], { input: pairs, encoding: 'utf8' }));
}

const close = (a, b, what) => {
  if (Array.isArray(b)) return b.forEach((x, i) => close(a[i], x, `${what}[${i}]`));
  assert.ok(Math.abs(a - b) <= 1e-9, `${what}: ${a} against ${b}`);
};

test('a labelled folder: the summary has the issue\'s fields and equals the Python reference', () => {
  const s = predict(['--model', 'covid-normal', '--truth', set.dir, '--summary']);
  for (const k of ['n_pos', 'n_neg', 'auc', 'auc_ci', 'sensitivity', 'specificity', 'threshold', 'site_threshold']) assert.ok(k in s, k);
  assert.equal(s.model, 'covid-normal');
  assert.equal(s.labelled, 44);
  assert.equal(s.other_class, 3, 'pneumonia is not Model 1\'s');
  assert.equal(s.n_pos + s.n_neg + s.gate_refused + s.no_result, 41);
  assert.equal(s.cases.p.length, s.n_pos + s.n_neg);
  const card = JSON.parse(fs.readFileSync(path.join(models, 'covid_normal.json'), 'utf8'));
  assert.equal(s.threshold, card.threshold);
  const ref = reference(s);
  close(s.auc, ref.auc, 'auc');
  close(s.auc_ci, ref.auc_ci, 'auc_ci');
  for (const k of ['sensitivity', 'sensitivity_ci', 'specificity', 'specificity_ci', 'ece']) close(s[k], ref[k], k);
  const at95 = ref.site_thresholds['0.95'];
  if (s.n_pos >= 20 && s.n_neg >= 20) close(s.site_threshold, at95.threshold, 'site_threshold');
  else assert.equal(s.site_threshold, null);
});

test('a label table gives the same figures as the folder names; conflicts are reported', () => {
  const folder = predict(['--model', 'covid-normal', '--truth', set.dir, '--summary']);
  // the same files, flat, labelled by a TSV beside them
  const flat = path.join(tmp, 'flat');
  fs.mkdirSync(flat);
  const lines = ['file\tdiagnosis'];
  for (const f of set.files) {
    fs.copyFileSync(path.join(set.dir, f.path), path.join(flat, path.basename(f.path)));
    lines.push(`${path.basename(f.path)}\t${f.label}`);
  }
  fs.writeFileSync(path.join(flat, 'labels.tsv'), lines.join('\n') + '\n');
  const table = predict(['--model', 'covid-normal', '--truth', path.join(flat, 'labels.tsv'), '--summary']);
  for (const k of ['n_pos', 'n_neg']) assert.equal(table[k], folder[k], k);
  // the rows come in another order, so sums may differ in their last bit
  for (const k of ['auc', 'auc_ci', 'sensitivity', 'specificity']) close(table[k], folder[k], k);
  assert.equal(table.site_threshold, folder.site_threshold);
  assert.equal(table.labels_from_tables, 44);

  // a table that disagrees with a folder name: reported, the file left out
  const first = set.files.find((f) => f.label === 'covid');
  fs.writeFileSync(path.join(set.dir, 'labels.csv'), `file,label\n${first.path},normal\n`);
  try {
    const both = predict(['--model', 'covid-normal', '--truth', set.dir, '--summary']);
    assert.equal(both.label_conflicts, 1);
    assert.match(both.label_problems.join(' '), /conflicting labels/);
    assert.equal(both.labelled, 43);
  } finally {
    fs.rmSync(path.join(set.dir, 'labels.csv'));
  }
});

test('--model both gives one object per model; Model 2 counts pneumonia against COVID-19', () => {
  const s = predict(['--truth', set.dir, '--summary']);
  assert.deepEqual(Object.keys(s), ['covid-normal', 'covid-pneumonia']);
  assert.equal(s['covid-pneumonia'].other_class, 21);
  assert.ok(s['covid-pneumonia'].n_neg <= 3);
  assert.equal(s['covid-pneumonia'].site_threshold, null, 'below 20 pneumonia X-rays');
  assert.match(s['covid-pneumonia'].site_thresholds[1].refused, /at least 20/);
});

test('--summary without --truth, or a --truth that does not exist, is a usage error', () => {
  for (const args of [['--summary', 'x.png'], ['--truth', '/no/such/dir', '--summary']]) {
    const r = spawnSync('node', [path.join(ROOT, 'tools/predict.mjs'), ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, args.join(' '));
  }
});
