// Elder mode: larger text, headings and click targets for older users.
// The button toggles the "elder" class on <body> at once and stores the choice
// in the doudi_elder_mode cookie, which base.html reads to render later pages
// enlarged from the first paint.
(function () {
  "use strict";

  var COOKIE = "doudi_elder_mode";
  var ONE_YEAR_SECONDS = 365 * 24 * 3600;

  function remember(enabled) {
    var cookie = COOKIE + "=" + (enabled ? "1" : "0") +
      "; path=/; max-age=" + ONE_YEAR_SECONDS + "; SameSite=Lax";
    if (window.location.protocol === "https:") {
      cookie += "; Secure";
    }
    document.cookie = cookie;
  }

  function apply(enabled) {
    document.body.classList.toggle("elder", enabled);
    document.querySelectorAll("[data-elder-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", enabled ? "true" : "false");
    });
    remember(enabled);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-elder-toggle]");
    if (button) {
      apply(button.getAttribute("aria-pressed") !== "true");
    }
  });
})();
