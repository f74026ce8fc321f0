/* Small behaviours of the workspace; every action also works without them (plain forms). */
(function () {
  "use strict";
  // htmx requests carry the CSRF token of the page.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });

  // The text held by an element: a <template>'s content, else its own text.
  function textOf(element) {
    return (element.content ? element.content.textContent : element.textContent).trim();
  }

  function announce(message) {
    var status = document.getElementById("composer-status");
    if (status && message) { status.textContent = message; }
  }

  // Signing out forgets the replies kept in this tab (workspace.js): on a shared workstation,
  // the next person in this tab never finds them.
  document.addEventListener("submit", function (event) {
    if (!event.target.hasAttribute("data-sign-out")) { return; }
    try {
      var store = window.sessionStorage;
      Object.keys(store).forEach(function (key) {
        if (key.indexOf("guichet.reply.") === 0) { store.removeItem(key); }
      });
    } catch (error) { /* storage refused: nothing was kept */ }
  });

  // A button that ends something without undo (closing a case nobody answered) asks first.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = button && button.getAttribute("data-confirm-submit");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // A form that creates something (a case recorded at the counter) is sent once: a double
  // click would record the case twice. Registered after the confirmation (above), so a
  // question answered "no" never marks the form as sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-submit-once") || event.defaultPrevented) { return; }
    if (form.getAttribute("data-submitted")) { event.preventDefault(); return; }
    form.setAttribute("data-submitted", "1");
    form.setAttribute("aria-busy", "true");
  });
  // Back to a page the browser kept (Back, a sending that never arrived): it may be sent again
  // (the server still records a form's case once).
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      form.removeAttribute("data-submitted");
      form.removeAttribute("aria-busy");
    });
  });

  // The composer still holds only its starting text (greeting, closing, signature)?
  function untouched(composer) {
    var skeleton = (composer.getAttribute("data-skeleton") || "").trim();
    return !composer.value.trim() || composer.value.trim() === skeleton;
  }

  // "Use this reply": copy the usable draft (no citation markers) into the composer and put
  // the focus there.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-use-draft]");
    if (!button) { return; }
    var source = document.getElementById(button.getAttribute("data-use-draft"));
    var composer = document.getElementById("id_body_reply");
    if (!source || !composer) { return; }
    // The starting text (greeting, closing, signature) is not the agent's work: replace it.
    if (!untouched(composer) && !window.confirm(button.getAttribute("data-confirm"))) { return; }
    composer.value = textOf(source);
    composer.removeAttribute("data-caret");
    // The draft replaced the agent's text: the reply kept for this case goes (workspace.js).
    composer.dispatchEvent(new CustomEvent("guichet:draft-used", {bubbles: true}));
    composer.focus();
    composer.setSelectionRange(0, 0);
    composer.scrollIntoView({block: "center"});
    announce(button.getAttribute("data-done"));
  });

  // Where the agent last left the caret in the composer (the picker inserts there).
  function rememberCaret(event) {
    var composer = event.target;
    if (composer.id !== "id_body_reply") { return; }
    composer.setAttribute("data-caret", composer.selectionStart + "," + composer.selectionEnd);
  }
  ["keyup", "mouseup", "select", "blur"].forEach(function (name) {
    document.addEventListener(name, rememberCaret, true);
  });

  // The answer bank picker: insert the chosen model answer into the composer, at the caret;
  // a selected text is replaced after confirmation; in an untouched composer, the answer goes
  // in the room left after the greeting.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-answer]");
    if (!button) { return; }
    var id = button.getAttribute("data-insert-answer");
    var body = document.querySelector('template[data-answer-body="' + id + '"]');
    var composer = document.getElementById("id_body_reply");
    if (!body || !composer || composer.readOnly) { return; }
    var text = textOf(body);
    var value = composer.value;
    var caret = (composer.getAttribute("data-caret") || "").split(",");
    var start, end;
    if (caret.length === 2) {
      start = parseInt(caret[0], 10); end = parseInt(caret[1], 10);
    } else if (untouched(composer)) {
      var afterGreeting = value.indexOf("\n");
      start = end = afterGreeting < 0 ? value.length : afterGreeting + 2;
    } else {
      start = end = value.length;
    }
    start = Math.min(Math.max(start, 0), value.length); end = Math.min(Math.max(end, start), value.length);
    if (end > start && !window.confirm(button.getAttribute("data-confirm"))) { return; }
    var before = value.slice(0, start), after = value.slice(end);
    var glueBefore = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var glueAfter = after && !/^\n\n/.test(after) ? (/^\n/.test(after) ? "\n" : "\n\n") : "";
    composer.value = before + glueBefore + text + glueAfter + after;
    var caretAt = (before + glueBefore + text).length;
    composer.focus();
    composer.setSelectionRange(caretAt, caretAt);
    composer.setAttribute("data-caret", caretAt + "," + caretAt);
    // Like typed text: the reply in progress is kept (workspace.js).
    composer.dispatchEvent(new Event("input", {bubbles: true}));
    announce(button.getAttribute("data-done"));
    // Count the use (the most used answers stay in the bank); nothing waits for it.
    var used = button.getAttribute("data-used-url");
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (used && window.fetch) {
      window.fetch(used, {method: "POST", credentials: "same-origin",
        headers: {"X-CSRFToken": meta ? meta.content : ""}}).catch(function () {});
    }
  });
})();
