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

// Web Push (hub/notify/channels/webpush): show the message; a tap opens it, "acknowledge" acknowledges it
// through its signed link. The tag is the notification's id, so a repeat replaces the first.
self.addEventListener("push", function (e) {
  var d = {};
  try { d = e.data ? e.data.json() : {}; } catch (err) { d = {title: e.data ? e.data.text() : "ShopCrier"}; }
  var options = {body: d.body || "", tag: d.tag || d.id, icon: "{{ icon }}", data: {url: d.url, ack_url: d.ack_url},
                 requireInteraction: d.priority === "urgent"};
  if (d.ack_url) options.actions = [{action: "ack", title: "{{ ack_label|escapejs }}"}];
  e.waitUntil(self.registration.showNotification(d.title || "ShopCrier", options));
});
self.addEventListener("notificationclick", function (e) {
  var data = e.notification.data || {};
  e.notification.close();
  if (e.action === "ack" && data.ack_url) {
    e.waitUntil(fetch(data.ack_url, {method: "POST", credentials: "omit"}));
    return;
  }
  if (data.url) e.waitUntil(self.clients.openWindow(data.url));
});
