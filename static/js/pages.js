/* Behaviours of the administrators' and public pages; every page also works without them. */
(function () {
  "use strict";

  // A table in a scrollable region can be scrolled with the keyboard: the region takes the
  // focus and is named after its table (axe: scrollable-region-focusable). Templates that know
  // better set these attributes themselves.
  function focusableTables() {
    document.querySelectorAll(".fr-table__container").forEach(function (region) {
      if (!region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "0"); }
      if (!region.hasAttribute("role")) { region.setAttribute("role", "region"); }
      if (!region.hasAttribute("aria-label") && !region.hasAttribute("aria-labelledby")) {
        var caption = region.querySelector("caption");
        var text = caption ? caption.textContent.trim() : "";
        if (text) { region.setAttribute("aria-label", text); }
      }
    });
  }

  // "Copy the key": shown only where the clipboard can be written.
  function copyButtons() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      if (navigator.clipboard && window.isSecureContext) { button.hidden = false; }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById("copy-status");
    if (!source) { return; }
    function say(message) { if (status) { status.textContent = message; } }
    navigator.clipboard.writeText(source.value || source.textContent).then(
      function () { say(button.getAttribute("data-copied")); },
      function () {
        source.focus();
        if (source.select) { source.select(); }
        say(button.getAttribute("data-copy-failed"));
      }
    );
  });

  function ready() { focusableTables(); copyButtons(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  // Tables that htmx swaps in.
  document.addEventListener("htmx:afterSettle", focusableTables);
}());
