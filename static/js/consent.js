/* noCRM.io consent manager: banner, settings dialog, gated scripts. No dependencies, no build. */
(function (d, w) {
  "use strict";
  var C = JSON.parse(d.getElementById("cc-config").textContent),
    nonce = d.currentScript && d.currentScript.nonce,
    bar = d.getElementById("cc-banner"),
    dlg = d.getElementById("cc-modal"),
    P = ["preferences", "statistics", "advertising"],
    gpc = !!navigator.globalPrivacyControl,
    KEY = "cc-pending",
    on = {}, // purposes applied on this page
    from, opener, wait = 2e3, reload;

  function q(s, r) { return (r || d).querySelectorAll(s); }
  function store(v) { try { v ? localStorage.setItem(KEY, JSON.stringify(v)) : localStorage.removeItem(KEY); } catch (e) {} }
  function pending() { try { return JSON.parse(localStorage.getItem(KEY)); } catch (e) {} }

  // The signed cookie's JSON (Django signing: base64url payload before the first ":").
  function saved() {
    var m = d.cookie.match(new RegExp("(?:^|; )" + C.name + "=([^;]*)")), s;
    try { s = m && JSON.parse(atob(decodeURIComponent(m[1]).split(":")[0].replace(/-/g, "+").replace(/_/g, "/"))); } catch (e) {}
    return s && s.r === C.rev && Date.now() / 1e3 - s.t < C.maxAge ? s : null;
  }

  function uuid() {
    return crypto.randomUUID ? crypto.randomUUID() : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  function gtag() { (w.dataLayer = w.dataLayer || []).push(arguments); }

  // Run what a granted purpose gates: inert scripts in page order, then embedded frames.
  function activate() {
    q("script[type='text/plain'][data-consent]").forEach(function (o) {
      if (!on[o.dataset.consent]) return;
      var s = d.createElement("script");
      [].forEach.call(o.attributes, function (a) {
        if (!/^(type|data-consent|data-src)$/.test(a.name)) s.setAttribute(a.name, a.value);
      });
      if (o.dataset.src) s.src = o.dataset.src; else s.text = o.text;
      s.async = o.hasAttribute("async");
      s.nonce = nonce;
      o.replaceWith(s);
    });
    q(".cc-embed[data-consent]").forEach(function (e) {
      if (on[e.dataset.consent]) e.replaceWith(e.querySelector("template").content);
    });
  }

  // Delete the declared first-party cookies of a purpose, on this host and its parent domains.
  function wipe(p) {
    (C.rules[p] || []).forEach(function (r) {
      var re = new RegExp("^" + r[0].replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$");
      d.cookie.split("; ").forEach(function (c) {
        var n = c.split("=")[0], h = location.hostname.split(".");
        if (!re.test(n)) return;
        for (; h.length > 1; h.shift()) d.cookie = n + "=; Max-Age=0; Path=" + r[1] + "; Domain=" + h.join(".");
        d.cookie = n + "=; Max-Age=0; Path=" + r[1];
      });
    });
  }

  function apply(c, decided) {
    var u = {}, k;
    P.forEach(function (p) {
      if (on[p] && !c[p]) { wipe(p); reload = 1; }
      on[p] = !!c[p];
    });
    if (decided) {
      for (k in C.gtm) C.gtm[k].forEach(function (t) { u[t] = k === "necessary" || on[k] ? "granted" : "denied"; });
      gtag("consent", "update", u);
      w.dataLayer.push({ event: "consent_update", consent: u });
    }
    activate();
  }

  function send() {
    var p = pending();
    if (!p) return;
    fetch(C.url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(p.b), credentials: "same-origin", keepalive: true })
      .then(function (r) {
        if (r.status < 500) { store(); if (r.ok) { show(); report(); } } else throw r;
      })
      .catch(function () { setTimeout(send, wait *= 2); }) // kept for a later page too
      .then(function () { if (reload) { reload = 0; location.reload(); } });
  }

  function decide(action) {
    var c = {}, b = { action: action, source: from, decision_id: uuid(), decided_at: Date.now(), revision: C.rev, gpc: gpc, path: location.pathname, choices: c };
    P.forEach(function (p) {
      var i = q("input[name=" + p + "]", dlg)[0];
      c[p] = action === "accept_all" ? !(gpc && p === "advertising") : action === "save" && i.checked;
    });
    store({ b: b, c: c });
    bar.classList.remove("cc-show");
    if (dlg.open) dlg.close();
    apply(c, 1);
    send();
  }

  // The dialog shows the stored choice and the consent ID the DPO can look up.
  function show() {
    var s = saved(), id = s && s.id;
    P.forEach(function (p) { q("input[name=" + p + "]", dlg)[0].checked = on[p]; });
    if (id) q("[data-cc-id]", dlg)[0].textContent = id.replace(/(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
    if (s) q("[data-cc-date]", dlg)[0].textContent = new Date(s.t * 1e3).toLocaleString(C.lang);
    q(".cc-gpc", dlg)[0].hidden = !gpc;
  }

  // Cookies found after a choice that no declaration covers, reported by name only.
  function report() {
    var n = d.cookie.split("; ").map(function (c) { return c.split("=")[0]; }).filter(function (n) {
      return n && !C.known.some(function (k) { return new RegExp("^" + k.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$").test(n); });
    });
    if (n.length) fetch(C.report, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ names: n }), credentials: "same-origin" });
  }

  d.addEventListener("click", function (e) {
    var t = e.target.closest("[data-cc-open],[data-cc-grant],.cc-banner button[name=action],.cc-modal button[name=action]");
    if (!t) return;
    e.preventDefault();
    if (t.dataset.ccGrant !== undefined) {
      var c = {};
      P.forEach(function (p) { c[p] = on[p] || p === t.dataset.ccGrant; });
      P.forEach(function (p) { q("input[name=" + p + "]", dlg)[0].checked = c[p]; });
      from = "settings";
      decide("save");
    } else if (t.dataset.ccOpen !== undefined) {
      from = bar.contains(t) ? "banner" : "settings";
      opener = t;
      show();
      dlg.showModal();
    } else {
      from = bar.contains(t) ? "banner" : from || "settings";
      decide(t.value);
    }
  });
  // Escape or closing the dialog without a choice: a refusal while no choice exists yet.
  dlg.addEventListener("cancel", function (e) {
    if (bar.classList.contains("cc-show")) { e.preventDefault(); decide("close"); }
  });
  dlg.addEventListener("close", function () { if (opener) opener.focus(); });
  d.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && bar.classList.contains("cc-show") && !dlg.open) { from = "banner"; decide("close"); }
  });

  var p = pending(), s = saved();
  if (p) { apply(p.c, 1); send(); } else if (s) apply(s.p); else bar.classList.add("cc-show");
})(document, window);
