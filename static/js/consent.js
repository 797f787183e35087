/*
 * noCRM.io consent manager: the banner, the settings dialog and the gating of scripts and frames.
 *
 * Written to be read; the static files pipeline (nocrm_site/storage.py) minifies it when static
 * files are collected, and tests/consent/test_budget.py keeps what browsers receive under budget.
 *
 * Without JavaScript the same markup works as plain forms: buttons post to /consent/ and get a 303
 * back, "Personnaliser" and the footer link lead to /consent/parametres/, and the banner is shown
 * by the per-visitor state.css (decision 0002).
 */
(() => {
  // Rendered by {% consent_ui %} with json_script: cookie name, policy revision, max age,
  // endpoint URLs, language, optional purposes (in the order of the cookie's digits), the
  // declared cookie names per purpose (anchored regular expressions, with their paths) and the
  // Consent Mode mapping.
  const config = JSON.parse(document.getElementById("cc-config").textContent);
  const banner = document.getElementById("cc-banner");
  const dialog = document.getElementById("cc-modal");
  const purposes = config.purposes;
  const globalPrivacyControl = Boolean(navigator.globalPrivacyControl);
  const PENDING_KEY = "cc-pending";
  const WITHDRAWN = "cc-withdrawn";
  const CONTROLS =
    "[data-cc-open],[data-cc-grant],#cc-banner [name=action],#cc-modal [name=action]";

  // What is granted on this page, by purpose.
  const granted = {};
  let retryDelay = 1000;
  // A purpose was withdrawn: scripts already running only stop with a reload, once it is sent.
  let reloadAfterSend = false;

  function purposeSwitch(purpose) {
    return dialog.querySelector("input[name=" + purpose + "]");
  }

  // A decision not yet confirmed by the server waits in localStorage, with its original time and
  // decision_id, so that a later page can send it again; the server stores each decision_id once.
  // Keep its stored form, {c: choices, b: request body}: earlier versions of this file left some.
  function readPending() {
    try {
      return JSON.parse(localStorage.getItem(PENDING_KEY));
    } catch (error) {
      return undefined;
    }
  }

  function storePending(pending) {
    try {
      localStorage.setItem(PENDING_KEY, JSON.stringify(pending));
    } catch (error) {
      // Storage refused (private mode, quota): nothing to keep.
    }
  }

  function clearPending() {
    try {
      localStorage.removeItem(PENDING_KEY);
    } catch (error) {
      // Storage refused: nothing was kept.
    }
  }

  // The consent cookie, "id.purposes.revision.time:signature" (decision 0001). A choice counts
  // while it stands under the current revision and is younger than the max age. The signature is
  // checked by the server, never here.
  function readStoredChoice() {
    const pattern = new RegExp("(?:^|; )" + config.name + "=([^:;]*)");
    const match = document.cookie.match(pattern);
    const parts = match && match[1].split(".");
    const choices = {};
    purposes.forEach((purpose, index) => {
      choices[purpose] = parts && parts[1][index] === "1";
    });
    const fresh = parts && Date.now() / 1000 - Number(parts[3]) < config.maxAge;
    if (parts && fresh && choiceStands(Number(parts[2]), choices)) {
      return { id: parts[0], choices, decidedAt: parts[3] };
    }
    return null;
  }

  // A choice made under an older revision stands unless a later revision asked again everyone,
  // or the visitors who had granted one of its purposes (its declarations changed): a refusal
  // stands. The server decides the same way (Snapshot.choice_stands).
  function choiceStands(revision, choices) {
    if (revision === config.rev) {
      return true;
    }
    if (revision < config.reaskAll || revision > config.rev) {
      return false;
    }
    const askedAgain = (purpose) => (config.reask[purpose] || 0) > revision;
    return purposes.every((purpose) => !choices[purpose] || !askedAgain(purpose));
  }

  // Whether a held element may come back: its data-consent names one purpose, or several
  // separated by spaces (any of them granted is enough, as for Google Tag Manager).
  function isGranted(element) {
    return element.dataset.consent.split(" ").some((purpose) => granted[purpose]);
  }

  // What {% consent %} held (consent/visitor/gating.py): scripts of type text/plain, templates
  // whose content a browser does not load (images, links, media, pixels), frame placeholders.
  const HELD = "script[type='text/plain'][data-consent],template[data-consent],.cc-embed[data-consent]";
  // The attributes gating.py added to a held script; every other attribute is the script's own.
  const GATING_ATTRIBUTES = ["type", "data-consent", "data-src", "data-type", "data-queued"];

  // Whether a held element comes back now: its own purpose is granted and it is not queued yet.
  // It is queued once (data-queued), so nothing comes back twice.
  function takeIfGranted(held) {
    if (held.dataset.queued || !isGranted(held)) {
      return false;
    }
    held.dataset.queued = "1";
    return true;
  }

  // Brings back held elements one after the other, in page order: a classic external script
  // finishes loading before the next element comes back; async ones do not wait.
  function restore(queue) {
    const held = queue.shift();
    if (!held) {
      return;
    }
    if (held.tagName !== "SCRIPT") {
      // A template, or a frame placeholder whose last child is the template of its frame.
      const content = held.tagName === "TEMPLATE" ? held.content : held.lastElementChild.content;
      // What it holds was held too (scripts, nested blocks, frames): each comes back in its place,
      // before what follows the template, when its own purpose is granted; the others stay held in
      // the page until theirs is (runGranted finds them there).
      const inner = Array.from(content.querySelectorAll(HELD)).filter(takeIfGranted);
      held.replaceWith(content);
      restore(inner.concat(queue));
      return;
    }
    const script = document.createElement("script");
    Array.from(held.attributes).forEach((attribute) => {
      if (!GATING_ATTRIBUTES.includes(attribute.name)) {
        script.setAttribute(attribute.name, attribute.value);
      }
    });
    if (held.hasAttribute("data-type")) {
      script.type = held.dataset.type;
    }
    // Inserted scripts are async by default; a classic one must keep the page's order.
    script.async = held.hasAttribute("async");
    const source = held.dataset.src;
    if (source) {
      script.src = source;
    } else {
      // The page's CSP allows this text by its hash (guards/csp.py), computed when the page rendered.
      script.text = held.text;
    }
    if (source && !script.async) {
      script.onload = () => restore(queue);
      script.onerror = script.onload;
    } else {
      setTimeout(restore, 0, queue);
    }
    held.replaceWith(script);
  }

  // Brings back what is now granted.
  function runGranted() {
    restore(Array.from(document.querySelectorAll(HELD)).filter(takeIfGranted));
  }

  // Deletes the declared first-party cookies of a purpose on every path declared, host-only and
  // on each parent domain (analytics tags write on .nocrm.io), and its storage keys.
  function deleteCookies(purpose) {
    config.rules[purpose].forEach(([namePattern, path]) => {
      [localStorage, sessionStorage].forEach((storage) => {
        Object.keys(storage).forEach((key) => {
          if (new RegExp(namePattern).test(key)) {
            storage.removeItem(key);
          }
        });
      });
      document.cookie.split("; ").forEach((cookie) => {
        const name = cookie.split("=")[0];
        if (!new RegExp(namePattern).test(name)) {
          return;
        }
        const expired = name + "=;Max-Age=0;Path=" + path;
        document.cookie = expired;
        for (let domain = location.hostname.split("."); domain.length; domain.shift()) {
          document.cookie = expired + ";Domain=" + domain.join(".");
        }
      });
    });
  }

  // Records what is granted on this page; on a decision, tells Google's Consent Mode too.
  function applyChoices(choices, decided) {
    // The page after a withdrawal deletes again: a script stopped by the reload may have written
    // its cookies once more in between.
    const afterWithdrawal = sessionStorage[WITHDRAWN];
    delete sessionStorage[WITHDRAWN];
    purposes.forEach((purpose) => {
      if (granted[purpose] && !choices[purpose]) {
        reloadAfterSend = true;
        sessionStorage[WITHDRAWN] = 1;
      }
      if (!choices[purpose] && (granted[purpose] || afterWithdrawal)) {
        deleteCookies(purpose);
      }
      granted[purpose] = Boolean(choices[purpose]);
    });
    // Vendors' own consent signals (static/js/vendor-signals.js, on pages that gate such a vendor)
    // hear it before any held script runs.
    document.dispatchEvent(new CustomEvent("cc:consent", { detail: granted }));
    if (decided) {
      const update = {};
      Object.keys(config.gtm).forEach((purpose) => {
        const state = purpose === "necessary" || granted[purpose] ? "granted" : "denied";
        config.gtm[purpose].forEach((type) => {
          update[type] = state;
        });
      });
      if (window.gtag) {
        window.gtag("consent", "update", update);
      }
      window.dataLayer = window.dataLayer || [];
      window.dataLayer.push({ event: "consent_update", consent: update });
    }
    runGranted();
  }

  // Posts the pending decision. A 2xx or a 4xx (which will never succeed) clears it; a 5xx or a
  // network error retries after 2 s, then 4 s, 8 s…, and the next page retries too; a 429 (too
  // many decisions from this client) retries when the server says. ``onAnswer``, if given, is
  // called once: with the choices the server recorded when it answers with them (it also reads
  // the Sec-GPC header, which this page cannot see), else with the choices as made. Whatever the
  // server answers with choices (the record's), the page applies.
  function sendPending(onAnswer) {
    const pending = readPending();
    if (!pending) {
      return;
    }
    let answered = !onAnswer;
    const answer = (choices) => {
      if (!answered) {
        answered = true;
        onAnswer(choices);
      }
    };
    fetch(config.url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(pending.b),
    })
      .then((response) => {
        if (response.status === 429) {
          answer(pending.c);
          const seconds = Number(response.headers.get("Retry-After")) || 60;
          setTimeout(sendPending, seconds * 1000);
          return null;
        }
        const body = response.json().then(
          (recorded) => {
            answer(recorded.choices || pending.c);
            // The record is the proof: a decision the server already holds (sent again, 409 when
            // with other choices) is answered with the stored choices, and the page follows them.
            const stored = recorded.choices;
            if (stored && purposes.some((purpose) => Boolean(stored[purpose]) !== granted[purpose])) {
              applyChoices(stored, true);
            }
          },
          () => answer(pending.c),
        );
        if (response.status >= 500) {
          throw response;
        }
        clearPending();
        if (response.ok) {
          // The server reviews the cookie names the browser holds (from the request's Cookie
          // header; never their values) and lists the undeclared ones in the admin.
          // Its answer is read to the end, so that the request ends (it is never cached).
          fetch(config.report, { method: "POST" }).then((answer) => answer.text(), () => null);
        }
        return body;
      })
      .catch((error) => {
        if (!(error instanceof Response)) {
          answer(pending.c); // no answer at all (network): the choice as made applies
        }
        retryDelay *= 2;
        setTimeout(sendPending, retryDelay);
      })
      .then(() => {
        if (reloadAfterSend) {
          location.reload();
        }
      });
  }

  // The single way a choice is made: banner and dialog buttons, Escape, a frame's button.
  function decide(action) {
    const choices = {};
    purposes.forEach((purpose) => {
      if (action === "accept_all") {
        // With Global Privacy Control, "accept all" leaves advertising off.
        choices[purpose] = !(globalPrivacyControl && purpose === "advertising");
      } else {
        choices[purpose] = action === "save" && purposeSwitch(purpose).checked;
      }
    });
    storePending({
      c: choices,
      b: {
        action,
        // "banner" for the first choice, made in the banner or its "Personnaliser" dialog.
        source: banner.classList.contains("cc-show") ? "banner" : "settings",
        decision_id: crypto.randomUUID(),
        decided_at: Date.now(),
        // The revision and banner version this page showed: the record says what was seen.
        revision: config.rev,
        banner: config.banner,
        gpc: globalPrivacyControl,
        path: location.pathname,
        choices,
      },
    });
    banner.classList.remove("cc-show");
    if (dialog.open) {
      dialog.close();
    }
    if (action === "accept_all") {
      // A browser may send Global Privacy Control as a header only: then the server leaves
      // advertising off after "accept all", and this page follows its answer.
      sendPending((recorded) => applyChoices(recorded, true));
    } else {
      applyChoices(choices, true);
      sendPending();
    }
  }

  // Fills the dialog: switches from the current choice, the consent ID and the date of the last
  // choice (to quote to the DPO), the GPC notice.
  function fillDialog() {
    const stored = readStoredChoice();
    purposes.forEach((purpose) => {
      purposeSwitch(purpose).checked = granted[purpose];
    });
    if (stored) {
      const decidedAt = new Date(stored.decidedAt * 1000);
      dialog.querySelector("[data-cc-id]").textContent = stored.id;
      dialog.querySelector("[data-cc-date]").textContent = decidedAt.toLocaleString(config.lang);
    }
    dialog.querySelector(".cc-gpc").hidden = !globalPrivacyControl;
  }

  // One delegated listener: data-cc-open opens the dialog (which gives the focus back to its
  // opener when it closes), buttons named "action" decide, data-cc-grant on a placeholder's
  // button accepts that one purpose on top of the current choice.
  function handleClick(event) {
    const control = event.target.closest(CONTROLS);
    if (!control) {
      return;
    }
    event.preventDefault();
    const grantedPurpose = control.dataset.ccGrant;
    if (grantedPurpose) {
      purposes.forEach((purpose) => {
        purposeSwitch(purpose).checked = granted[purpose] || purpose === grantedPurpose;
      });
      decide("save");
    } else if (control.hasAttribute("data-cc-open")) {
      fillDialog();
      dialog.showModal();
    } else {
      decide(control.value);
    }
  }

  // Tab is kept inside the open dialog.
  function keepFocusInDialog(event) {
    const focusable = dialog.querySelectorAll("summary,[role=switch],button");
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.key === "Tab" && document.activeElement === (event.shiftKey ? first : last)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  }

  // Escape while the banner is shown is a refusal, in or out of the dialog.
  function refuseOnEscape(event) {
    if (event.key === "Escape" && banner.classList.contains("cc-show")) {
      event.preventDefault();
      decide("close");
    }
  }

  document.addEventListener("click", handleClick);
  dialog.addEventListener("keydown", keepFocusInDialog);
  document.addEventListener("keydown", refuseOnEscape);

  const pending = readPending();
  const stored = readStoredChoice();
  if (pending && choiceStands(pending.b.revision, pending.c)) {
    applyChoices(pending.c, true);
    sendPending();
  } else if (pending) {
    // Chosen under an older revision: sent as made (the proof of what was seen then), but this
    // revision asks again.
    sendPending();
    banner.classList.add("cc-show");
  } else if (stored) {
    applyChoices(stored.choices, false);
  } else {
    banner.classList.add("cc-show");
  }
})();
