// Query page: runs the query against /sparql and shows the answer as a table. No CDN, no framework.
// IRIs are shown by their labels (a second query asks for them) and link to their pages; numbers
// and dates are formatted; language tags go to the cell's lang attribute, not into the text. The
// query is kept in the URL; common prefixes are declared for the user; one run per click.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  var runButton = document.getElementById("run");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var errorBox = document.getElementById("error");
  var downloads = document.getElementById("downloads");
  var curlBox = document.getElementById("curl");
  var prefixData = document.getElementById("prefixes");
  var PREFIXES = prefixData ? JSON.parse(prefixData.textContent) : {};
  var XSD = "http://www.w3.org/2001/XMLSchema#";
  var NUMBERS = ["integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger", "positiveInteger"];
  var LABEL_LIMIT = 500;
  var current = 0; // the run whose answer may still be shown; older answers are dropped
  var controller = null;

  // Declares the pre-bound prefixes a query uses and does not declare itself.
  function withPrefixes(query) {
    var declared = {};
    var re = /PREFIX\s+([A-Za-z][\w.-]*)?:/gi, m;
    while ((m = re.exec(query)) !== null) declared[m[1] || ""] = true;
    var body = query.replace(/<[^>]*>|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|#[^\n]*/g, " ");
    var lines = [];
    Object.keys(PREFIXES).forEach(function (p) {
      if (!declared[p] && new RegExp("(^|[\\s(/^|,;{}!])" + p.replace(/[.-]/g, "\\$&") + ":").test(body)) {
        lines.push("PREFIX " + p + ": <" + PREFIXES[p] + ">");
      }
    });
    return lines.length ? lines.join("\n") + "\n" + query : query;
  }

  function termText(term) {
    if (!term) return "";
    if (term.type === "triple") return "<< " + termText(term.value.subject) + " " + termText(term.value.predicate) + " " + termText(term.value.object) + " >>";
    return term.value;
  }

  function localHref(iri) {
    var base = document.body.getAttribute("data-base");
    if (base && iri.indexOf(base) === 0) return "/" + iri.substring(base.length);
    return iri;
  }

  function formatLiteral(term, td) {
    var dt = term.datatype || "";
    if (dt.indexOf(XSD) === 0) {
      var local = dt.substring(XSD.length);
      if (NUMBERS.indexOf(local) >= 0 && term.value !== "" && !isNaN(Number(term.value))) {
        td.className = "number";
        return Number(term.value).toLocaleString("en", { maximumFractionDigits: 6 });
      }
      if (local === "date" && /^\d{4}-\d{2}-\d{2}$/.test(term.value)) {
        td.className = "date";
        var d = new Date(term.value + "T00:00:00Z");
        return d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
      }
      if (local === "gYear") td.className = "date";
    }
    return termText(term);
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri" && !/^(https?:|\/)/i.test(localHref(term.value))) {
      td.textContent = term.value;  // javascript:, data:, file: ... IRIs are shown, never followed
      return td;
    }
    if (term.type === "uri") {
      var a = document.createElement("a");
      a.href = localHref(term.value);
      a.textContent = term.value;
      a.title = term.value;
      a.setAttribute("data-iri", term.value);
      td.appendChild(a);
      return td;
    }
    td.className = term.type;
    td.textContent = term.type === "literal" || term["type"] === "typed-literal" ? formatLiteral(term, td) : termText(term);
    if (term["xml:lang"]) {
      td.lang = term["xml:lang"];
      td.title = "language: " + term["xml:lang"];
    }
    return td;
  }

  function showTable(data) {
    var vars = data.head.vars || [];
    var rows = data.results.bindings;
    var table = document.createElement("table");
    table.className = "data results";
    var head = table.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = "?" + v;
      head.appendChild(th);
    });
    var body = table.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    results.appendChild(table);
    status.textContent = rows.length + (rows.length === 1 ? " row" : " rows");
  }

  function label(run) {
    var links = results.querySelectorAll("a[data-iri]");
    var iris = [];
    var seen = {};
    for (var i = 0; i < links.length && iris.length < LABEL_LIMIT; i++) {
      var iri = links[i].getAttribute("data-iri");
      if (!seen[iri] && !/[<>"\s{}|\\^`]/.test(iri)) { seen[iri] = true; iris.push("<" + iri + ">"); }
    }
    if (!iris.length) return;
    var q = "SELECT ?s (SAMPLE(?l) AS ?label) WHERE { VALUES ?s { " + iris.join(" ") + " } " +
      "?s <http://www.w3.org/2004/02/skos/core#prefLabel>|<http://www.w3.org/2000/01/rdf-schema#label> ?l " +
      "FILTER(LANGMATCHES(LANG(?l), \"en\") || LANG(?l) = \"\") } GROUP BY ?s";
    post(q, "application/sparql-results+json").then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data || run !== current) return;
      var names = {};
      data.results.bindings.forEach(function (b) { if (b.label) names[b.s.value] = b.label.value; });
      for (var j = 0; j < links.length; j++) {
        var name = names[links[j].getAttribute("data-iri")];
        if (name) links[j].textContent = name;
      }
    }).catch(function () { /* labels are a nicety: the IRIs stay shown */ });
  }

  function post(query, accept, signal) {
    return fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": accept },
      body: "query=" + encodeURIComponent(query),
      signal: signal
    });
  }

  function updateDownloads(query) {
    var links = downloads.querySelectorAll("a.download");
    for (var i = 0; i < links.length; i++) {
      links[i].href = "/sparql?query=" + encodeURIComponent(query) + "&format=" + links[i].getAttribute("data-format");
      links[i].setAttribute("download", "answer." + links[i].getAttribute("data-format"));
    }
    downloads.hidden = false;
  }

  function keepInUrl(query) {
    if (window.history && history.replaceState) {
      history.replaceState(null, "", "/query?query=" + encodeURIComponent(query));
    }
  }

  function curlCommand(query) {
    var endpoint = location.origin + "/sparql";
    return "curl -s " + endpoint + " -H 'Accept: application/sparql-results+json' --data-urlencode " +
      "'query=" + query.replace(/'/g, "'\\''") + "'";
  }

  function finish(run) {
    if (run === current) runButton.disabled = false;
  }

  function run(event) {
    if (event) event.preventDefault();
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    var mine = ++current;
    var typed = editor.value;
    var query = withPrefixes(typed);
    results.innerHTML = "";
    errorBox.hidden = true;
    runButton.disabled = true;
    status.textContent = "running…";
    keepInUrl(typed);
    var started = performance.now();
    post(query, "application/sparql-results+json, text/turtle;q=0.9", controller ? controller.signal : undefined)
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        return response.text().then(function (text) {
          if (mine !== current) return;
          if (!response.ok) throw new Error(response.status + " " + text);
          var ms = Math.round(performance.now() - started);
          results.innerHTML = "";
          if (type.indexOf("application/sparql-results+json") === 0) {
            var data = JSON.parse(text);
            if (typeof data.boolean === "boolean") {
              var p = document.createElement("p");
              p.className = "boolean";
              p.textContent = data.boolean ? "true" : "false";
              results.appendChild(p);
              status.textContent = "answer: " + data.boolean;
            } else {
              showTable(data);
              label(mine);
            }
          } else {
            var pre = document.createElement("pre");
            pre.className = "rdf";
            pre.textContent = text;
            results.appendChild(pre);
            status.textContent = "graph";
          }
          status.textContent += " (" + ms + " ms)";
          updateDownloads(query);
        });
      }).catch(function (err) {
        if (mine !== current || (err && err.name === "AbortError")) return;
        status.textContent = "error";
        errorBox.textContent = err.message;
        errorBox.hidden = false;
      }).then(function () { finish(mine); });
  }

  form.addEventListener("submit", run);
  editor.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(e);
    if (e.key === "Tab" && !e.shiftKey && !e.altKey) {
      // Tab indents; Escape then Tab leaves the editor (keyboard users are not trapped).
      if (editor.getAttribute("data-escaped") === "1") { editor.removeAttribute("data-escaped"); return; }
      e.preventDefault();
      var s = editor.selectionStart;
      editor.value = editor.value.substring(0, s) + "  " + editor.value.substring(editor.selectionEnd);
      editor.selectionStart = editor.selectionEnd = s + 2;
    }
    if (e.key === "Escape") editor.setAttribute("data-escaped", "1");
  });
  document.getElementById("copy-curl").addEventListener("click", function () {
    var cmd = curlCommand(withPrefixes(editor.value));
    curlBox.textContent = cmd;
    curlBox.hidden = false;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(cmd).then(function () { status.textContent = "curl command copied"; },
        function () { status.textContent = "select the command below to copy it"; });
    } else {
      status.textContent = "select the command below to copy it";
    }
  });
  var buttons = document.querySelectorAll("button.example");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () {
      var tpl = document.getElementById("example-" + this.getAttribute("data-name"));
      editor.value = tpl.content ? tpl.content.textContent : tpl.textContent;
      run();
    });
  }
})();
