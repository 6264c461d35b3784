// ShopCrier's service worker: pages always come from the hub (they are live);
// when the hub cannot be reached, the offline page (cached at install) is shown.
var CACHE = "shopcrier-v1";
var OFFLINE = "{{ offline }}";
var ASSETS = [OFFLINE, "{{ css }}", "{{ icon }}"];
self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(ASSETS); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", function (e) {
  if (e.request.mode !== "navigate") {
    if (ASSETS.indexOf(new URL(e.request.url).pathname) >= 0) {
      e.respondWith(fetch(e.request).catch(function () { return caches.match(e.request); }));
    }
    return;
  }
  e.respondWith(fetch(e.request).catch(function () { return caches.match(OFFLINE); }));
});
