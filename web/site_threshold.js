// The site thresholds adopted in this browser (localStorage), one per model: { threshold, n, date,
// target, sha256 } where sha256 is the model file's (its card's) at adoption. What a verdict is under it
// is the core's rule (applyOperatingPoint); this file only stores and reads.
const KEY = 'xraylens.siteThreshold.v1';

function readAll() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || '{}');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

export function loadSiteThresholds() {
  return readAll();
}

export function saveSiteThreshold(key, entry) {
  const all = readAll();
  all[key] = entry;
  localStorage.setItem(KEY, JSON.stringify(all));
}

export function removeSiteThreshold(key) {
  const all = readAll();
  delete all[key];
  localStorage.setItem(KEY, JSON.stringify(all));
}
