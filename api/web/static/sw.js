// Service worker of the officer page: the page, its scripts and styles and the route data stay
// available offline. Route data and pages: network first, the saved copy when offline. Static
// files: cache first (they change only with a new release, named by the cache version).
const CACHE = 'gridplan-web-v1';
const SHELL = ['/app/static/app.css', '/app/static/common.js', '/app/static/route.js',
  '/app/static/routeview.js', '/app/vendor/leaflet/leaflet.css', '/app/vendor/leaflet/leaflet.js',
  '/app/vendor/leaflet/leaflet.textpath.js'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE)
    .map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});

const isRouteData = (url) => url.pathname.startsWith('/app/r/') || url.pathname.startsWith('/app/api/r/');

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin) return;
  if (isRouteData(url)) {
    event.respondWith(fetch(event.request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((c) => c.put(event.request, copy));
      }
      return response;
    }).catch(() => caches.match(event.request).then((hit) => hit || Response.error())));
  } else if (url.pathname.startsWith('/app/static/') || url.pathname.startsWith('/app/vendor/')) {
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)));
  } else if (url.pathname.startsWith('/app/fonts/')) {  // kept once fetched: offline Chinese
    event.respondWith(caches.match(event.request).then((hit) => hit || fetch(event.request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((c) => c.put(event.request, copy));
        }
        return response;
      })));
  }
});
