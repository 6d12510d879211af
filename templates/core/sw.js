{% autoescape off %}// The service worker of 助联 (rendered by core.offline.ServiceWorkerView). Workbox, from the
// app's own static files, keeps the worker's caseload (worklist, household pages, visit
// forms) for work without a signal; the outbox (zhulian-store.js) is sent by Background Sync.
"use strict";

importScripts("{{ workbox_sw|escapejs }}");
workbox.setConfig({
  modulePathCb: function (name) {
    var paths = { {% for name, url in modules.items %}"{{ name|escapejs }}": "{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %} };
    return paths[name];
  }
});
importScripts({% for url in store_scripts %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %});

var STATE_URL = "{{ state_url|escapejs }}";
var WORKLIST = "{{ worklist_url|escapejs }}";
var KEEP_SECONDS = {{ keep_seconds }};
var PAGES = "zhulian-pages";
// Pages vary on the cookie and the language; on this device both are the worker's own.
var MATCH = { ignoreVary: true };
var STATIC = "zhulian-static-{{ static_version }}";
// The caseload: the worklist, a household's page and its visit form. Nothing else is kept.
var CASELOAD = [
  /^\/cases\/worklist\/$/,
  /^\/households\/[0-9a-f-]{36}\/$/,
  /^\/cases\/households\/[0-9a-f-]{36}\/visits\/new\/$/
];

// Loaded now: workbox-sw imports a module on first use, and importScripts works only
// while the worker script itself runs.
var routing = workbox.routing;
var strategies = workbox.strategies;
var expiration = workbox.expiration;
workbox.core.setCacheNameDetails({ prefix: "zhulian" });

function forgetWorklist() {
  return caches.open(PAGES).then(function (cache) { return cache.delete(WORKLIST, MATCH); });
}

// Registered before Workbox's routes: a form the server took from this device (a visit, an
// alert, an edit) changes the worklist, so the kept copy is dropped before the page that
// follows is asked for. One that never reached the server (no signal) leaves it.
self.addEventListener("fetch", function (event) {
  if (event.request.method !== "GET" && event.request.url.indexOf(self.location.origin) === 0) {
    event.respondWith(fetch(event.request).then(function (response) {
      return forgetWorklist().then(function () { return response; }, function () { return response; });
    }));
  }
});

function isCaseload(url) {
  return url.origin === self.location.origin && CASELOAD.some(function (re) { return re.test(url.pathname); });
}

function tell(message) {
  return self.clients.matchAll({ type: "window" }).then(function (clients) {
    clients.forEach(function (client) { client.postMessage(message); });
  });
}

// Only a page the server really answered (not the login page a redirect led to).
var onlyPages = {
  cacheWillUpdate: function (args) {
    var response = args.response;
    return response && response.status === 200 && !response.redirected && response.type === "basic" ? response : null;
  },
  cacheDidUpdate: function (args) {
    return tell({ type: "page-updated", url: args.request.url });
  }
};
var pageExpiry = new expiration.ExpirationPlugin({ maxAgeSeconds: KEEP_SECONDS, maxEntries: 400, purgeOnQuotaError: true });

// The worklist opens from the device at once (the banner says when it was last synced) and
// is refreshed behind it while there is a signal; any change sent from this device drops
// it first (below), so the worker never sees their own work missing from it.
routing.registerRoute(
  function (options) { return options.request.mode === "navigate" && options.url.origin === self.location.origin && options.url.pathname === WORKLIST; },
  new strategies.StaleWhileRevalidate({ cacheName: PAGES, plugins: [onlyPages, pageExpiry], matchOptions: MATCH })
);
// A household's page and its visit form: from the server while it answers, from the device
// when there is no signal (or it is too slow to wait for).
routing.registerRoute(
  function (options) { return options.request.mode === "navigate" && isCaseload(options.url); },
  new strategies.NetworkFirst({ cacheName: PAGES, networkTimeoutSeconds: 6, plugins: [onlyPages, pageExpiry], matchOptions: MATCH })
);

// Static files from the device: their cache is named after the shell's digest, so a new
// release installs a new worker and a fresh cache (the old one is dropped on activation).
routing.registerRoute(
  function (options) { return options.url.origin === self.location.origin && options.url.pathname.indexOf("/static/") === 0; },
  new strategies.CacheFirst({
    cacheName: STATIC,
    matchOptions: MATCH,
    plugins: [new expiration.ExpirationPlugin({ maxEntries: 80, maxAgeSeconds: KEEP_SECONDS, purgeOnQuotaError: true })]
  })
);

// Any other page without a signal: a short page saying so, with the way back to the worklist.
routing.setCatchHandler(function (options) {
  if (options.request.mode !== "navigate") { return Response.error(); }
  var html = '<!doctype html><html lang="zh-Hans"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    "<title>{{ offline_title|escapejs }}</title><body style=\"font-family:sans-serif;padding:1rem\">" +
    "<h1>{{ offline_title|escapejs }}</h1><p>{{ offline_text|escapejs }}</p>" +
    '<p><a href="{{ worklist_url|escapejs }}">{{ worklist_label|escapejs }}</a></p></body></html>';
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
});
routing.setDefaultHandler(new strategies.NetworkOnly());

var SHELL = [{% for url in shell %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
self.addEventListener("install", function (event) {
  self.skipWaiting();
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(SHELL); }));
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) { return key.indexOf("zhulian-static") === 0 && key !== STATIC; })
      .map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

// The worklist asks for the caseload to be kept: the pages not on the device yet are fetched,
// one at a time (a phone on a weak signal), at most every half hour.
var lastCaseload = 0;
function keepCaseload() {
  if (Date.now() - lastCaseload < 30 * 60 * 1000) { return Promise.resolve(); }
  lastCaseload = Date.now();
  return fetch(STATE_URL, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
    .then(function (response) { return response.ok ? response.json() : { pages: [] }; })
    .then(function (state) {
      return caches.open(PAGES).then(function (cache) {
        return state.pages.reduce(function (chain, url) {
          return chain.then(function () {
            return cache.match(url, MATCH).then(function (hit) {
              if (hit) { return; }
              return fetch(url, { credentials: "same-origin" }).then(function (response) {
                if (response.status === 200 && !response.redirected) {
                  return cache.put(url, response).then(function () { return pageExpiry.cacheDidUpdate({ cacheName: PAGES, request: new Request(url) }); });
                }
              }).catch(function () {});
            });
          });
        }, Promise.resolve());
      });
    })
    .catch(function () { lastCaseload = 0; });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "caseload") { event.waitUntil(keepCaseload()); }
});

// Background Sync, where the browser has it: the outbox is sent when the signal returns,
// even with the app closed. Elsewhere the pages send it (static/js/offline.js).
self.addEventListener("sync", function (event) {
  if (event.tag === "zhulian-outbox") {
    event.waitUntil(self.ZhulianStore.flush(STATE_URL).then(function (result) {
      if (result && result.sent) { forgetWorklist(); }
      return tell({ type: "outbox", result: result }).then(function () {
        if (result && result.left && !result.login) { throw new Error("outbox not empty"); }
      });
    }));
  }
});
{% endautoescape %}
