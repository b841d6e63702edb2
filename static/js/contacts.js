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
  // A session that did not happen (did not attend, cancelled) has no duration: the box goes
  // away while another attendance is chosen. The server drops a duration left in it anyway.
  function showDuration() {
    var box = document.getElementById("div_id_duration_minutes");
    var chosen = document.querySelector("input[name=attendance]:checked");
    if (box && chosen) { box.hidden = chosen.value !== "attended"; }
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[name=attendance]")) { showDuration(); }
  });
  showDuration();
})();
