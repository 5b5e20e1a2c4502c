// The search page of the static site of a release. The release's search index (search.sqlite,
// shipped as base64 in search.sqlite.js) is opened by SQLite compiled to WebAssembly (vendor/
// sqlite3.js, with FTS5) and asked the statements the server runs (neaspec_kg.search.SQL, put in
// the page's config by the site build), so the ranking, stemming and snippets are the server's.
// A page opened from file:// may fetch nothing: the engine and the index come as <script>s.
(function () {
  "use strict";
  const configElement = document.getElementById("search-config");
  const out = document.getElementById("search-results");
  if (!configElement || !out) return;
  const config = JSON.parse(configElement.textContent);
  const params = new URLSearchParams(location.search);
  const q = params.get("q") || "";
  const chosen = {};
  for (const [param, facet] of config.facet_params) {
    if (params.get(param)) chosen[facet] = params.get(param);
  }
  // As neaspec_kg.search reads them: limit within 1..max_limit, offset at least 0 (the server
  // refuses a value that is not a whole number; here it is read as the default).
  const whole = (name, fallback) => {
    const n = parseInt(params.get(name) ?? "", 10);
    return Number.isNaN(n) ? fallback : n;
  };
  const limit = Math.max(1, Math.min(whole("limit", 20), config.max_limit));
  // (an offset past 2^53 would lose digits and print as 1e+21: it is capped; the page is empty either way)
  const offset = Math.min(Math.max(0, whole("offset", 0)), Number.MAX_SAFE_INTEGER);

  const form = document.querySelector("form.search-main");
  form.querySelector("input[name=q]").value = q;
  document.querySelectorAll("form.searchbox input[name=q]").forEach((box) => { box.value = q; });
  for (const [param, facet] of config.facet_params) {
    if (!chosen[facet]) continue;
    const hidden = document.createElement("input");
    Object.assign(hidden, { type: "hidden", name: param, value: chosen[facet] });
    form.appendChild(hidden);
  }
  if (q) document.title = `Search: ${q} · ${document.title.split(" · ").pop()}`;

  function bytes(base64) {
    const text = atob(base64);
    const data = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i += 1) data[i] = text.charCodeAt(i);
    return data;
  }

  async function openIndex() {
    const sqlite3 = await sqlite3Wasm.default({ wasmBinary: bytes(NEASPEC_SQLITE_WASM), print: () => {}, printErr: () => {} });
    const db = new sqlite3.oo1.DB();
    const data = bytes(NEASPEC_SEARCH_DB);
    const pointer = sqlite3.wasm.allocFromTypedArray(data);
    const flags = sqlite3.capi.SQLITE_DESERIALIZE_FREEONCLOSE | sqlite3.capi.SQLITE_DESERIALIZE_READONLY;
    db.checkRc(sqlite3.capi.sqlite3_deserialize(db.pointer, "main", pointer, data.length, data.length, flags));
    return db;
  }

  // neaspec_kg.search.match_expression: every word quoted, the last one a prefix.
  function matchExpression(text) {
    const words = text.match(new RegExp(config.word_pattern, "gu")) || [];
    if (!words.length) return "";
    const quoted = words.map((w) => `"${w}"`);
    quoted[quoted.length - 1] += "*";
    return quoted.join(" ");
  }

  // neaspec_kg.search.search, statement by statement.
  function search(db, expr) {
    const sql = config.sql;
    let ranked = db.selectValues(sql.ranked, [expr]);
    for (const [name, value] of Object.entries(chosen)) {
      const allowed = new Set(db.selectValues(sql.facet_docs, [name, value]));
      ranked = ranked.filter((doc) => allowed.has(doc));
    }
    const top = ranked.slice(offset, offset + limit);
    const order = new Map(top.map((doc, n) => [doc, n]));
    const rows = db.selectArrays(sql.hits, [expr, JSON.stringify(top)]).sort((a, b) => order.get(a[0]) - order.get(b[0]));
    const facets = Object.fromEntries(config.facets.map((name) => [name, []]));
    for (const [name, value, count] of db.selectArrays(sql.facet_counts, [JSON.stringify(ranked)])) {
      (facets[name] = facets[name] || []).push([value, count]);
    }
    const own = new Map();
    for (const [doc, name, value] of db.selectArrays(sql.hit_facets, [JSON.stringify(top)])) {
      if (!own.has(doc)) own.set(doc, {});
      (own.get(doc)[name] = own.get(doc)[name] || []).push(value);
    }
    const hits = rows.map(([doc, iri, link, kind, title, snippet, titled]) => ({
      iri, link, kind, title, facets: own.get(doc) || {},
      snippet_html: marked(snippet.trim() ? snippet : titled),
    }));
    return { total: ranked.length, hits, facets, offset };
  }

  // Python's html.escape, then the markers SQLite put around matched words.
  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  function marked(text) {
    return escapeHtml(text).split(config.open).join("<mark>").split(config.close).join("</mark>");
  }

  // A page of the site for an IRI of the dataset (site.page_path), else the IRI itself.
  function pageOf(iri) {
    if (!iri.startsWith(config.base)) return iri;
    const [local, fragment] = iri.slice(config.base.length).split("#");
    if (!local.startsWith("id/")) return iri;
    return `${local}/index.html${fragment ? "#" + fragment : ""}`;
  }

  // A facet link starts at the first result; a page link (paging) keeps the facets and the limit.
  function searchUrl(param, value, paging = {}) {
    const next = new URLSearchParams();
    if (q) next.set("q", q);
    for (const [p, facet] of config.facet_params) {
      const v = p === param ? value : chosen[facet];
      if (v) next.set(p, v);
    }
    for (const [p, v] of Object.entries(paging)) if (v) next.set(p, v);
    return `search.html?${next.toString()}`;
  }

  // The server's pages.router._pages: the results before and after those shown.
  function pagesHtml(result) {
    const kept = params.get("limit") || "";
    const links = [];
    const offset = result.offset;
    if (offset > 0) {
      const before = Math.max(0, Math.min(offset, result.total) - limit);  // past the end: the last page
      links.push(`<a href="${escapeHtml(searchUrl("", "", { limit: kept, offset: before ? String(before) : "" }))}" rel="prev">Previous results</a>`);
    }
    if (offset + result.hits.length < result.total) {
      links.push(`<a href="${escapeHtml(searchUrl("", "", { limit: kept, offset: String(offset + result.hits.length) }))}" rel="next">Next results</a>`);
    }
    return links.length ? `<nav class="pages" aria-label="More results">${links.join(" · ")}</nav>` : "";
  }

  function facetsHtml(result) {
    const parts = ['<aside class="facets" aria-labelledby="h-facets"><h2 id="h-facets">Narrow down</h2>'];
    for (const [param, facet] of config.facet_params) {
      const values = result.facets[facet] || [];
      if (!values.length) continue;
      parts.push(`<h3>${escapeHtml(facet[0].toUpperCase() + facet.slice(1))}</h3><ul>`);
      for (const [value, count] of values) {
        if (chosen[facet] === value) {
          parts.push(`<li><strong>${escapeHtml(value)}</strong> (${count}) <a href="${escapeHtml(searchUrl(param, ""))}"`
            + ` aria-label="Remove filter ${escapeHtml(value)}">remove</a></li>`);
        } else {
          parts.push(`<li><a href="${escapeHtml(searchUrl(param, value))}">${escapeHtml(value)}</a> <span class="count">${count}</span></li>`);
        }
      }
      parts.push("</ul>");
    }
    parts.push("</aside>");
    return parts.join("");
  }

  function hitsHtml(result) {
    const shown = result.hits.length;
    let heading = `${result.total} result${result.total === 1 ? "" : "s"}`;
    const offset = result.offset;
    if (shown && offset) heading += `, ${offset + 1}–${offset + shown} shown`;
    else if (shown && result.total > shown) heading += `, the first ${shown} shown`;
    const items = result.hits.map((h) => {
      const sessions = (h.facets.session || []).map((s) => ` <span class="tag">${escapeHtml(s)}</span>`).join("");
      return `<li data-iri="${escapeHtml(h.iri)}"><a class="hit" href="${escapeHtml(pageOf(h.link))}">${escapeHtml(h.title)}</a>`
        + ` <span class="tag">${escapeHtml(h.kind)}</span>${sessions}<p class="snippet">${h.snippet_html}</p></li>`;
    });
    if (!items.length) {
      items.push(`<li class="nothing">${result.total ? `This page is past the last of the ${result.total} results.`
        : "Nothing found. Try fewer or other words."}</li>`);
    }
    const start = offset && shown ? ` start="${offset + 1}"` : "";
    return `<section class="hits" aria-labelledby="h-hits"><h2 id="h-hits">${heading}</h2><ol${start}>${items.join("")}</ol>`
      + `${pagesHtml(result)}</section>`;
  }

  function finish(state, html) {
    out.innerHTML = html;
    document.body.dataset.search = state;
  }

  const expr = matchExpression(q);
  if (!q) {
    finish("empty", "");
    return;
  }
  if (!expr) {  // words of punctuation only: no search, as on the server
    const none = { total: 0, hits: [], facets: {}, offset: 0 };  // no search made: at its start, as on the server
    finish("done", `<div class="search-layout">${facetsHtml(none)}${hitsHtml(none)}</div>`);
    return;
  }
  const started = performance.now();
  openIndex().then((db) => {
    const opened = performance.now();
    const result = search(db, expr);
    finish("done", `<div class="search-layout">${facetsHtml(result)}${hitsHtml(result)}</div>`);
    // For benchmarks/static_search.py: ms since navigation; opening the index; the query.
    Object.assign(document.body.dataset, { searchMs: Math.round(performance.now()),
      openMs: Math.round(opened - started), queryMs: Math.round(performance.now() - opened) });
  }).catch((error) => {
    finish("failed", `<p class="error" role="alert">The search index could not be opened in this browser: ${escapeHtml(error.message || error)}</p>`);
  });
})();
