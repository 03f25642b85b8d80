// The model-card window's text (web/model_card_text.js) from the shipped cards: it says how each number was
// fitted as the card says it (the temperature with the threshold, on the cross-fitted pool, not on val), and
// carries what the card says about the data (sources in pretraining only, the licence).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from '../../tools/lib/node_runtime.mjs';
import { modelCardText } from '../../web/model_card_text.js';

const card = (name) => JSON.parse(fs.readFileSync(path.join(ROOT, 'models', `${name}.json`), 'utf8'));

test('the shipped classifiers\' temperature is said to be fitted where the threshold was', () => {
  for (const name of ['covid_normal', 'covid_pneumonia']) {
    const c = card(name);
    const text = modelCardText(c);
    assert.match(text, new RegExp(`version ${c.version.replace(/\./g, '\\.')}`));
    assert.ok(text.includes('fitted on the same predictions as the threshold'), name);
    assert.ok(!text.includes('fitted on the validation split'), name);
    assert.ok(text.includes(c.training_data.splits_used), name);
    for (const l of c.known_limitations) assert.ok(text.includes(`- ${l}`), name);
    assert.ok(text.includes(c.license), name);
  }
});

test('a card without a threshold rule keeps the older wording', () => {
  const { threshold_rule: _, ...old } = card('covid_normal');
  assert.ok(modelCardText(old).includes('fitted on the validation split'));
});
