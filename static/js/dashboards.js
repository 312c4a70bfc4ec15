// Draws the dashboards' plotly charts from the figure JSON in each chart's json_script block,
// on page load and whenever htmx swaps in a new panel.
(function () {
  "use strict";
  var config = { displayModeBar: false, responsive: true };

  function draw(root) {
    if (!window.Plotly) return;
    var charts = (root || document).querySelectorAll("[data-figure]");
    charts.forEach(function (el) {
      var source = document.getElementById(el.dataset.figure);
      if (!source || el.dataset.drawn) return;
      var figure = JSON.parse(source.textContent);
      el.dataset.drawn = "1";
      window.Plotly.newPlot(el, figure.data, figure.layout, config);
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(draw);
  } else {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  }
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("[data-drawn]").forEach(function (el) { window.Plotly.Plots.resize(el); });
  });
})();
