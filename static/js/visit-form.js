// The visit form on a phone in a home: a draft kept on the device as the worker types (it
// survives a reload, a lost signal, a closed tab and an expired session), one id per visit
// made here (the server stores a visit once per id), one send per tap, and the outbox when
// there is no signal.
// Deferred from the page's head: it starts once every deferred script (the store among them)
// has run.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";

  var form = document.getElementById("visit-form");
  var store = self.ZhulianStore;
  if (!form || !store) { return; }
  var words = document.getElementById("offline-words").dataset;
  var status = document.getElementById("draft-status");
  var button = form.querySelector("button[type=submit]");
  var key = location.pathname;
  var sending = false;
  var dirty = false;
  var timer = null;

  function newId() {
    if (self.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "draft-status " + (kind || "");
    status.hidden = !text;
  }

  function fields() {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.disabled) { return; }
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) { return; }
      if (el.type === "submit" || el.type === "button") { return; }
      pairs.push([el.name, el.value]);
    });
    return pairs;
  }

  function restore(pairs) {
    var values = {};
    pairs.forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken") { return; }
      var list = values[el.name];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = !!list && list.indexOf(el.value) !== -1;
      } else if (list && el.type !== "submit") {
        el.value = list[0];
      }
    });
  }

  function draft() {
    return {
      key: key,
      household: form.dataset.household,
      label: form.dataset.householdName,
      client_id: form.elements.client_id.value,
      fields: fields()
    };
  }

  function saveSoon() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(function () { store.saveDraft(draft()); }, 300);
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : form.elements.csrfmiddlewaretoken.value;
  }

  function release() {
    sending = false;
    button.disabled = false;
    button.textContent = button.dataset.label;
  }

  function queueOffline() {
    var d = draft();
    return store.queue({ client_id: d.client_id, key: key, url: form.action || location.href, body: d.fields, household: d.household, label: d.label })
      .then(function () { return store.deleteDraft(key); })
      .then(function () {
        say(words.queued, "queued");
        button.textContent = words.pending;
        if (navigator.serviceWorker && navigator.serviceWorker.ready) {
          navigator.serviceWorker.ready.then(function (reg) {
            if (reg.sync) { return reg.sync.register("zhulian-outbox"); }
          }).catch(function () {});
        }
        document.dispatchEvent(new CustomEvent("zhulian:outbox"));
      });
  }

  function send(event) {
    event.preventDefault();
    if (sending) { return; }
    sending = true;
    button.disabled = true;
    button.textContent = button.dataset.saving;
    clearTimeout(timer);
    var d = draft();
    var body = new URLSearchParams();
    d.fields.forEach(function (p) { body.append(p[0], p[1]); });
    body.set("csrfmiddlewaretoken", csrf());
    store.saveDraft(d).then(function () {
      if (navigator.onLine === false) { throw new Error("offline"); }
      return fetch(form.action || location.href, {
        method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
      });
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return response.json().then(function (answer) {
          return store.deleteDraft(key).then(function () { location.assign(answer.url); });
        });
      }
      if (response.status === 401) {
        // The session ended: the draft stays here, and comes back after signing in.
        return response.json().then(function (answer) { location.assign(answer.login); });
      }
      if (response.status === 400) {
        // The server's own page shows what to correct; the draft stays until it is stored.
        HTMLFormElement.prototype.submit.call(form);
        return;
      }
      throw new Error("status " + response.status);
    }).catch(function () {
      return queueOffline();
    });
  }

  button.dataset.label = button.textContent;
  store.getDraft(key).then(function (saved) {
    if (saved && saved.fields && saved.fields.length) {
      dirty = true;
      restore(saved.fields);
      if (!form.elements.client_id.value) { form.elements.client_id.value = saved.client_id; }
      var when = new Date(saved.updated);
      say((saved.refused ? words.refused : words.restored) + " " + when.toTimeString().slice(0, 5), "restored");
    } else {
      // A page kept by the service worker carries the id it was rendered with: every visit
      // started here gets its own.
      form.elements.client_id.value = newId();
    }
    form.addEventListener("input", saveSoon);
    form.addEventListener("change", saveSoon);
    form.addEventListener("submit", send);
    form.dataset.ready = "1";
  }).catch(function () {
    form.dataset.ready = "1";
  });
  document.addEventListener("visibilitychange", function () {
    // Only a form the worker touched: an untouched one is no draft (its date would go stale).
    if (document.visibilityState === "hidden" && !sending && dirty) { store.saveDraft(draft()); }
  });
});
