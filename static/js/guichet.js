/* Small behaviours of the workspace; every action also works without them (plain forms). */
(function () {
  "use strict";
  // htmx requests carry the CSRF token of the page.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });
  // "Use this reply": copy the draft into the composer and put the focus there.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-draft]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-use-draft"));
    var composer = document.getElementById("id_body_reply");
    if (!source || !composer) { return; }
    // The starting text (greeting, closing, signature) is not the agent's work: replace it.
    var written = composer.value.trim() && composer.value.trim() !== (composer.getAttribute("data-skeleton") || "").trim();
    if (written && !window.confirm(button.getAttribute("data-confirm"))) { return; }
    composer.value = source.textContent.trim();
    composer.focus();
    composer.setSelectionRange(0, 0);
    composer.scrollIntoView({block: "center"});
    var status = document.getElementById("composer-status");
    if (status) { status.textContent = button.getAttribute("data-done"); }
  });
})();
