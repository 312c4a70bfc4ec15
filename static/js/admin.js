// Accessible names for the administration's widgets that Django leaves without one
// (loaded by templates/admin/base_site.html; an external file, as the CSP requires).
// - Fields in tabular inlines have a column header but no <label>: they get the header's text.
// - The autocomplete boxes (select2) get the label of the select they replace.
// - The inlines' empty first header cell is not a header.
(function () {
  "use strict";

  function text(element) { return (element && element.textContent || "").replace(/\s+/g, " ").trim(); }

  function nameInlineFields(root) {
    var tables = root.querySelectorAll(".tabular table");
    for (var t = 0; t < tables.length; t++) {
      var headers = tables[t].querySelectorAll("thead tr > *");
      var empty = tables[t].querySelectorAll("thead th.original");
      for (var e = 0; e < empty.length; e++) {
        if (!text(empty[e])) {
          var cell = document.createElement("td");
          cell.className = empty[e].className;
          empty[e].replaceWith(cell);
        }
      }
      var rows = tables[t].querySelectorAll("tbody tr");
      for (var r = 0; r < rows.length; r++) {
        var cells = rows[r].children;
        for (var c = 0; c < cells.length; c++) {
          var header = text(headers[c]);
          if (!header) continue;
          var fields = cells[c].querySelectorAll("input:not([type=hidden]), select, textarea");
          for (var f = 0; f < fields.length; f++) {
            if (!fields[f].labels || fields[f].labels.length === 0) {
              fields[f].setAttribute("aria-label", header + " (" + (r + 1) + ")");
            }
          }
        }
      }
    }
  }

  function nameAutocompletes(root) {
    var boxes = root.querySelectorAll(".select2-selection[role=combobox]");
    for (var i = 0; i < boxes.length; i++) {
      var container = boxes[i].closest(".select2");
      var select = container && container.previousElementSibling;
      if (!select || select.tagName !== "SELECT") continue;
      var label = select.labels && select.labels[0] ? text(select.labels[0]) : "";
      if (!label) {
        var cell = select.closest("td");
        var table = cell && cell.closest("table");
        var header = table && table.querySelectorAll("thead tr > *")[cell.cellIndex];
        label = text(header);
      }
      label = label.replace(/:$/, "");
      if (!label) continue;
      boxes[i].setAttribute("aria-label", label);
      boxes[i].removeAttribute("aria-labelledby");
      var rendered = boxes[i].querySelector(".select2-selection__rendered");
      if (rendered) rendered.setAttribute("aria-label", label);
    }
  }

  function run() {
    nameInlineFields(document);
    nameAutocompletes(document);
  }

  document.addEventListener("DOMContentLoaded", function () {
    run();
    // select2 builds its boxes in jQuery's ready handler, after this one.
    window.setTimeout(run, 0);
  });
  document.addEventListener("formset:added", function () { window.setTimeout(run, 0); });
})();
