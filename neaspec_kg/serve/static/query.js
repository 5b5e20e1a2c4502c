// Query page: runs the query against /sparql and shows the answer as a table. No CDN, no framework.
(function () {
  "use strict";
  var form = document.getElementById("query-form");
  var editor = document.getElementById("query");
  var status = document.getElementById("status");
  var results = document.getElementById("results");
  var errorBox = document.getElementById("error");
  var downloads = document.getElementById("downloads");

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

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var a = document.createElement("a");
      a.href = localHref(term.value);
      a.textContent = term.value;
      td.appendChild(a);
    } else {
      td.textContent = termText(term);
      if (term["xml:lang"]) {
        var small = document.createElement("small");
        small.textContent = " @" + term["xml:lang"];
        td.appendChild(small);
      }
      td.className = term.type;
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

  function updateDownloads(query) {
    var links = downloads.querySelectorAll("a.download");
    for (var i = 0; i < links.length; i++) {
      links[i].href = "/sparql?query=" + encodeURIComponent(query) + "&format=" + links[i].getAttribute("data-format");
      links[i].setAttribute("download", "answer." + links[i].getAttribute("data-format"));
    }
    downloads.hidden = false;
  }

  function run(event) {
    if (event) event.preventDefault();
    var query = editor.value;
    results.innerHTML = "";
    errorBox.hidden = true;
    status.textContent = "running…";
    var started = performance.now();
    fetch("/sparql", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json, text/turtle;q=0.9"
      },
      body: "query=" + encodeURIComponent(query)
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      return response.text().then(function (text) {
        if (!response.ok) throw new Error(response.status + " " + text);
        var ms = Math.round(performance.now() - started);
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
      status.textContent = "error";
      errorBox.textContent = err.message;
      errorBox.hidden = false;
    });
  }

  form.addEventListener("submit", run);
  editor.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(e);
    if (e.key === "Tab") {
      e.preventDefault();
      var s = editor.selectionStart;
      editor.value = editor.value.substring(0, s) + "  " + editor.value.substring(editor.selectionEnd);
      editor.selectionStart = editor.selectionEnd = s + 2;
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
