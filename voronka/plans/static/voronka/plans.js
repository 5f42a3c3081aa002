// The plan grid: a refused cell (422) is swapped in to show its error; Enter saves the
// cell and moves down a row (amount to amount, number of deals to number of deals), as in a
// spreadsheet. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (e) {
    var el = e.detail.elt;  // the swap target: the cell
    if (el && el.closest && el.closest(".plan-grid") && e.detail.xhr.status === 422) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("keydown", function (e) {
    var input = e.target;
    if (e.key !== "Enter" || !input.classList) return;
    var cls = input.classList.contains("plan-input") ? ".plan-input"
      : input.classList.contains("plan-deals") ? ".plan-deals" : null;
    if (!cls) return;
    e.preventDefault();
    var td = input.closest("td");
    var tr = td.parentElement;
    var col = Array.prototype.indexOf.call(tr.children, td);
    var next = tr.nextElementSibling;
    var target = next && next.children[col] && next.children[col].querySelector(cls);
    // Leaving the input fires its change event, which saves the cell.
    if (target) { target.focus(); target.select(); } else { input.blur(); }
  });
})();
