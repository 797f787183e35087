"""Markup for the differential tests of ``{% consent %}`` (tests/e2e/test_gating_differential.py).

Each case is markup that would fetch ``https://leak.example/…`` or run a script (which then fetches
``https://leak.example/…``) if a browser read it live. The tag must hold it so that Chromium fetches
nothing before a choice, or refuse it. The cases: those of issue 26, every element and attribute
that can fetch, every script type, and the parsing corner cases whose shapes come from the
html5lib-tests tree-construction files (comments, CDATA, raw text, foster parenting, the adoption
agency, foreign content and its integration points, templates), written here by us.
"""

from __future__ import annotations

LEAK = "https://leak.example"
RUN = f'fetch("{LEAK}/ran")'  # what an inline script does if it runs


def _url(name: str) -> str:
    return f"{LEAK}/{name}"


# Issue 26: each fetched a third-party URL in Chromium with html.parser.
ISSUE = {
    "x-javascript": f'<script type="application/x-javascript">{RUN}</script>',
    "javascript1.5": f'<script type="text/javascript1.5">{RUN}</script>',
    "jscript": f'<script type="text/jscript">{RUN}</script>',
    "type-twice": f'<script type="text/javascript" type="application/ld+json">{RUN}</script>',
    "type-twice-data-first": f'<script type="application/ld+json" type="text/javascript">{RUN}</script>',
    "empty-comment": f'<!--><img src="{_url("empty-comment")}">-->',
    "bang-comment-end": f'<!-- x --!><img src="{_url("bang")}"> -->',
    "cdata-in-html": f'<![CDATA[ ><img src="{_url("cdata")}"> ]]>',
    "conditional-comment": f'<![if >]><img src="{_url("if")}"><![endif]>',
    "script-end-solidus": f'<script>x = 1</script/><img src="{_url("solidus")}">',
    "math-img": f'<math><img src="{_url("math-img")}"></math>',
    "escaped-url": f'<div style="background: u\\rl({_url("escaped-url")})">x</div>',
    "escaped-url-hex": f'<div style="background: \\75 rl({_url("escaped-hex")})">x</div>',
}

# Every element and attribute that can fetch, and every script type.
SCRIPT_TYPES = [
    *("", "text/javascript", "application/javascript", "application/ecmascript", "application/x-ecmascript"),
    *("application/x-javascript", "text/ecmascript", "text/javascript1.0", "text/javascript1.1"),
    *("text/javascript1.2", "text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript"),
    *("text/livescript", "text/x-ecmascript", "text/x-javascript", "module", " Text/JavaScript ", "TEXT/JSCRIPT"),
    *("text/javascript;charset=utf-8", "importmap", "speculationrules", "text/babel", "\ttext/javascript\n"),
]
FETCHING = {
    **{f"script-type-{kind.strip() or 'empty'}": f'<script type="{kind}">{RUN}</script>' for kind in SCRIPT_TYPES},
    **{
        f"script-src-{kind.strip() or 'empty'}": f'<script type="{kind}" src="{_url("s")}"></script>'
        for kind in SCRIPT_TYPES
    },
    "script-plain": f"<script>{RUN}</script>",
    "script-src": f'<script src="{_url("script-src")}"></script>',
    "script-async-defer": f'<script async defer src="{_url("async")}"></script>',
    "script-language": f'<script language="javascript">{RUN}</script>',
    "module-import": f'<script type="module">import "{_url("module")}";</script>',
    "importmap": f'<script type="importmap">{{"imports": {{"a": "{_url("importmap")}"}}}}</script>',
    "speculation-prefetch": (
        f'<script type="speculationrules">{{"prefetch": [{{"source": "list", "urls": ["{_url("spec")}"]}}]}}</script>'
    ),
    "json-src": f'<script type="application/json" src="{_url("json-src")}"></script>',
    "img": f'<img src="{_url("img")}" alt="">',
    "img-srcset": f'<img srcset="{_url("srcset")} 1x" alt="">',
    "img-empty-src-srcset": f'<img src="" srcset="{_url("srcset2")} 2x" alt="">',
    "image-alias": f'<image src="{_url("image")}">',
    "picture": f'<picture><source srcset="{_url("picture")}"><img alt=""></picture>',
    "link-stylesheet": f'<link rel="stylesheet" href="{_url("css")}">',
    "link-preload": f'<link rel="preload" as="image" href="{_url("preload")}">',
    "link-modulepreload": f'<link rel="modulepreload" href="{_url("modulepreload")}">',
    "link-prefetch": f'<link rel="prefetch" href="{_url("prefetch")}">',
    "link-icon": f'<link rel="icon" href="{_url("icon")}">',
    "link-imagesrcset": f'<link rel="preload" as="image" imagesrcset="{_url("isrcset")} 1x">',
    "video-src": f'<video src="{_url("video")}"></video>',
    "video-poster": f'<video poster="{_url("poster")}"></video>',
    "video-source": f'<video><source src="{_url("vsource")}"></video>',
    "audio": f'<audio src="{_url("audio")}" preload="auto"></audio>',
    "audio-source": f'<audio preload="auto"><source src="{_url("asource")}"></audio>',
    "track": f'<video><track default src="{_url("track")}"></video>',
    "object": f'<object data="{_url("object")}"></object>',
    "object-param": f'<object><param name="movie" value="{_url("param")}"><embed src="{_url("embed2")}"></object>',
    "embed": f'<embed src="{_url("embed")}">',
    "input-image": f'<input type="image" src="{_url("input")}" alt="go">',
    "iframe": f'<iframe src="{_url("iframe")}"></iframe>',
    "iframe-srcdoc": f"<iframe srcdoc=\"<img src='{_url('srcdoc')}'>\"></iframe>",
    "table-background": f'<table background="{_url("table-bg")}"><tr><td>x</td></tr></table>',
    "td-background": f'<table><tr><td background="{_url("td-bg")}">x</td></tr></table>',
    "a-ping": f'<a href="/x" ping="{_url("ping")}">x</a>',
    "style-import": f'<style>@import "{_url("import")}";</style>',
    "style-import-url": f"<style>@import url({_url('import-url')});</style>",
    "style-background": f"<style>body {{ background: url({_url('style-bg')}) }}</style>",
    "style-font-face": (
        f"<style>@font-face {{ font-family: x; src: url({_url('font')}) }} p {{ font-family: x }}</style>"
    ),
    "style-escaped": f"<style>body {{ background: \\75\\72\\6c({_url('style-esc')}) }}</style>",
    "style-image-set": f'<style>body {{ background-image: image-set("{_url("style-iset")}" 1x) }}</style>',
    "style-attr-url": f'<div style="background-image: url({_url("attr-url")})">x</div>',
    "style-attr-quoted": f"<div style=\"background-image: url('{_url('attr-q')}')\">x</div>",
    "style-attr-upper": f'<div style="BACKGROUND: URL({_url("attr-upper")})">x</div>',
    "style-attr-image-set": f"<div style='background-image: image-set(\"{_url('attr-iset')}\" 1x)'>x</div>",
    "style-attr-webkit-image-set": f"<div style='background: -webkit-image-set(\"{_url('attr-wiset')}\" 1x)'>x</div>",
    "style-attr-entity": f'<div style="background: &#x75;rl({_url("attr-entity")})">x</div>',
    "style-attr-comment": f'<div style="background: url/**/({_url("attr-comment")})">x</div>',
    "style-attr-cursor": f'<div style="cursor: url({_url("cursor")}), auto">x</div>',
    "style-attr-list": f'<ul style="list-style: url({_url("list")})"><li>x</li></ul>',
    "svg-image": f'<svg><image href="{_url("svg-image")}" width="5" height="5"></image></svg>',
    "svg-xlink": f'<svg><image xlink:href="{_url("svg-xlink")}" width="5" height="5"></image></svg>',
    "svg-use": f'<svg><use href="{_url("svg-use")}#a"></use></svg>',
    "svg-feimage": f'<svg><filter id="f"><feImage href="{_url("feimage")}"></feImage></filter></svg>',
    "svg-script": f"<svg><script>{RUN}</script></svg>",
    "svg-script-href": f'<svg><script href="{_url("svg-script")}"></script></svg>',
    "svg-style": f'<svg><style>@import "{_url("svg-style")}";</style></svg>',
    "svg-fill-url": f'<svg><rect width="5" height="5" style="fill: url({_url("svg-fill")}#p)"></rect></svg>',
    "svg-set-href": f'<svg><a><set attributeName="href" to="{_url("svg-set")}"></set><text>x</text></a></svg>',
    "math-mglyph": f'<math><mglyph src="{_url("mglyph")}"></mglyph></math>',
    "body-background": f'<body background="{_url("body-bg")}">',
    "base": f'<base href="{LEAK}/"><img src="relative.png">',
    "meta-refresh": f'<meta http-equiv="refresh" content="0; url={_url("refresh")}">',
    "frameset": f'<frameset><frame src="{_url("frame")}"></frameset>',
    "portal": f'<portal src="{_url("portal")}"></portal>',
    "fencedframe": f'<fencedframe src="{_url("fenced")}"></fencedframe>',
    "applet": f'<applet code="x" codebase="{_url("applet")}"></applet>',
    "event-handler": f'<img src="x" onerror="{RUN}">',
}

# Parsing corner cases; the shapes come from html5lib-tests' tree-construction files.
TREE = {
    "foster-parent-img": f'<table><img src="{_url("foster")}"><tr><td>x</td></tr></table>',
    "foster-parent-script": f"<table><script>{RUN}</script><tr><td>x</td></tr></table>",
    "foster-parent-text": f'<table>x<tr><td><img src="{_url("foster-td")}"></td></tr></table>',
    "adoption-agency": f'<a href="/x"><p>a<img src="{_url("adoption")}"></a>b</p>',
    "adoption-formatting": f'<b><i><div><img src="{_url("aaa")}"></b></i></div>',
    "p-table": f'<p><table><tr><td><img src="{_url("p-table")}"></td></tr></table>',
    "select-img": f'<select><img src="{_url("select-img")}"></select>',
    "select-iframe": f'<select><iframe src="{_url("select-iframe")}"></iframe></select>',
    "select-option-img": f'<select><option><img src="{_url("option-img")}"></option></select>',
    "select-button": f'<select><button><img src="{_url("select-button")}"></button></select>',
    "textarea": f'<textarea><img src="{_url("textarea")}"></textarea>',
    "title": f'<title><img src="{_url("title")}"></title>',
    "xmp": f'<xmp><img src="{_url("xmp")}"></xmp>',
    "noembed": f'<noembed><img src="{_url("noembed")}"></noembed>',
    "noframes": f'<noframes><img src="{_url("noframes")}"></noframes>',
    "iframe-content": f'<iframe><img src="{_url("iframe-content")}"></iframe>',
    "noscript": f'<noscript><img src="{_url("noscript")}"></noscript>',
    "noscript-end-in-attribute": f'<noscript><p title="</noscript><img src={_url("noscript-attr")}>"></noscript>',
    "noscript-comment": f"<noscript><!--</noscript><img src={_url('noscript-comment')}>--></noscript>",
    "comment-short": f'<!---><img src="{_url("comment-short")}">-->',
    "comment-dashes": f'<!-- -- --><img src="{_url("comment-dashes")}">',
    "comment-bang": f'<!--!><img src="{_url("comment-bang")}">-->',
    "comment-nested": f'<!-- <!-- --><img src="{_url("comment-nested")}">',
    "bogus-comment-pi": f'<?php echo 1 ?><img src="{_url("pi")}">',
    "bogus-comment-slash": f'</ x><img src="{_url("bogus-end")}">',
    "doctype-in-body": f'<!DOCTYPE html><img src="{_url("doctype")}">',
    "end-br": f'</br><img src="{_url("end-br")}">',
    "end-p": f'</p><img src="{_url("end-p")}">',
    "stray-end": f'</div></span><img src="{_url("stray")}">',
    "svg-desc-img": f'<svg><desc><img src="{_url("svg-desc")}"></desc></svg>',
    "svg-title-img": f'<svg><title><img src="{_url("svg-title")}"></title></svg>',
    "svg-foreignobject-img": f'<svg><foreignObject><img src="{_url("fo")}"></foreignObject></svg>',
    "svg-foreignobject-p": "<svg><foreignObject><p>x</p></foreignObject></svg>",
    "svg-cdata": f'<svg><![CDATA[<img src="{_url("svg-cdata")}">]]></svg>',
    "svg-style-breakout": f'<svg><style><img src="{_url("svg-style-img")}"></style></svg>',
    "svg-font-breakout": f'<svg><font color=red><img src="{_url("svg-font")}"></font></svg>',
    "svg-p-breakout": f'<svg><p><img src="{_url("svg-p")}"></svg>',
    "math-mtext-img": f'<math><mtext><img src="{_url("mtext")}"></mtext></math>',
    "math-mi-img": f'<math><mi><img src="{_url("mi")}"></mi></math>',
    "math-annotation-html": (
        f'<math><annotation-xml encoding="text/html"><img src="{_url("annotation")}"></annotation-xml></math>'
    ),
    "math-annotation-svg": (
        f'<math><annotation-xml><svg><image href="{_url("annotation-svg")}"/></svg></annotation-xml></math>'
    ),
    "math-style": f'<math><style><img src="{_url("math-style")}"></style></math>',
    "template": f'<template><img src="{_url("template")}"></template>',
    "template-shadowroot": f'<div><template shadowrootmode="open"><img src="{_url("shadow")}"></template></div>',
    "template-nested": f'<template><template><img src="{_url("nested-template")}"></template></template>',
    "template-in-table": f'<table><template><img src="{_url("table-template")}"></template></table>',
    "unclosed-tag": f'<img src="{_url("unclosed")}"',
    "unclosed-attribute": f'<img src="{_url("unclosed-attr")}',
    "unclosed-element": f'<video src="{_url("unclosed-video")}">',
    "unclosed-script": f"<script>{RUN}",
    "unclosed-style": f"<style>body {{ background: url({_url('unclosed-style')}) }}",
    "unclosed-comment": f'<!-- <img src="{_url("unclosed-comment")}">',
    "solidus-attribute": f'<img/src="{_url("solidus-attr")}">',
    "newline-attribute": f'<img\nsrc="{_url("newline-attr")}">',
    "upper-case": f'<IMG SRC="{_url("upper")}">',
    "missing-space": f'<img alt="x"src="{_url("missing-space")}">',
    "quote-in-name": f'<img alt"x="y" src="{_url("quote-name")}">',
    "lt-in-attribute": f'<img alt="<" src="{_url("lt-attr")}">',
    "split-script": f"<scr<script>ipt>{RUN}</script>",
    "script-double-escape": f"<script><!--<script></script>{RUN}</script>",
    "script-comment-end": f"<script><!-- </script><img src={_url('script-comment')}> --></script>",
    "style-end-space": f'<style></style ><img src="{_url("style-end")}">',
    "null-character": f'<img\x00 src="{_url("null")}">',
    "plaintext": f'<plaintext><img src="{_url("plaintext")}">',
    "html-manifest": f'<html manifest="{_url("manifest")}">',
    "head-link": f'<head><link rel="stylesheet" href="{_url("head-link")}"></head>',
    "character-references": f"&lt;img src={_url('refs')}&gt;",
    "srcset-space": f'<img srcset=" {_url("srcset-space")} 1x">',
    "frame-in-body": f'<frame src="{_url("frame-body")}">',
    "isindex": f'<isindex src="{_url("isindex")}">',
    "li-implied": f'<ul><li><img src="{_url("li")}"><li>b</ul>',
    "nested-a": f'<a href="/1"><a href="/2" ping="{_url("nested-a")}">x</a></a>',
    "form-in-form": f'<form><form><input type="image" src="{_url("form")}"></form></form>',
    "button-formaction": '<form><button formaction="https://leak.example/never">x</button></form>',
}

# Markup that fetches nothing: it must stay live, as it is.
INERT = {
    "text": "<p>Bonjour &amp; bienvenue</p>",
    "link": '<a href="https://www.nocrm.io/tarifs/">Tarifs</a>',
    "json-ld": '<script type="application/ld+json">{"@type": "Organization"}</script>',
    "svg-icon": '<svg viewBox="0 0 10 10"><path d="M0 0h10v10z" fill="url(#g)"></path></svg>',
    "style-colour": '<p style="color: red">x</p><style>p { color: blue }</style>',
}

CORPUS = {**ISSUE, **FETCHING, **TREE}
