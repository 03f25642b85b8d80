// The XRayLens service worker. On install it puts every file of this build (page, wasm, ONNX Runtime,
// models) in a cache named after the build version; it answers the page's requests from that cache
// first, so that after one visit the page works with the network off; on activation it deletes the
// caches of other builds. Registered by offline.js. The build below is written by tools/make_dist.mjs
// (at assemble time for build/site, by `make dist` for dist/); unstamped, it caches nothing.
const BUILD = /* build */ { version: 'dev', files: [] } /* end build */;
const PREFIX = 'xraylens-';
const CACHE = PREFIX + BUILD.version;
const MATCH = { ignoreSearch: true, ignoreVary: true };

self.addEventListener('install', (event) => {
  self.skipWaiting(); // not awaited: a new build takes over once installed (pages load every file at start)
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // cache: 'no-cache': each file revalidated with the server, so that the HTTP cache cannot hand an
    // older build's file to this build's cache, and a file the page has just loaded costs a 304, not
    // a second download (serve.py and static hosts send validators)
    await cache.addAll(BUILD.files.map((f) => new Request(f, { cache: 'no-cache' })));
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = (await cache.match(req, MATCH)) || (req.mode === 'navigate' ? await cache.match('./', MATCH) : undefined);
    // not in this build (say, a model not trained yet): the network, and without one a plain 503, so
    // that the page sees a missing file as it does online (response not ok) and not a thrown error
    return hit || fetch(req).catch(() => new Response('Not available offline', { status: 503, statusText: 'Offline' }));
  })());
});
