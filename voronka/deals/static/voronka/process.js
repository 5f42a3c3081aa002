// Process settings: show only the inputs that the chosen kind of exit criterion uses.
(function () {
  "use strict";
  var USES = {
    next_step: [],
    question: ["label"],
    field: ["field"],
    milestone: ["milestone", "milestone_date"],
  };
  var OPTIONAL = ["label", "field", "milestone", "milestone_date"];

  function sync(form) {
    var kind = form.querySelector("[data-for=kind] select");
    if (!kind) return;
    var used = USES[kind.value] || OPTIONAL;
    OPTIONAL.forEach(function (name) {
      var box = form.querySelector('[data-for="' + name + '"]');
      if (box) box.hidden = used.indexOf(name) === -1;
    });
  }

  function syncAll(root) {
    (root || document).querySelectorAll("form.criterion-form").forEach(sync);
  }

  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest("form.criterion-form");
    if (form && e.target.closest("[data-for=kind]")) sync(form);
  });
  document.addEventListener("htmx:afterSettle", function (e) {
    syncAll(e.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { syncAll(); });
  } else {
    syncAll();
  }
})();
