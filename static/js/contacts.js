// Log a contact.
(function () {
  "use strict";
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
