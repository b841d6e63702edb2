// Waymark's small helpers. No inline scripts anywhere: the CSP forbids them.
(function () {
  "use strict";
  // Send the CSRF token with every htmx request.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
  // Elements with data-set-target/data-set-value fill a field when pressed (e.g. duration chips).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-set-target]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-set-target"));
    if (field) {
      field.value = button.getAttribute("data-set-value");
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
  // A form with data-confirm asks before submitting (irreversible actions).
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  // After a failed submit, move focus to the error summary so it is read out first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
