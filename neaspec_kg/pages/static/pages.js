// Draws the charts of a page with Chart.js (vendored, see scripts/vendor-js.sh) from the JSON
// the server put next to each <canvas>; the same numbers are in the table under each chart.
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  const palette = ["#1f5f99", "#b2472b", "#2f7d32", "#7b4fa0", "#8a6d00", "#00707a", "#a23b72"];
  const shapes = { target: "triangle", pledge: "rectRot", achieved: "circle" };
  function data(id) {
    const el = document.getElementById(id + "-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) new Chart(canvas, config);
  }
  const byYear = data("chart-commitments");
  if (byYear) {
    const years = byYear.series.flatMap((s) => s.points.map((p) => p.x));
    draw("chart-commitments", {
      type: "line",
      data: {
        datasets: byYear.series.map((s, i) => ({
          label: s.label,
          data: s.points,
          borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length],
          pointStyle: s.points.map((p) => shapes[p.kind] || "circle"),
          pointRadius: 6,
        })),
      },
      options: {
        parsing: false,
        scales: { x: { type: "linear", min: Math.min(...years) - 2, max: Math.max(...years) + 2,
                       title: { display: true, text: "year" }, ticks: { stepSize: 1, callback: (v) => String(v) } },
                  y: { beginAtZero: true, title: { display: true, text: "value (unit in the legend)" } } },
        plugins: { tooltip: { callbacks: { label: (c) => `${c.raw.kind}: ${c.raw.y} in ${c.raw.x} (${c.raw.session})` } } },
      },
    });
  }
  const decisions = data("chart-decisions");
  if (decisions) {
    draw("chart-decisions", {
      type: "bar",
      data: { labels: decisions.labels, datasets: [{ label: decisions.label, data: decisions.values, backgroundColor: palette[0], maxBarThickness: 48 }] },
      options: { aspectRatio: 3, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } },
    });
  }
  const perState = data("chart-commitments-by-state");
  if (perState) {
    draw("chart-commitments-by-state", {
      type: "bar",
      data: { labels: perState.labels,
              datasets: perState.series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: palette[i % palette.length] })) },
      options: { aspectRatio: 3, maxBarThickness: 64, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
})();
