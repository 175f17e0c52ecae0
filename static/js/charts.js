// Draws every Vega-Lite chart of the page: <figure data-chart="ID"> where ID is the id of a
// <script type="application/json"> holding the spec (Django's json_script). The expression
// interpreter replaces eval, so charts run under the Content-Security-Policy; the canvas
// renderer sets no inline style. Every chart sits beside a table holding the same figures
// (the accessible alternative), so the tooltip and the editor link are left out.
(function () {
  "use strict";
  function draw(root) {
    root.querySelectorAll("[data-chart]").forEach(function (figure) {
      if (figure.dataset.drawn === "1") {
        return;
      }
      var source = document.getElementById(figure.dataset.chart);
      var target = figure.querySelector(".chart-canvas");
      if (!source || !target || !window.vegaEmbed) {
        return;
      }
      figure.dataset.drawn = "1";
      window
        .vegaEmbed(target, JSON.parse(source.textContent), {
          renderer: "canvas",
          ast: true,
          expr: window.vegaInterpreter.expressionInterpreter,
          actions: { export: true, source: false, compiled: false, editor: false },
          defaultStyle: false,
          tooltip: false,
          // The export menu's words come translated from the page (templates/analytics/_chart.html).
          i18n: {
            SVG_ACTION: figure.dataset.svgAction || "Enregistrer en SVG",
            PNG_ACTION: figure.dataset.pngAction || "Enregistrer en PNG",
            CLICK_TO_VIEW_ACTIONS: figure.dataset.actionsLabel || "Exporter le graphique",
          },
        })
        .then(function () {
          // The image role goes on the drawing itself, not on its container: the container
          // also holds the export menu, and an image may not hold interactive controls.
          var canvas = target.querySelector("canvas");
          if (canvas) {
            canvas.setAttribute("role", "img");
            canvas.setAttribute("aria-label", target.dataset.label || "");
          }
        })
        .catch(function () {
          figure.dataset.drawn = "error";
        });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    draw(event.target);
  });
})();
