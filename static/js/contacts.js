// Log a contact: show which duration chip matches the minutes field (waymark.js fills it).
(function () {
  "use strict";
  function sync(field) {
    document.querySelectorAll('.duration-chip[data-set-target="' + field.id + '"]').forEach(function (chip) {
      var on = chip.getAttribute("data-set-value") === field.value;
      chip.classList.toggle("active", on);
      chip.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[type=number]")) { sync(event.target); }
  });
  document.addEventListener("input", function (event) {
    if (event.target.matches("input[type=number]")) { sync(event.target); }
  });
  // After a failed submit, move focus to the error summary so it is read out first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
