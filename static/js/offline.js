// Field work without a signal, on every signed-in page: registers the service worker, marks a
// page shown without a signal (离线 · 上次同步 HH:MM), lists the visits waiting on the device
// (待上传) and sends them when the signal returns, and wipes the device at logout.
(function () {
  "use strict";

  var body = document.body;
  var store = self.ZhulianStore;
  var words = document.getElementById("offline-words");
  if (!store || !words) { return; }
  words = words.dataset;
  var banner = document.getElementById("offline-banner");
  var stateUrl = body.dataset.stateUrl;
  var rendered = new Date(body.dataset.renderedAt);

  function hhmm(date) { return date.toTimeString().slice(0, 5); }

  function showBanner(pending, conflicts, updated) {
    var parts = [];
    var stale = Date.now() - rendered.getTime() > 60000;
    if (navigator.onLine === false) {
      parts.push(words.offline + " · " + words.lastSync + " " + hhmm(rendered));
    } else if (stale) {
      parts.push(words.lastSync + " " + hhmm(rendered));
    }
    if (pending) { parts.push(words.pending + " " + pending); }
    banner.textContent = parts.join(" · ");
    if (updated) {
      var refresh = document.createElement("a");
      refresh.href = location.href;
      refresh.textContent = words.refresh;
      banner.append(" ", refresh);
    }
    (conflicts || []).forEach(function (url) {
      var link = document.createElement("a");
      link.href = url;
      link.className = "conflict-link";
      link.textContent = words.conflicts;
      banner.append(" ", link);
    });
    banner.hidden = !banner.textContent;
    banner.classList.toggle("offline", navigator.onLine === false);
  }

  var updated = false;
  function refreshUi() {
    return Promise.all([store.outbox(), store.getMeta("conflicts")]).then(function (got) {
      var items = got[0];
      var conflicts = (got[1] || []).filter(function (url) { return url !== location.pathname; });
      if (got[1] && got[1].length !== conflicts.length) { store.setMeta("conflicts", conflicts); }
      showBanner(items.length, conflicts, updated);
      var list = document.getElementById("outbox-list");
      if (list) {
        list.textContent = "";
        items.forEach(function (item) {
          var li = document.createElement("li");
          var mark = document.createElement("mark");
          mark.className = "pending";
          mark.textContent = words.pending;
          li.append(mark, " " + (item.label || "") + " · " + hhmm(new Date(item.queued)));
          list.append(li);
        });
        list.closest("section").hidden = !items.length;
      }
      body.dataset.outbox = String(items.length);
    });
  }

  var flushing = null;
  function flush() {
    if (navigator.onLine === false || flushing) { return flushing || Promise.resolve(); }
    flushing = store.flush(stateUrl).then(function (result) {
      flushing = null;
      return refreshUi().then(function () { return result; });
    }, function () { flushing = null; });
    return flushing;
  }

  // Registered from every page, so a worker's first visit already installs it.
  if ("serviceWorker" in navigator && body.dataset.swUrl) {
    navigator.serviceWorker.register(body.dataset.swUrl, { scope: "/" }).catch(function () {});
    navigator.serviceWorker.addEventListener("message", function (event) {
      var data = event.data || {};
      if (data.type === "page-updated" && data.url === location.href && Date.now() - rendered.getTime() > 60000) {
        updated = true;
        refreshUi();
      } else if (data.type === "outbox") {
        refreshUi();
      }
    });
  }

  // The worker's caseload, kept on the device from the worklist while there is a signal.
  if (body.dataset.caseload && navigator.onLine !== false && "serviceWorker" in navigator) {
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) { reg.active.postMessage({ type: "caseload", url: stateUrl }); }
    });
  }

  function wipeDevice() {
    var done = [store.wipe()];
    if (self.caches) {
      done.push(caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); }));
    }
    return Promise.all(done);
  }

  // Signing out wipes the device (the server's Clear-Site-Data header does too); visits
  // still waiting are named first.
  document.querySelectorAll("form[data-logout]").forEach(function (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      var pending = Number(body.dataset.outbox || 0);
      if (pending && !window.confirm(words.logoutWarning)) { return; }
      var send = function () { HTMLFormElement.prototype.submit.call(logout); };
      wipeDevice().then(send, send);
    });
  });

  store.expire(Number(body.dataset.keepDays || 7));
  store.getMeta("user").then(function (user) {
    // A device handed to another worker after a session ended without logout: nothing of
    // the previous worker's caseload or drafts is shown to the next.
    if (user && user !== body.dataset.user && navigator.onLine !== false) {
      return wipeDevice().then(function () { return store.setMeta("user", body.dataset.user); });
    }
    if (!user) { return store.setMeta("user", body.dataset.user); }
  }).then(function () {
    return refreshUi();
  }).then(function () {
    return flush();
  }).then(function () { body.dataset.offlineReady = "1"; }, function () { body.dataset.offlineReady = "1"; });

  window.addEventListener("online", function () { refreshUi(); flush(); });
  window.addEventListener("offline", refreshUi);
  document.addEventListener("zhulian:outbox", refreshUi);
})();
