// Storefleet store wizard: progressive enhancement only. Every page works without this file;
// with it the subdomain is checked as you type, the country fills in sensible defaults, and
// the set-up page follows the provisioning job without reloading.
(function () {
  "use strict";

  function slugify(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63).replace(/-+$/g, "");
  }

  // Step 1: name and subdomain. -----------------------------------------------------------
  function storeStep(form) {
    var name = form.querySelector("#name");
    var sub = form.querySelector("#subdomain");
    var status = form.querySelector("#subdomain-status");
    var error = form.querySelector("#subdomain-error");
    if (!name || !sub || !status) return;
    var touched = sub.value !== "";
    var timer = null;
    var seq = 0;

    function show(text, ok) {
      status.textContent = text;
      status.style.color = ok ? "var(--ok, #1a7f37)" : "var(--bad, #b42318)";
      if (error && error.textContent && ok) error.textContent = "";
      sub.setAttribute("aria-invalid", ok ? "false" : "true");
    }

    function check() {
      var value = sub.value.trim().toLowerCase();
      if (value === "") { status.textContent = ""; return; }
      var mine = ++seq;
      fetch("/stores/new/check?subdomain=" + encodeURIComponent(value), {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || mine !== seq) return;
          show(data.reason, data.available);
        })
        .catch(function () { /* offline: the server checks again on submit */ });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(check, 250);
    }

    name.addEventListener("input", function () {
      if (touched) return;
      sub.value = slugify(name.value);
      schedule();
    });
    sub.addEventListener("input", function () { touched = sub.value !== ""; schedule(); });
    if (sub.value !== "") schedule();
  }

  // Step 3: the country suggests currency, time zone and language. ---------------------------
  function localeStep(form) {
    var country = form.querySelector("#country");
    if (!country) return;
    var targets = ["currency", "timezone", "language"];
    var changed = {};
    targets.forEach(function (id) {
      var el = form.querySelector("#" + id);
      if (el) el.addEventListener("change", function () { changed[id] = true; });
    });
    country.addEventListener("change", function () {
      var option = country.options[country.selectedIndex];
      targets.forEach(function (id) {
        var el = form.querySelector("#" + id);
        var value = option && option.getAttribute("data-" + id);
        if (el && value && !changed[id]) el.value = value;
      });
    });
  }

  // The set-up page: poll the status JSON and update the list. ------------------------------
  function setupPage(card) {
    var url = card.getAttribute("data-setup-status");
    if (card.getAttribute("data-status") !== "provisioning") return;
    var list = document.getElementById("setup-steps");
    var note = document.getElementById("setup-note");
    var words = { done: "(done)", current: "(in progress)", failed: "(failed)", pending: "(to do)" };
    var failures = 0;

    function render(steps) {
      steps.forEach(function (s) {
        var li = list && list.querySelector('[data-key="' + s.key + '"]');
        if (!li) return;
        li.className = "step step-" + s.state;
        if (s.state === "current") li.setAttribute("aria-current", "step"); else li.removeAttribute("aria-current");
        var hidden = li.querySelector(".visually-hidden");
        if (hidden) hidden.textContent = words[s.state] || "";
      });
    }

    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { failures++; return later(); }
          failures = 0;
          render(data.steps || []);
          if (data.status === "active" && data.redirect) { window.location.assign(data.redirect); return; }
          if (data.status === "failed") { window.location.reload(); return; }
          later();
        })
        .catch(function () { failures++; later(); });
    }

    function later() {
      if (failures > 20) { if (note) note.textContent = "Lost contact with the server. Reload the page to see how it is going."; return; }
      setTimeout(poll, failures ? 1000 : 250);
    }

    poll();
  }

  function start() {
    var store = document.querySelector('form[data-wizard="store"]');
    if (store) storeStep(store);
    var locale = document.querySelector('form[data-wizard="locale"]');
    if (locale) localeStep(locale);
    var setup = document.querySelector("[data-setup-status]");
    if (setup) setupPage(setup);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
