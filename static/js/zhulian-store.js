// What the device keeps for field work, in IndexedDB (through the idb package): drafts of
// visit forms, the outbox of visits saved without a signal, and a few facts (last sync, the
// signed-in worker). Loaded by the pages and by the service worker (importScripts), so the
// outbox is sent by the same code from either.
(function (root) {
  "use strict";

  var DB_NAME = "zhulian-field";
  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = root.idb.openDB(DB_NAME, 1, {
        upgrade: function (database) {
          database.createObjectStore("drafts", { keyPath: "key" });
          database.createObjectStore("outbox", { keyPath: "client_id" });
          database.createObjectStore("meta");
        }
      });
    }
    return dbPromise;
  }

  function now() { return Date.now(); }

  var store = {
    // ---- drafts, one per visit form (its path) ----
    saveDraft: function (draft) {
      draft.updated = now();
      return db().then(function (d) { return d.put("drafts", draft); });
    },
    getDraft: function (key) { return db().then(function (d) { return d.get("drafts", key); }); },
    deleteDraft: function (key) { return db().then(function (d) { return d.delete("drafts", key); }); },
    listDrafts: function () { return db().then(function (d) { return d.getAll("drafts"); }); },

    // ---- the outbox: {client_id, url, body (form fields, no CSRF token), household, label, queued} ----
    queue: function (item) {
      item.queued = item.queued || now();
      return db().then(function (d) { return d.put("outbox", item); });
    },
    outbox: function () { return db().then(function (d) { return d.getAll("outbox"); }); },

    getMeta: function (key) { return db().then(function (d) { return d.get("meta", key); }); },
    setMeta: function (key, value) { return db().then(function (d) { return d.put("meta", value, key); }); },

    // Drafts older than the setting's number of days are dropped; the outbox is not (those are
    // visits not yet stored anywhere else), it is sent or, at logout, wiped with a warning.
    expire: function (keepDays) {
      var limit = now() - keepDays * 86400000;
      return db().then(function (d) {
        return d.getAll("drafts").then(function (drafts) {
          return Promise.all(drafts.filter(function (x) { return x.updated < limit; })
            .map(function (x) { return d.delete("drafts", x.key); }));
        });
      });
    },

    // Everything, at logout.
    wipe: function () {
      var closing = dbPromise ? dbPromise.then(function (d) { d.close(); }) : Promise.resolve();
      dbPromise = null;
      return closing.then(function () { return root.idb.deleteDB(DB_NAME); });
    },

    // Send what waits in the outbox, oldest first. A fresh CSRF token comes from the server
    // (the one in a page kept for days is stale after a new login). Stops at the first
    // answer that says "not now" (no signal, signed out); a visit the server refuses as
    // invalid goes back to being a draft of its form, for the worker to correct.
    flush: function (stateUrl) {
      return store.outbox().then(function (items) {
        items.sort(function (a, b) { return a.queued - b.queued; });
        if (!items.length) { return { sent: 0, left: 0 }; }
        return fetch(stateUrl, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
          .then(function (response) {
            if (response.status !== 200) { return { sent: 0, left: items.length, login: response.status === 401 }; }
            return response.json().then(function (state) { return sendEach(items, state.csrf); });
          })
          .catch(function () { return { sent: 0, left: items.length }; });
      });
    }
  };

  function sendEach(items, csrf) {
    var result = { sent: 0, left: items.length, conflicts: [] };
    return items.reduce(function (chain, item) {
      return chain.then(function (stop) {
        if (stop) { return true; }
        var body = new URLSearchParams(item.body);
        body.set("csrfmiddlewaretoken", csrf);
        return fetch(item.url, {
          method: "POST", body: body, credentials: "same-origin",
          headers: { Accept: "application/json" }
        }).then(function (response) {
          if (response.status === 200 || response.status === 201) {
            return response.json().then(function (answer) {
              if (answer.url && answer.url.indexOf("/conflicts/") !== -1) { result.conflicts.push(answer.url); }
              result.sent += 1; result.left -= 1;
              return db().then(function (d) { return d.delete("outbox", item.client_id); }).then(function () { return false; });
            });
          }
          if (response.status === 400) {
            result.left -= 1;
            return db().then(function (d) {
              var tx = d.transaction(["outbox", "drafts"], "readwrite");
              tx.objectStore("drafts").put({ key: item.key, household: item.household, label: item.label, fields: item.body, client_id: item.client_id, updated: now(), refused: true });
              tx.objectStore("outbox").delete(item.client_id);
              return tx.done;
            }).then(function () { return false; });
          }
          result.login = response.status === 401;
          return true;
        }, function () { return true; });
      });
    }, Promise.resolve(false)).then(function () {
      if (!result.conflicts.length) { return result; }
      return store.getMeta("conflicts").then(function (known) {
        var all = (known || []).concat(result.conflicts).filter(function (url, i, list) { return list.indexOf(url) === i; });
        return store.setMeta("conflicts", all).then(function () { return result; });
      });
    });
  }

  root.ZhulianStore = store;
})(self);
