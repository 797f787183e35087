/* noCRM.io consent manager: see docs/consent-js.md */
((d, w) => {
  var C = JSON.parse(d.getElementById("cc-config").textContent),
    nonce = d.currentScript.nonce,
    bar = d.getElementById("cc-banner"),
    dlg = d.getElementById("cc-modal"),
    P = ["preferences", "statistics", "advertising"],
    gpc = !!navigator.globalPrivacyControl,
    KEY = "cc-pending",
    on = {}, wait = 1e3, reload;

  function q(s, r) { return (r || d).querySelectorAll(s); }
  function sw(p) { return q("input[name=" + p + "]", dlg)[0]; }
  function keep(v) { try { return v ? localStorage.setItem(KEY, JSON.stringify(v)) : v === 0 ? localStorage.removeItem(KEY) : JSON.parse(localStorage.getItem(KEY)); } catch (e) {} }

  function saved() {
    var m = d.cookie.match(new RegExp("(?:^|; )" + C.name + "=([^:;]*)")), s = m && m[1].split("."), c = {};
    P.forEach((p, i) => (c[p] = s && s[1][i] == 1));
    return s && s[2] == C.rev && Date.now() / 1e3 - s[3] < C.maxAge ? { id: s[0], c, t: s[3] } : null;
  }

  function activate(list) {
    var o = list.shift(), s = d.createElement("script");
    if (!o) return;
    [].forEach.call(o.attributes, a => /^(type|data-)/.test(a.name) || s.setAttribute(a.name, a.value));
    s.async = o.hasAttribute("async");
    s.nonce = nonce;
    o.dataset.src ? (s.src = o.dataset.src) : (s.text = o.text);
    o.dataset.src && !s.async ? (s.onload = s.onerror = () => activate(list)) : setTimeout(activate, 0, list);
    o.replaceWith(s);
  }

  function run() {
    activate([].filter.call(q("script[type='text/plain'][data-consent]"), o => on[o.dataset.consent] && (o.type = "text/x-queued")));
    q(".cc-embed").forEach(e => on[e.dataset.consent] && e.replaceWith(e.lastElementChild.content));
  }

  function wipe(p) {
    C.rules[p].forEach(r => {
      d.cookie.split("; ").forEach(c => {
        var n = c.split("=")[0], x = n + "=;Max-Age=0;Path=" + r[1], h = location.hostname.split(".");
        if (RegExp(r[0]).test(n)) for (d.cookie = x; h.length; h.shift()) d.cookie = x + ";Domain=" + h.join(".");
      });
    });
  }

  function apply(c, decided) {
    var u = {}, k;
    P.forEach(p => {
      if (on[p] && !c[p]) wipe(p), reload = 1;
      on[p] = !!c[p];
    });
    if (decided) {
      for (k in C.gtm) C.gtm[k].forEach(t => (u[t] = k == "necessary" || on[k] ? "granted" : "denied"));
      w.gtag && gtag("consent", "update", u);
      (w.dataLayer = w.dataLayer || []).push({ event: "consent_update", consent: u });
    }
    run();
  }

  function send() {
    var p = keep();
    p && fetch(C.url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(p.b) }).then(r => {
      if (r.status > 499) throw r;
      keep(0);
      r.ok && fetch(C.report, { method: "POST" });
    }).catch(() => setTimeout(send, wait *= 2)).then(() => reload && location.reload());
  }

  function decide(action) {
    var c = {};
    P.forEach(p => { c[p] = action == "accept_all" ? !(gpc && p == "advertising") : action == "save" && sw(p).checked; });
    keep({ c, b: { action, source: bar.classList.contains("cc-show") ? "banner" : "settings", decision_id: crypto.randomUUID(), decided_at: Date.now(), revision: C.rev, banner: C.banner, gpc, path: location.pathname, choices: c } });
    bar.classList.remove("cc-show");
    dlg.open && dlg.close();
    apply(c, 1);
    send();
  }

  function show() {
    var s = saved();
    P.forEach(p => (sw(p).checked = on[p]));
    if (s) q("[data-cc-id]", dlg)[0].textContent = s.id, q("[data-cc-date]", dlg)[0].textContent = new Date(s.t * 1e3).toLocaleString(C.lang);
    q(".cc-gpc", dlg)[0].hidden = !gpc;
  }

  d.addEventListener("click", e => {
    var t = e.target.closest("[data-cc-open],[data-cc-grant],#cc-banner [name=action],#cc-modal [name=action]"), g;
    if (!t) return;
    e.preventDefault();
    if ((g = t.dataset.ccGrant)) {
      P.forEach(p => (sw(p).checked = on[p] || p == g));
      decide("save");
    } else if (t.dataset.ccOpen != null) {
      show();
      dlg.showModal();
    } else decide(t.value);
  });
  dlg.addEventListener("keydown", e => {
    var f = q("summary,[role=switch],button", dlg), a = f[0], z = f[f.length - 1];
    if (e.key == "Tab" && d.activeElement == (e.shiftKey ? a : z)) e.preventDefault(), (e.shiftKey ? z : a).focus();
  });
  d.addEventListener("keydown", e => {
    if (e.key == "Escape" && bar.classList.contains("cc-show")) e.preventDefault(), decide("close");
  });

  var p = keep(), s = saved();
  if (p) apply(p.c, 1), send(); else if (s) apply(s.c); else bar.classList.add("cc-show");
})(document, window);
