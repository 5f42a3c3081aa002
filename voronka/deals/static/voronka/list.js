// Deal list and quick add: select-all checkbox, bulk-edit fields per action, stages per
// pipeline. Event delegation, so it keeps working after htmx swaps the table.
(function () {
  "use strict";

  function syncBulkFields(root) {
    var action = root.querySelector("select[name=action]");
    if (!action) return;
    root.querySelectorAll("[data-bulk-for]").forEach(function (el) {
      var wanted = el.getAttribute("data-bulk-for").split(" ");
      el.hidden = wanted.indexOf(action.value) === -1;
    });
  }

  function syncStages(form) {
    var pipeline = form.querySelector("select[name=pipeline]");
    var stage = form.querySelector("select[data-stage-select]");
    if (!pipeline || !stage) return;
    stage.querySelectorAll("optgroup").forEach(function (g) {
      var match = g.getAttribute("data-pipeline") === pipeline.value;
      g.hidden = !match;
      g.disabled = !match;
    });
    var chosen = stage.options[stage.selectedIndex];
    if (chosen && chosen.parentNode.disabled) stage.value = "";
  }

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches("[data-select-all]")) {
      var form = el.closest("form");
      form.querySelectorAll("input[name=ids]").forEach(function (box) {
        box.checked = el.checked;
      });
    } else if (el.matches("#bulk-form select[name=action]")) {
      syncBulkFields(el.closest("form"));
    } else if (el.matches(".quick-add select[name=pipeline]")) {
      syncStages(el.closest("form"));
    }
  });

  function init(root) {
    var bulk = root.querySelector ? root.querySelector("#bulk-form") : null;
    if (bulk) syncBulkFields(bulk);
    var quick = document.querySelector(".quick-add");
    if (quick) syncStages(quick);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function () { init(document); });
})();
