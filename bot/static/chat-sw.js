// The web chat's service worker (scope /chat): the page opens without a connection.
// Only the page and its two small files are kept; /api/* always goes to the network (the page
// queues what the citizen types while offline and sends it, in order, once it is back).
"use strict";
const CACHE = "musrenbang-chat-1";
const SHELL = ["/chat", "/chat.webmanifest", "/chat-icon.svg"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key !== CACHE; }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

// Network first, so an online visit always gets the current page; the cached copy when offline.
self.addEventListener("fetch", function (event) {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin || SHELL.indexOf(url.pathname) < 0) return;
  event.respondWith(fetch(event.request).then(function (response) {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(url.pathname).then(function (cached) { return cached || Response.error(); });
  }));
});
