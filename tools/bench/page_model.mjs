// Model inference in the page's own analysis worker, as the C++ analysis times it (inferMs), with the
// page idle (the app draws nothing) or while the canvas draws (the image zoomed in, a drag pans it to and
// fro: a new picture every display frame). The worker is asked directly, not through main.js's analyse(), which
// pauses drawing while it waits.

// Hands the page the file every timed run opens.
export async function setPageFile(page, bytes, name) {
  await page.evaluate(({ b64, name }) => {
    globalThis.benchFile = new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name);
  }, { b64: Buffer.from(bytes).toString('base64'), name });
}

// `runs` opens of the file by the page's worker asking for `keys`: { ms: { key: [inferMs...] }, fps }
// (frames sent to the GPU a second meanwhile; frames built where the app cannot tell).
export async function pageInferMs(page, keys, runs, drawing) {
  return page.evaluate(async ({ keys, runs, drawing }) => {
    const { app, state } = globalThis.xraylens;
    const canvas = document.getElementById('canvas');
    const r = app.widgetRect('image') ?? { x: 300, y: 200, w: 400, h: 400 };
    const at = (type, dx, buttons) => canvas.dispatchEvent(new MouseEvent(type, { clientX: r.x + r.w / 2 + dx, clientY: r.y + r.h / 2, button: 0, buttons, bubbles: true }));
    let moving = drawing;
    let step = 0;
    // zoomed in (one wheel notch a frame, four frames), then the drag
    const move = () => {
      if (!moving) return;
      ++step;
      if (step <= 4) canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: -100, clientX: r.x + r.w / 2, clientY: r.y + r.h / 2, bubbles: true, cancelable: true }));
      else if (step === 5) at('mousedown', 0, 1);
      else at('mousemove', Math.round(40 * Math.sin(step / 4)), 1);
      requestAnimationFrame(move);
    };
    if (drawing) {
      at('mousemove', 0, 0);
      requestAnimationFrame(move);
    }
    await state.worker.need(keys); // a classifier not loaded at start is loaded once, before timing
    const f0 = app.presentedCount?.() ?? app.frameCount();
    const t0 = performance.now();
    const ms = Object.fromEntries(keys.map((k) => [k, []]));
    try {
      for (let i = 0; i < runs; ++i) {
        const { result } = await state.worker.request({ type: 'open', file: globalThis.benchFile, models: keys });
        for (const r of result.results ?? []) if (ms[r.key] && r.inferMs !== undefined) ms[r.key].push(r.inferMs);
      }
    } finally {
      moving = false;
      if (drawing) at('mouseup', 0, 0);
    }
    const f1 = app.presentedCount?.() ?? app.frameCount();
    return { ms, fps: ((f1 - f0) * 1000) / (performance.now() - t0) };
  }, { keys, runs, drawing });
}

// Frames the app builds, and sends to the GPU, a second while nothing happens on the page (`hover`: while
// a mouse moves over the canvas, above no control).
export async function idleFps(page, hover = false, ms = 2000) {
  return page.evaluate(async ({ hover, ms }) => {
    const { app } = globalThis.xraylens;
    const canvas = document.getElementById('canvas');
    const sent = () => app.presentedCount?.() ?? app.frameCount();
    const f0 = app.frameCount(), p0 = sent();
    let step = 0;
    const timer = hover ? setInterval(() => canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: 900 + (++step % 2), clientY: 700, bubbles: true })), 16) : null;
    await new Promise((r) => setTimeout(r, ms));
    clearInterval(timer);
    return { built: ((app.frameCount() - f0) * 1000) / ms, sent: ((sent() - p0) * 1000) / ms };
  }, { hover, ms });
}
