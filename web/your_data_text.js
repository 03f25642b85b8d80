// The "Your data" figures (the core's JSON, src/core/labelled_evaluation.h) as lines of text, for the
// study report and the batch CSV: the same words the app's Your data tab shows. Pure functions.
const f3 = (v) => (v === null || v === undefined ? 'n/a' : v.toFixed(3));
const ci = (c, method) => (c ? `95% CI ${f3(c[0])}-${f3(c[1])}, ${method}` : 'no CI');

// ev: the evaluation of one model; title: the model's title.
export function yourDataLines(ev, title) {
  if (!ev || !ev.labelled) return [];
  const negative = ev.model === 'covid-pneumonia' ? 'pneumonia' : 'normal';
  const at95 = ev.site_thresholds?.find((t) => t.target_sensitivity === 0.95);
  return [
    `Your data: ${title} on ${ev.used} of your X-rays (${ev.n_pos} COVID-19, ${ev.n_neg} ${negative})`,
    `AUC ${f3(ev.auc)} (${ci(ev.auc_ci, 'DeLong')})`,
    `At the model's threshold ${(ev.threshold * 100).toFixed(1)}%: sensitivity ${f3(ev.sensitivity)} (${ci(ev.sensitivity_ci, 'Wilson')}), ` +
      `specificity ${f3(ev.specificity)} (${ci(ev.specificity_ci, 'Wilson')}); TP ${ev.confusion.tp} FN ${ev.confusion.fn} FP ${ev.confusion.fp} TN ${ev.confusion.tn}`,
    `Inconclusive ${ev.inconclusive.value === null ? 'n/a' : `${(ev.inconclusive.value * 100).toFixed(1)}%`}; ECE ${f3(ev.ece)} (10 equal-width bins)`,
    at95?.allowed
      ? `Site threshold for sensitivity 0.95: ${f3(at95.threshold)} (sensitivity ${f3(at95.sensitivity)}, ${ci(at95.sensitivity_ci, 'Wilson')}; specificity ${f3(at95.specificity)}, ${ci(at95.specificity_ci, 'Wilson')})`
      : `Site threshold for sensitivity 0.95: refused (${at95?.refused ?? 'no labelled set'})`,
  ];
}
