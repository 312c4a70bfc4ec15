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

  // A dashboard's filters (templates/dashboards/_filters.html) ask for a page on every change,
  // and htmx drops a change made while a request is in flight or its answer is swapped in
  // (arrow keys held down on a select): the page then showed another period than the select.
  // The selects keep what the user chose across swaps (hx-preserve); once a swap has settled,
  // a form whose choices are not those the page shows (data-period, data-unit) asks for them.
  var asked = null;
  document.addEventListener("htmx:afterSettle", function () {
    var form = document.querySelector("form.filters[data-period]");
    if (!form || !window.htmx) return;
    var period = form.elements.period, unit = form.elements.unit;
    var chosen = (period ? period.value : "") + "|" + (unit ? unit.value : "");
    var stale = (period && period.value !== form.getAttribute("data-period")) ||
      (unit && unit.value !== form.getAttribute("data-unit"));
    if (stale && chosen !== asked) {
      asked = chosen;
      window.htmx.trigger(form, "submit");
    } else if (!stale) {
      asked = null;
    }
  });
})();

// The measurement grid (templates/indicators/measurement_grid.html) as fast as a spreadsheet.
// Without this script the grid is one form: "Save all" sends it whole. With it:
// - a row saves when the user leaves one of its cells after changing it, or presses Enter;
// - the answer (the row as the server rendered it: saved, refused with the reason, or changed
//   by someone else) replaces the row, keeping anything typed meanwhile and the focus;
// - Enter / Shift+Enter and the arrow keys move between cells;
// - a block pasted from a spreadsheet (tab-separated lines) fills the column downward, one row
//   a line (a second column goes to the comment), and saves each row.
(function () {
  "use strict";

  function grid() { return document.querySelector("form[data-grid]"); }
  function rowOf(element) { return element.closest ? element.closest("tr[data-save-url]") : null; }
  function cellsIn(row) {
    var values = {};
    var inputs = row.querySelectorAll("input[name]");
    for (var i = 0; i < inputs.length; i++) {
      // An unticked box (the confirmation of an unusual value) is not sent, as in a form.
      if (inputs[i].type === "checkbox" && !inputs[i].checked) continue;
      values[inputs[i].name] = inputs[i].value;
    }
    return values;
  }
  function say(text) {
    var status = document.querySelector(".grid-status");
    if (status) status.textContent = text;
  }
  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // One save per row at a time; a change made while a save runs is sent after it.
  function saveRow(row) {
    if (row.getAttribute("data-saving")) return row.veikartSaving;
    var form = grid();
    var sent = cellsIn(row);
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken(form));
    for (var name in sent) body.append(name, sent[name]);
    row.setAttribute("data-saving", "1");
    row.removeAttribute("data-dirty");
    row.classList.add("saving");
    var status = row.querySelector(".row-status");
    if (status) status.textContent = form.getAttribute("data-saving-text");
    var promise = fetch(row.getAttribute("data-save-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken(form) }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      var template = document.createElement("template");
      template.innerHTML = html.trim();
      var fresh = template.content.querySelector("tr[data-save-url]");
      if (!fresh) throw new Error("no row");
      return replaceRow(row, fresh, sent);
    }).catch(function () {
      row.classList.remove("saving");
      row.removeAttribute("data-saving");
      row.setAttribute("data-dirty", "1");
      row.classList.add("has-error");
      if (status) status.textContent = form.getAttribute("data-failed-text");
      return row;
    });
    row.veikartSaving = promise;
    return promise;
  }

  function replaceRow(row, fresh, sent) {
    var active = document.activeElement;
    var focusId = active && row.contains(active) ? active.id : null;
    var selection = focusId ? [active.selectionStart, active.selectionEnd] : null;
    var changed = false;
    var live = cellsIn(row);
    var inputs = fresh.querySelectorAll("input[data-cell=value], input[data-cell=comment]");
    for (var i = 0; i < inputs.length; i++) {
      var name = inputs[i].name;
      // Typed while the save was under way: keep it, and save it too.
      if (live[name] !== undefined && live[name] !== sent[name]) {
        inputs[i].value = live[name];
        inputs[i].setAttribute("value", live[name]);
        changed = true;
      }
    }
    // The server's autofocus is for pages loaded without this script.
    var focused = fresh.querySelectorAll("[autofocus]");
    for (var j = 0; j < focused.length; j++) focused[j].removeAttribute("autofocus");
    row.replaceWith(fresh);
    if (focusId) {
      var again = document.getElementById(focusId);
      if (again) {
        again.focus();
        try { again.setSelectionRange(selection[0], selection[1]); } catch (e) { /* not text */ }
      }
    }
    if (changed) {
      fresh.setAttribute("data-dirty", "1");
      if (!focusId) return saveRow(fresh);
    }
    return fresh;
  }

  function outcome(row) {
    if (row.classList.contains("saved")) return "saved";
    if (row.classList.contains("has-error") || row.classList.contains("has-conflict")) return "refused";
    return "unchanged";
  }

  // Cells in reading order, for moving between them.
  function cellList(kind) {
    return Array.prototype.slice.call(grid().querySelectorAll("input[data-cell=" + kind + "]"));
  }
  function move(input, step) {
    var list = cellList(input.getAttribute("data-cell"));
    var next = list[list.indexOf(input) + step];
    if (next) {
      next.focus();
      next.select();
    }
    return next;
  }
  function beside(input, kind) {
    var row = rowOf(input);
    var other = row && row.querySelector("input[data-cell=" + kind + "]");
    if (other) {
      other.focus();
      other.select();
    }
  }

  document.addEventListener("input", function (event) {
    var row = rowOf(event.target);
    if (!row || !grid()) return;
    row.setAttribute("data-dirty", "1");
    row.classList.remove("saved");
    event.target.classList.remove("copied");
  });

  // Leaving a changed row's cell saves the row.
  document.addEventListener("focusout", function (event) {
    var row = rowOf(event.target);
    if (!row || !row.getAttribute("data-dirty")) return;
    saveRow(row);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    var row = rowOf(input);
    if (!row || input.type !== "text" || event.altKey || event.ctrlKey || event.metaKey) return;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length && input.selectionEnd === input.value.length;
    if (event.key === "Enter") {
      event.preventDefault();
      // Enter confirms a copied or changed value even when focus stays put (last row).
      if (row.getAttribute("data-dirty") || row.matches(".copied, .has-error, .has-conflict")) {
        saveRow(row);
      }
      move(input, event.shiftKey ? -1 : 1);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      move(input, 1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      move(input, -1);
    } else if (event.key === "ArrowRight" && atEnd && input.getAttribute("data-cell") === "value") {
      event.preventDefault();
      beside(input, "comment");
    } else if (event.key === "ArrowLeft" && atStart && input.getAttribute("data-cell") === "comment") {
      event.preventDefault();
      beside(input, "value");
    }
  });

  document.addEventListener("paste", function (event) {
    var input = event.target;
    var row = rowOf(input);
    if (!row || input.getAttribute("data-cell") !== "value" || !event.clipboardData) return;
    var text = event.clipboardData.getData("text/plain");
    if (!/[\t\n]/.test(text.replace(/[\r\n]+$/, ""))) return; // one cell: paste as usual
    event.preventDefault();
    var lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
    var table = row.closest("tbody");
    var rows = Array.prototype.slice.call(table.querySelectorAll("tr[data-save-url]"));
    rows = rows.slice(rows.indexOf(row));
    var saves = [];
    for (var i = 0; i < lines.length && i < rows.length; i++) {
      var columns = lines[i].split("\t");
      var value = rows[i].querySelector("input[data-cell=value]");
      value.value = columns[0].trim();
      value.classList.remove("copied");
      if (columns.length > 1) rows[i].querySelector("input[data-cell=comment]").value = columns[1].trim();
      rows[i].removeAttribute("data-dirty");
      saves.push(saveRow(rows[i]));
    }
    var skipped = lines.length - saves.length;
    Promise.all(saves).then(function (done) {
      var counts = { saved: 0, refused: 0, unchanged: 0 };
      for (var k = 0; k < done.length; k++) counts[outcome(done[k])] += 1;
      var form = grid();
      var message = form.getAttribute("data-pasted-text")
        .replace("{cells}", saves.length)
        .replace("{saved}", counts.saved + counts.unchanged)
        .replace("{refused}", counts.refused);
      if (skipped > 0) message += " " + form.getAttribute("data-skipped-text").replace("{count}", skipped);
      say(message);
      var first = grid().querySelector("tr.has-error input[data-cell=value], tr.has-conflict input[data-cell=value]");
      if (first) first.focus();
    });
  });

  // A row's own Save button saves that row in place; "Save all" still submits the whole form.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-row-save")) return;
    event.preventDefault();
    // Saved on purpose: a refused value gets the focus back, to be fixed at once.
    var id = button.id;
    saveRow(rowOf(button)).then(function (row) {
      var active = document.activeElement;
      if (active && active !== document.body && active.id !== id) return; // moved on meanwhile
      var invalid = row && row.querySelector("input[aria-invalid=true]");
      var again = invalid || document.getElementById(id);
      if (again) again.focus();
    });
  });
})();
