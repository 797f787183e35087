vcl 4.1;
# The cache in front of the site: docs/deployment.md's "A CDN in front", written as Varnish 7 VCL.
# `make stack` runs this file as it is; a hosting team copies it with its own backend.vcl.
#
# - Cached: what the origin says is public (the pages, /static/), keyed on the path alone: no query
#   string, no cookie, no host; the origin's Cache-Control is honoured.
# - Passed, by path, whatever the origin answers: /consent/ and everything under it, /admin/, the
#   e-mail trackers, the contact form, /healthz, every method but GET and HEAD.
# - Grace: a stored page past its s-maxage is served at once while a background fetch refreshes it,
#   for as long as its stale-if-error (a day): so pages keep being served when every server is down.
#   A failed refresh keeps the stored copy. (Varnish 7.1 drops the stored copy when a foreground
#   fetch fails, so limiting grace to stale-while-revalidate while the origin answers would lose it
#   at the first error; a change of content is purged by the site anyway, see purge below.)
# - PURGE (one path) and BAN (a path prefix) from the purgers below only: the site sends them after an
#   admin change (cdn/, CDN_PURGE_URLS).

import std;

# The origin (HAProxy in front of the web servers) and its probe; `make stack` writes its own.
include "backend.vcl";

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE" || req.method == "BAN") {
        if (!client.ip ~ purgers) {
            return (synth(405, "Not allowed"));
        }
        if (req.method == "BAN") {
            ban("obj.http.X-Url ~ ^" + regsub(req.url, "\?.*$", ""));
            return (synth(200, "Banned"));
        }
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Never from the cache, whatever headers the origin sends by mistake: the visitor's choice and
    # its settings page, the admin, the trackers, the form, the health check.
    if (req.url ~ "^(/en)?/consent(/|\?|$)"
        || req.url ~ "^(/en)?/contact(/|\?|$)"
        || req.url ~ "^/admin(/|\?|$)"
        || req.url ~ "^/(o|l|goto|email-tracking)/"
        || req.url ~ "^/api/"
        || req.url ~ "^/healthz"
        || req.http.Authorization) {
        return (pass);
    }
    # The cookies still reach the origin on a miss (a page that reads one answers private, no-store
    # and is not stored); they are no part of the key (vcl_hash).
    return (hash);
}

sub vcl_hash {
    hash_data(regsub(req.url, "\?.*$", ""));
    return (lookup);
}

sub vcl_backend_response {
    set beresp.http.X-Url = regsub(bereq.url, "\?.*$", "");
    if (bereq.uncacheable) {
        return (deliver);
    }
    # A failed refresh keeps the stored page (served from grace) instead of replacing it.
    if (beresp.status >= 500 && bereq.is_bgfetch) {
        return (abandon);
    }
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control !~ "(^|[ ,])public([ ,]|$)"
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)"
        || beresp.http.Vary ~ "(?i)(^|[ ,])(?!accept-encoding)[a-z]"
        || beresp.status != 200) {
        set beresp.ttl = 1s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Without stale-if-error, the grace Varnish took from stale-while-revalidate stands.
    set beresp.grace = std.duration(
        regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), beresp.grace);
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch) {
        return (abandon);
    }
}

sub vcl_deliver {
    unset resp.http.X-Url;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "pass";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}
