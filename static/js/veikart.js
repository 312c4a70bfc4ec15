// Veikart's own script, loaded on every page. The Content-Security-Policy forbids inline
// scripts and style attributes, so behaviour that needs data from the page lives here.
(function () {
  "use strict";

  // Colours that are data (an area's colour, editable in the admin) arrive as
  // data-colour="#RRGGBB" and become the --area-colour custom property. Setting a property
  // through the CSSOM is allowed by a strict style-src; a style="" attribute is not.
  var COLOUR = /^#[0-9A-Fa-f]{6}$/;

  function applyColours(root) {
    if (!root.querySelectorAll) return;
    var elements = Array.prototype.slice.call(root.querySelectorAll("[data-colour]"));
    if (root.matches && root.matches("[data-colour]")) elements.push(root);
    for (var i = 0; i < elements.length; i++) {
      var colour = elements[i].getAttribute("data-colour");
      if (COLOUR.test(colour)) {
        elements[i].style.setProperty("--area-colour", colour);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () { applyColours(document); });
  // Content swapped in by htmx.
  document.addEventListener("htmx:load", function (event) { applyColours(event.target); });
})();
