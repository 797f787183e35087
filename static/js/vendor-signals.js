/*
 * Vendors' own consent signals, for the tags added from the vendor catalog (consent/catalog/).
 *
 * Loaded, before consent.js, only on pages that carry such a tag: {% consent_vendor_signals %} lists
 * the signals and the purpose each vendor is gated on in #cc-signals. The defaults go out now, before
 * any held script can run; consent.js then fires "cc:consent" with what is granted, before it brings
 * back the granted scripts, and again on every change. Google's Consent Mode is consent.js's own.
 * Each vendor's call is the one its documentation gives (the sources are in the catalog entry).
 */
(() => {
  const element = document.getElementById("cc-signals");
  if (!element) {
    return;
  }
  // [[signal, purpose], ...]: the purpose whose grant the vendor's signal follows.
  const signals = JSON.parse(element.textContent);

  function state(isGranted) {
    return isGranted ? "granted" : "denied";
  }

  // Queues that a vendor's own loader adopts when it runs (it keeps what is already there).
  function clarityQueue() {
    window.clarity =
      window.clarity ||
      function () {
        (window.clarity.q = window.clarity.q || []).push(arguments);
      };
    return window.clarity;
  }

  const defaults = {
    "microsoft-uet": () => {
      window.uetq = window.uetq || [];
      window.uetq.push("consent", "default", { ad_storage: "denied" });
    },
    "microsoft-clarity": () => {
      clarityQueue()("consentv2", { ad_Storage: "denied", analytics_Storage: "denied" });
    },
    matomo: () => {
      window._paq = window._paq || [];
      window._paq.push(["requireConsent"]);
    },
  };

  // Called on every change with the granted state of the vendor's purpose, and what is granted.
  const updates = {
    "microsoft-uet": (isGranted) => {
      window.uetq = window.uetq || [];
      window.uetq.push("consent", "update", { ad_storage: state(isGranted) });
    },
    "microsoft-clarity": (isGranted, granted) => {
      clarityQueue()("consentv2", {
        ad_Storage: state(granted.advertising),
        analytics_Storage: state(isGranted),
      });
    },
    // The Meta Pixel's and TikTok's loaders stop if their object already exists: they are told only
    // once their gated script made it.
    "meta-pixel": (isGranted) => {
      if (window.fbq) {
        window.fbq("consent", isGranted ? "grant" : "revoke");
      }
    },
    tiktok: (isGranted) => {
      if (window.ttq && window.ttq.grantConsent) {
        if (isGranted) {
          window.ttq.grantConsent();
        } else {
          window.ttq.revokeConsent();
        }
      }
    },
    hubspot: (isGranted) => {
      if (!isGranted) {
        (window._hsp = window._hsp || []).push(["revokeCookieConsent"]);
      }
    },
    matomo: (isGranted) => {
      window._paq = window._paq || [];
      window._paq.push([isGranted ? "setConsentGiven" : "forgetConsentGiven"]);
    },
    intercom: (isGranted) => {
      if (!isGranted && window.Intercom) {
        window.Intercom("shutdown");
      }
    },
  };

  signals.forEach(([signal]) => {
    if (defaults[signal]) {
      defaults[signal]();
    }
  });

  document.addEventListener("cc:consent", (event) => {
    const granted = event.detail;
    signals.forEach(([signal, purpose]) => {
      if (updates[signal]) {
        updates[signal](Boolean(granted[purpose]), granted);
      }
    });
  });
})();
