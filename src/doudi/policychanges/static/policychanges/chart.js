// Draw each Vega-Lite chart of the page with the locally served vega-embed.
// An element with data-chart="ID" gets the spec from <script id="ID"
// type="application/json">. The table next to each chart has the same figures,
// so a failure leaves a message and the table.
(function () {
  "use strict";

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || typeof window.vegaEmbed !== "function") {
      return;
    }
    var spec = JSON.parse(source.textContent);
    window.vegaEmbed(element, spec, { actions: false, renderer: "svg" })
      .then(function () {
        element.setAttribute("data-chart-ready", "true");
      })
      .catch(function (error) {
        element.textContent = String(error);
      });
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
