/* The progress-wheel form on a phone: one part a screen ("Domain 3 of 10") with Back and Next.
   Progressive enhancement of the all-domains page: every answer stays in the one form, so the
   single Save posts them all; without this script (or on a wide screen) everything shows at
   once. Focus moves to the part's heading; the progress is text, announced politely. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-stepper]");
  if (!form) { return; }
  var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
  var domains = steps.filter(function (step) { return step.classList.contains("domain"); });
  var actions = form.querySelector(".form-actions");
  if (steps.length < 2 || !actions) { return; }
  var narrow = window.matchMedia("(max-width: 575.98px)");
  var current = 0;

  function button(text, className) {
    var item = document.createElement("button");
    item.type = "button";
    item.className = className;
    item.textContent = text;
    return item;
  }

  var progress = document.createElement("p");
  progress.className = "fw-semibold stepper-progress";
  progress.setAttribute("aria-live", "polite");
  var nav = document.createElement("div");
  nav.className = "d-flex flex-row-reverse flex-wrap gap-2 justify-content-between mb-3 stepper-nav";
  var next = button("Next", "btn btn-primary btn-lg");
  var back = button("Back", "btn btn-outline-secondary btn-lg");
  nav.appendChild(next);
  nav.appendChild(back);
  steps[0].parentNode.insertBefore(progress, steps[0]);
  actions.parentNode.insertBefore(nav, actions);

  // Bootstrap's d-flex outranks [hidden]: d-none hides as surely.
  function hide(item, hidden) {
    item.hidden = hidden;
    item.classList.toggle("d-none", hidden);
  }

  function show(index, focus) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    steps.forEach(function (step, number) { hide(step, number !== current); });
    var domain = domains.indexOf(steps[current]);
    progress.textContent = domain < 0
      ? "About this assessment, then " + domains.length + " domains"
      : "Domain " + (domain + 1) + " of " + domains.length;
    hide(back, current === 0);
    hide(next, current === steps.length - 1);
    hide(actions, current !== steps.length - 1);
    if (focus) {
      var heading = steps[current].querySelector("h2");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  }

  function apply() {
    if (narrow.matches) {
      hide(progress, false);
      hide(nav, false);
      show(current, false);
    } else {
      steps.forEach(function (step) { hide(step, false); });
      hide(progress, true);
      hide(nav, true);
      hide(actions, false);
    }
  }

  next.addEventListener("click", function () { show(current + 1, true); });
  back.addEventListener("click", function () { show(current - 1, true); });
  // An error summary link shows the part that holds the field it names.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
    if (!link || !narrow.matches) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    for (var number = 0; number < steps.length; number += 1) {
      if (target && steps[number].contains(target)) { show(number, false); return; }
    }
  });
  // After a refused save, start at the first part with a problem.
  for (var number = 0; number < steps.length; number += 1) {
    if (steps[number].querySelector(".is-invalid, [aria-invalid='true']")) { current = number; break; }
  }
  if (narrow.addEventListener) { narrow.addEventListener("change", apply); }
  apply();
}());
