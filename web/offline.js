// Offline support: main.js registers the service worker (sw.js, which keeps this build's files for use
// without a network) once the page is ready, so that its download of every file does not compete with
// start-up, and #version states which build the page runs.
// The build version comes from <meta name="xraylens-version">, written by tools/make_dist.mjs.

export const VERSION = document.querySelector('meta[name="xraylens-version"]')?.content || 'dev';

const TEXT = {
  registering: 'preparing offline use…',
  ready: 'available offline',
  'update-ready': 'a new version is ready: reload the page to use it',
  unavailable: 'offline use not available in this browser or context',
};

function show(offline) {
  let el = document.getElementById('version');
  if (!el) {
    el = document.createElement('div');
    el.id = 'version';
    el.className = 'sr-only';
    document.body.append(el);
  }
  el.dataset.version = VERSION;
  el.dataset.offline = offline;
  el.textContent = `XRayLens build ${VERSION}: ${TEXT[offline]}.`;
}

export async function registerOffline() {
  if (!('serviceWorker' in navigator) || !globalThis.isSecureContext) return show('unavailable');
  show('registering');
  const sw = navigator.serviceWorker;
  const hadController = !!sw.controller;
  sw.addEventListener('controllerchange', () => {
    if (hadController) show('update-ready');
  });
  try {
    const reg = await sw.register('sw.js', { scope: './' }); // relative to the page, like the scope
    // look for a new build on every visit (the browser's own check on navigation may wait a day)
    if (navigator.onLine) reg.update().catch(() => {});
    await sw.ready;
    if (document.getElementById('version')?.dataset.offline !== 'update-ready') show('ready');
  } catch (e) {
    show('unavailable');
    console.warn(`XRayLens: service worker not registered: ${e.message}`);
  }
}

