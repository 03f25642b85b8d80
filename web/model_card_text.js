// The model card (models/<name>.json) as the text the ImGui model-card window shows: "# " starts a
// section, other lines are wrapped as they are. Pure function, no browser API.

const pct = (x) => `${(x * 100).toFixed(1)}%`;

function fmt(v) {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return `[${v.map(fmt).join(', ')}]`;
  return String(v);
}

// Nested objects as indented "key: value" lines, to a bounded depth.
function flatten(obj, depth = 0, out = []) {
  for (const [k, v] of Object.entries(obj ?? {})) {
    const pad = '  '.repeat(depth);
    if (v !== null && typeof v === 'object' && !(Array.isArray(v) && v.every((x) => typeof x !== 'object'))) {
      if (depth >= 3) continue;
      out.push(`${pad}${k}:`);
      flatten(v, depth + 1, out);
    } else {
      out.push(`${pad}${k}: ${fmt(v)}`);
    }
  }
  return out;
}

export function modelCardText(card) {
  if (!card) return '';
  const lines = [];
  const section = (title, body) => lines.push(`# ${title}`, ...body);
  section('Model', [
    `${card.title} (${card.name}), version ${card.version}${card.test_only ? ' - TEST MODEL, not for use' : ''}`,
    `Contract v${card.contract_version}; file ${card.file ?? card.name + '.onnx'}${card.bytes ? `, ${card.bytes} bytes` : ''}`,
    `sha256 ${card.sha256}`,
    ...(card.architecture ? [`Architecture: ${card.architecture.type}, ${card.architecture.parameters} parameters`] : []),
  ]);
  if (card.intended_use) section('Intended use', [card.intended_use]);
  section('Operating point', [
    `Threshold ${pct(card.threshold)}: ${card.threshold_rule ?? ''}`,
    ...(card.inconclusive ? [`Inconclusive zone ${pct(card.inconclusive.low)} to ${pct(card.inconclusive.high)}: ${card.inconclusive.rule ?? ''}`] : []),
    ...(card.temperature ? [`Calibration: temperature ${fmt(card.temperature)}, fitted ${card.threshold_rule ? 'on the same predictions as the threshold (rule above)' : 'on the validation split'}`] : []),
  ]);
  if (card.training_data) {
    const { counts, splits_used, manifest_sha256 } = card.training_data;
    section('Training data', [
      ...(splits_used ? [splits_used] : []),
      ...(manifest_sha256 ? [`manifest sha256 ${manifest_sha256}`] : []),
      ...flatten(counts),
    ]);
  }
  section('Metrics on internal test data (no external validation backs them)', card.metrics?.test ? flatten(card.metrics.test) : ['not evaluated yet (make eval)']);
  if (card.known_limitations?.length) section('Known limitations', card.known_limitations.map((l) => `- ${l}`));
  if (card.license) section('Licence of the training data', [card.license]);
  return lines.join('\n');
}
