// The predictor's CSV (tools/predict.mjs) and the page's batch export write the same columns.
// Pure functions, no browser API.
export const CSV_HEADER = 'file,model,p_covid,verdict,threshold,gate,warning,error';

export function csvField(v) {
  const s = v === undefined || v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// One line: [file, model, p_covid, verdict, threshold, gate, warning, error].
export const csvRow = (fields) => fields.map(csvField).join(',');
