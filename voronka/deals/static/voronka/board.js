// The board: native HTML5 drag and drop onto a column posts the card's own "Move to…"
// form, so dragging and the menu share one endpoint and one answer. No inline scripts.
(function () {
  "use strict";
  var dragged = null;

  function columnOf(el) {
    return el && el.closest ? el.closest(".board-column[data-stage-id]") : null;
  }

  function submitMove(card, stageId) {
    var form = card.querySelector("form.move-form");
    if (!form) return;
    form.querySelector("select[name=stage]").value = stageId;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  // After any answer to a card's move form the menu shows the card's real stage again:
  // a refusal leaves the card where it was, a success replaces the card.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail && e.detail.elt;
    if (!form || !form.matches || !form.matches("form.move-form")) return;
    var select = form.querySelector("select[name=stage]");
    if (select) select.value = select.getAttribute("data-current");
  });

  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".deal-card[draggable]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    if (e.dataTransfer) {
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", card.getAttribute("data-deal-id"));
    }
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".board-column.drop-hover").forEach(function (c) {
      c.classList.remove("drop-hover");
    });
  });

  document.addEventListener("dragover", function (e) {
    var col = columnOf(e.target);
    if (!col) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "move";
    col.classList.add("drop-hover");
  });

  document.addEventListener("dragleave", function (e) {
    var col = columnOf(e.target);
    if (col && !col.contains(e.relatedTarget)) col.classList.remove("drop-hover");
  });

  document.addEventListener("drop", function (e) {
    var col = columnOf(e.target);
    if (!col) return;
    e.preventDefault();
    col.classList.remove("drop-hover");
    var card = dragged;
    if (!card && e.dataTransfer) {
      var id = e.dataTransfer.getData("text/plain");
      if (/^\d+$/.test(id)) card = document.getElementById("deal-card-" + id);
    }
    if (!card) return;
    var stageId = col.getAttribute("data-stage-id");
    if (stageId === card.getAttribute("data-stage-id")) return;
    submitMove(card, stageId);
  });

  // The answer panel: focus it so a screen reader and a keyboard user land on it.
  document.addEventListener("htmx:afterSwap", function (e) {
    var panel = document.getElementById("move-panel");
    if (panel && e.target === panel && panel.firstElementChild) panel.focus();
  });

  document.addEventListener("click", function (e) {
    var close = e.target.closest && e.target.closest("[data-close-panel]");
    if (!close) return;
    var panel = document.getElementById("move-panel");
    if (panel) panel.innerHTML = "";
  });
})();
