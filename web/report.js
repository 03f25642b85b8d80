// A one-page report of one study as a PNG, drawn in the browser on a canvas: the image with the heatmap
// over the region the model saw, the verdict, the probability bar (the threshold at the centre, as the
// result panel draws it), a summary of the model card and the not-for-medical-use statement.
const W = 1240;
const H = 1754; // A4 at 150 dpi
const M = 60;

// matplotlib's viridis at 0, 1/8, ..., 1 (the same stops as shaders/image.frag.glsl)
const VIRIDIS = [
  [0.267, 0.005, 0.329], [0.282, 0.157, 0.471], [0.243, 0.286, 0.537], [0.192, 0.408, 0.557], [0.149, 0.510, 0.557],
  [0.122, 0.620, 0.537], [0.208, 0.718, 0.475], [0.431, 0.808, 0.345], [0.992, 0.906, 0.145],
];

function viridis(t) {
  const x = Math.min(Math.max(t, 0), 1) * 8;
  const i = Math.min(Math.floor(x), 7);
  const f = x - i;
  return VIRIDIS[i].map((a, k) => Math.round(255 * (a + (VIRIDIS[i + 1][k] - a) * f)));
}

function makeCanvas(w, h) {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

// Draws `text` wrapped to `width`; returns the y below it. Stops (with an ellipsis) at maxY.
function wrap(ctx, text, x, y, width, lineHeight, maxY = Infinity) {
  let line = '';
  for (const word of String(text).split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (ctx.measureText(next).width > width && line) {
      if (y + 2 * lineHeight > maxY) {
        ctx.fillText(`${line} …`, x, y);
        return y + lineHeight;
      }
      ctx.fillText(line, x, y);
      y += lineHeight;
      line = word;
    } else line = next;
  }
  if (line) ctx.fillText(line, x, y);
  return y + lineHeight;
}

const smoothstep = (e0, e1, x) => {
  const t = Math.min(Math.max((x - e0) / (e1 - e0), 0), 1);
  return t * t * (3 - 2 * t);
};

// The gray display image with the CAM blended over `region` (source pixels), clipped to the lung field's
// weight (square, row-major, 0..255 over the same region) as the page's shader clips it; an ImageData-backed canvas.
export function studyCanvas({ pixels, width, height, sourceWidth }, cam, region, field) {
  const c = makeCanvas(width, height);
  const ctx = c.getContext('2d');
  const img = ctx.createImageData(width, height);
  for (let i = 0; i < width * height; ++i) {
    const v = pixels[i];
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  if (cam && cam.width > 0 && region) {
    const s = width / sourceWidth;
    const rx = region.x * s, ry = region.y * s, rw = region.width * s, rh = region.height * s;
    const alpha = 0.45;
    const fn = field?.length ? Math.round(Math.sqrt(field.length)) : 0;
    for (let y = Math.max(0, Math.floor(ry)); y < Math.min(height, Math.ceil(ry + rh)); ++y) {
      for (let x = Math.max(0, Math.floor(rx)); x < Math.min(width, Math.ceil(rx + rw)); ++x) {
        // bilinear over the CAM grid, sampled at pixel centres
        const gx = Math.min(Math.max(((x + 0.5 - rx) / rw) * cam.width - 0.5, 0), cam.width - 1);
        const gy = Math.min(Math.max(((y + 0.5 - ry) / rh) * cam.height - 0.5, 0), cam.height - 1);
        const x0 = Math.floor(gx), y0 = Math.floor(gy), x1 = Math.min(x0 + 1, cam.width - 1), y1 = Math.min(y0 + 1, cam.height - 1);
        const fx = gx - x0, fy = gy - y0;
        const at = (xx, yy) => cam.data[yy * cam.width + xx];
        let t = (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
        if (fn) {
          const fx2 = Math.min(Math.max(Math.floor(((x + 0.5 - rx) / rw) * fn), 0), fn - 1);
          const fy2 = Math.min(Math.max(Math.floor(((y + 0.5 - ry) / rh) * fn), 0), fn - 1);
          t *= field[fy2 * fn + fx2] / 255;
        }
        // as shaders/image.frag.glsl blends it: the colour of the clipped value, fading in from 0.05 to 0.5
        const [r, g, b] = viridis(t);
        const i = 4 * (y * width + x);
        const a = alpha * smoothstep(0.05, 0.5, t);
        img.data[i] = img.data[i] * (1 - a) + r * a;
        img.data[i + 1] = img.data[i + 1] * (1 - a) + g * a;
        img.data[i + 2] = img.data[i + 2] * (1 - a) + b * a;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

function drawBar(ctx, x, y, width, r) {
  const h = 28;
  // r.bar: the bar's positions (0..1) of the band, the threshold and p, as the app's bar (verdict.h)
  const at = (position) => x + width * position;
  const lo = at(r.bar.low), hi = at(r.bar.high), thr = at(r.bar.threshold);
  ctx.fillStyle = '#33668c';
  ctx.fillRect(x, y, lo - x, h);
  ctx.fillStyle = '#737373';
  ctx.fillRect(lo, y, hi - lo, h);
  ctx.fillStyle = '#994738';
  ctx.fillRect(hi, y, x + width - hi, h);
  ctx.strokeStyle = '#222';
  ctx.lineWidth = 1;
  ctx.strokeRect(x, y, width, h);
  ctx.strokeStyle = '#fff';
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(thr, y - 5);
  ctx.lineTo(thr, y + h + 5);
  ctx.stroke();
  const px = at(r.bar.p);
  ctx.fillStyle = '#000';
  ctx.beginPath();
  ctx.moveTo(px - 11, y - 14);
  ctx.lineTo(px + 11, y - 14);
  ctx.lineTo(px, y + 4);
  ctx.closePath();
  ctx.fill();
  ctx.fillStyle = '#333';
  ctx.font = '18px sans-serif';
  ctx.fillText('likely negative', x, y + h + 24);
  const right = 'likely positive';
  ctx.fillText(right, x + width - ctx.measureText(right).width, y + h + 24);
  const label = `${r.thresholdNote ? 'site ' : ''}threshold ${r.thresholdText} (centre)${r.thresholdNote ? '' : '; hatched zone: inconclusive'}`;
  ctx.fillText(label, Math.min(Math.max(thr - ctx.measureText(label).width / 2, x + 150), x + width - 150 - ctx.measureText(label).width), y + h + 48);
}

// study: { pixels, width, height, sourceWidth, sourceHeight, name }; result: the view main.js gives the
// app (verdict, pCovid, threshold, inconclusive, bar, pText, thresholdText, modelTitle, outOfScope) with
// `gate`; cam: { data (0..1), width, height } or null; region: the model's input region in source
// pixels; field: the lung field's weight over that region (or empty: no clipping); card: the model card
// (JSON); cardText: modelCardText(card); date: "YYYY-MM-DD"; yourData: lines of the labelled batch's figures
// (your_data_text.js), or none. result.thresholdNote names an adopted site threshold.
export async function reportPng({ study, result, cam, region, field, card, cardText, date, yourData = [] }) {
  const c = makeCanvas(W, H);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  ctx.textBaseline = 'top';

  // header and the statement, first, where nobody can miss it
  ctx.fillStyle = '#1c1c22';
  ctx.fillRect(0, 0, W, 120);
  ctx.fillStyle = '#fff';
  ctx.font = 'bold 38px sans-serif';
  ctx.fillText('XRayLens study report', M, 24);
  ctx.font = '22px sans-serif';
  ctx.fillText('NOT FOR MEDICAL USE: research and teaching only. Not a diagnosis.', M, 76);

  ctx.fillStyle = '#111';
  ctx.font = '22px sans-serif';
  let y = 140;
  y = wrap(ctx, `File: ${study.name}`, M, y, W - 2 * M, 28);
  ctx.fillText(`Model: ${result.modelTitle}    Date: ${date}    Image: ${study.sourceWidth} x ${study.sourceHeight}`, M, y);
  y += 44;

  // the image with the heatmap, fitted into a square box
  const box = 640;
  const img = studyCanvas(study, cam, region, field);
  const s = Math.min(box / study.width, box / study.height);
  const iw = study.width * s, ih = study.height * s;
  ctx.fillStyle = '#000';
  ctx.fillRect(M, y, box, box);
  ctx.drawImage(img, M + (box - iw) / 2, y + (box - ih) / 2, iw, ih);
  ctx.fillStyle = '#555';
  ctx.font = '17px sans-serif';
  wrap(ctx, 'Heatmap (viridis): where the model\'s evidence is, not a lesion outline.', M, y + box + 8, box, 22);

  // the verdict beside it
  const rx = M + box + 40, rw = W - M - rx;
  let ry = y;
  const positive = result.verdict === 'POSITIVE';
  ctx.fillStyle = positive ? '#b03a28' : '#1f6f99';
  ctx.font = 'bold 52px sans-serif';
  ctx.fillText(result.verdict, rx, ry);
  ry += 70;
  ctx.fillStyle = '#111';
  ctx.font = '24px sans-serif';
  const inconclusive = result.inconclusive;
  ry = wrap(ctx, inconclusive ? 'INCONCLUSIVE: close to the threshold' : positive ? 'Likely positive: above the threshold' : 'Likely negative: below the threshold', rx, ry, rw, 30);
  ry += 10;
  ctx.fillText(`P(COVID-19): ${result.pText}`, rx, ry);
  ry += 34;
  ctx.fillText(`Threshold: ${result.thresholdText}`, rx, ry);
  ry += 34;
  ctx.font = '20px sans-serif';
  if (result.thresholdNote) ry = wrap(ctx, `Using a ${result.thresholdNote} (research use)`, rx, ry, rw, 26);
  ry = wrap(ctx, `Input gate: ${result.gate || 'ok'}`, rx, ry + 6, rw, 26);
  if (result.outOfScope) {
    ctx.fillStyle = '#b03a28';
    ry = wrap(ctx, "OUTSIDE THE MODEL'S SCOPE (analysed anyway)", rx, ry + 6, rw, 26);
    ctx.fillStyle = '#111';
  }
  if (result.warning) ry = wrap(ctx, `Warning: ${result.warning}`, rx, ry + 6, rw, 26, y + box);

  y += box + 60;
  ctx.font = 'bold 22px sans-serif';
  ctx.fillStyle = '#111';
  ctx.fillText('Probability of COVID-19 against the model\'s threshold', M, y);
  drawBar(ctx, M, y + 50, W - 2 * M, result);
  y += 150;

  // the labelled batch's figures, when there is one
  if (yourData.length) {
    ctx.font = '17px sans-serif';
    for (const line of yourData) y = wrap(ctx, line, M, y, W - 2 * M, 22);
    y += 14;
  }

  // the model card, summarised: its first sections, wrapped, within the space left
  ctx.font = 'bold 22px sans-serif';
  ctx.fillText('Model card (summary)', M, y);
  y += 34;
  const bottom = H - 150;
  ctx.font = '17px sans-serif';
  const wanted = /^# (Model|Intended use|Operating point|Known limitations)/;
  let keep = false;
  for (const line of (cardText || 'No model card.').split('\n')) {
    if (line.startsWith('# ')) {
      keep = wanted.test(line) || !card;
      if (keep && y < bottom - 22) {
        ctx.font = 'bold 17px sans-serif';
        ctx.fillText(line.slice(2), M, y);
        ctx.font = '17px sans-serif';
        y += 23;
      }
    } else if (keep && y < bottom - 22) {
      y = wrap(ctx, line, M + 12, y, W - 2 * M - 12, 22, bottom);
    }
  }

  // the statement again, at the foot of the page
  ctx.fillStyle = '#fbeaea';
  ctx.fillRect(M, H - 130, W - 2 * M, 100);
  ctx.strokeStyle = '#b03a28';
  ctx.lineWidth = 2;
  ctx.strokeRect(M, H - 130, W - 2 * M, 100);
  ctx.fillStyle = '#111';
  ctx.font = '19px sans-serif';
  wrap(ctx, 'Not a medical device. This report is for research and teaching only and must not guide the care of any patient. ' +
    'The models were trained on public collections in which the source hospital is confounded with the diagnosis, and have not been validated on external data. ' +
    'Made on this computer by XRayLens; the image was never uploaded.', M + 16, H - 118, W - 2 * M - 32, 25);

  const blob = c.convertToBlob ? await c.convertToBlob({ type: 'image/png' }) : await new Promise((ok) => c.toBlob(ok, 'image/png'));
  return blob;
}
