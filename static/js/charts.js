/* Charts of the dashboards: Chart.js drawing what the page's JSON blocks describe.

Each <figure data-chart="ID"> holds a <canvas> and reads <script type="application/json" id="ID">
({type, labels, datasets:[{label, data}], unit}). Series differ by line dash and point shape
as well as by colour (readable without colour), and every chart has its data table below it.
*/
(function () {
  "use strict";
  var COLOURS = ["#000091", "#c9191e", "#18753c", "#b34000", "#695240", "#0063cb", "#6e445a"];
  var DASHES = [[], [6, 4], [2, 3], [10, 4, 2, 4], [1, 2], [8, 2], [4, 4]];
  var POINTS = ["circle", "rect", "triangle", "crossRot", "star", "rectRot", "cross"];

  function pattern(ctx, colour, index) {
    // Bars get a hatch per series so that neighbours differ without colour.
    var size = 8, canvas = document.createElement("canvas");
    canvas.width = size; canvas.height = size;
    var c = canvas.getContext("2d");
    c.fillStyle = colour; c.globalAlpha = 0.85; c.fillRect(0, 0, size, size);
    c.globalAlpha = 1; c.strokeStyle = "#ffffff"; c.lineWidth = 1.5;
    if (index % 3 === 1) { c.beginPath(); c.moveTo(0, size); c.lineTo(size, 0); c.stroke(); }
    if (index % 3 === 2) { c.beginPath(); c.moveTo(size / 2, 0); c.lineTo(size / 2, size); c.stroke(); }
    return ctx.createPattern(canvas, "repeat");
  }

  function draw(figure) {
    if (!window.Chart || figure.dataset.drawn) { return; }
    var source = document.getElementById(figure.getAttribute("data-chart"));
    var canvas = figure.querySelector("canvas");
    if (!source || !canvas) { return; }
    var spec = JSON.parse(source.textContent);
    var ctx = canvas.getContext("2d");
    var datasets = spec.datasets.map(function (set, i) {
      var colour = COLOURS[i % COLOURS.length];
      var isBar = (set.type || spec.type) === "bar";
      return Object.assign({
        borderColor: colour,
        backgroundColor: isBar ? pattern(ctx, colour, i) : colour,
        borderDash: isBar ? [] : DASHES[i % DASHES.length],
        pointStyle: POINTS[i % POINTS.length],
        pointRadius: isBar ? 0 : 4,
        borderWidth: 2,
        tension: 0
      }, set);
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: {labels: spec.labels, datasets: datasets},
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: {
          legend: {display: datasets.length > 1, labels: {usePointStyle: true}},
          tooltip: {enabled: true}
        },
        scales: (spec.type === "pie" || spec.type === "doughnut") ? {} : scales(spec, datasets)
      }
    });
    figure.dataset.drawn = "1";
    figure.setAttribute("data-rendered", "true");
  }

  // The value axis is y, or x for a horizontal chart: it carries the unit, starts at zero,
  // and shows whole numbers only when every value is one (no "0,5 dossier").
  function scales(spec, datasets) {
    var whole = datasets.every(function (set) {
      return (set.data || []).every(function (v) { return v === null || Number.isInteger(v); });
    });
    var value = {stacked: !!spec.stacked, beginAtZero: true,
                 ticks: whole ? {precision: 0} : {},
                 title: {display: !!spec.unit, text: spec.unit || ""}};
    var category = {stacked: !!spec.stacked, ticks: {autoSkip: true}};
    return spec.horizontal ? {x: value, y: category} : {x: category, y: value};
  }

  function drawAll(root) {
    (root || document).querySelectorAll("figure[data-chart]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
