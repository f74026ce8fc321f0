/* The agent's workspace (inbox and case page): keyboard shortcuts, the in-place preview and
   errors of htmx, and where the focus goes. A shortcut is the click on a visible button marked
   data-shortcut: nothing here is out of reach of the mouse or of Tab, and every form still
   works without this file. */
(function () {
  "use strict";

  var SHORTCUTS = {p: "take", u: "use-draft", v: "preview", e: "send", s: "next"};

  // A field where letters are text: shortcuts are off there.
  function typing(element) {
    if (!element || !element.tagName) { return false; }
    if (element.isContentEditable) { return true; }
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") { return true; }
    if (tag !== "INPUT") { return false; }
    var type = (element.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset", "hidden"].indexOf(type) < 0;
  }

  function usable(element) {
    return !!element && !element.disabled && element.getClientRects().length > 0;
  }

  function dialogOpen() {
    return !!document.querySelector("dialog[open], .fr-modal--opened");
  }

  function openHelp() {
    var help = document.getElementById("shortcuts-modal");
    if (!help) { return; }
    if (window.dsfr) {
      window.dsfr(help).modal.disclose();
    } else if (help.showModal) {
      help.showModal();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.metaKey || event.isComposing) { return; }
    var target = event.target;
    // Ctrl+Enter in the reply: check it (the preview), without leaving the keyboard.
    if (event.ctrlKey && event.key === "Enter" && target && target.id === "id_body_reply") {
      var preview = document.querySelector('[data-shortcut="preview"]');
      if (usable(preview)) { event.preventDefault(); preview.click(); }
      return;
    }
    if (event.ctrlKey) { return; }
    if (event.key === "Escape" && typing(target) && !dialogOpen()) {
      target.blur();  // out of the field: the letters are shortcuts again
      return;
    }
    if (typing(target) || dialogOpen()) { return; }
    if (event.key === "?") {
      event.preventDefault();
      openHelp();
      return;
    }
    var name = SHORTCUTS[event.key];
    if (!name) { return; }
    var element = document.querySelector('[data-shortcut="' + name + '"]');
    if (!usable(element)) { return; }
    event.preventDefault();
    element.click();
  });

  // A refused form (400, 409) comes back with its errors: show it in place like any answer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Anything else that fails (403, 404, 500, no network) is said on the page, where the agent
  // is, not only in the console.
  function alertBox() { return document.getElementById("workspace-alert"); }

  function sayFailure(kind) {
    var box = alertBox();
    if (!box) { return; }
    box.querySelector("p").textContent = box.getAttribute("data-" + kind) || "";
    box.hidden = false;
    box.focus({preventScroll: true});
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    sayFailure(status === 403 ? "forbidden" : status === 404 ? "missing" : "failed");
  });
  document.addEventListener("htmx:sendError", function () { sayFailure("offline"); });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = alertBox();
    if (box) { box.hidden = true; }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-dismiss-alert]")) { alertBox().hidden = true; }
  });

  // After a swap the agent acted on (preview, errors, back to editing, a refused discard), the
  // focus goes to what they act on next, and it is scrolled into view with its error.
  function settle(region) {
    if (!region) { return; }
    var focus = region.querySelector("[autofocus]");
    var alert = region.querySelector('[role="alert"]');
    if (!focus && !alert) { return; }
    region.scrollIntoView({block: "nearest"});
    if (focus) {
      focus.focus({preventScroll: true});
      focus.scrollIntoView({block: "nearest"});
    }
    if (alert) { alert.scrollIntoView({block: "nearest"}); }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) { return; }
    if (target.id === "composer") {
      settle(document.getElementById("composer"));
    } else if (target.id === "suggestion-slot" && event.detail.requestConfig &&
               event.detail.requestConfig.verb === "post") {
      settle(target);
    }
  });

  // "Use this reply": keep the whole composer (and its button) in view, with the question
  // above it, rather than centring the field.
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-use-draft]")) { return; }
    var form = document.getElementById("reply-form");
    if (form) { form.scrollIntoView({block: "nearest"}); }
  });

  // The reply in progress survives what reloads the case page (a note, a status action, "Next
  // case" and back, a reload): it is kept as it is typed in the tab's sessionStorage, never in
  // localStorage (no usager's text outlives the tab on a shared workstation), under the key of
  // the user and the case. When the page comes back with the proposed text (data-proposed), the
  // kept text takes its place, with a notice and a button back to the proposed text. The page
  // after sending, and "Use this reply", forget it. Where nothing can be kept (storage refused),
  // leaving the page with text of one's own asks first.
  var KEEP_PREFIX = "guichet.reply.";
  var unkept = false;  // the composer holds the agent's text and it could not be kept
  var leaving = false;  // the reply was sent: the page goes to the case as answered

  function storage() {
    try {
      return window.sessionStorage || null;
    } catch (error) {
      return null;  // refused (privacy settings, sandbox)
    }
  }

  function keyOf() {
    var workspace = document.getElementById("workspace");
    var key = workspace && workspace.getAttribute("data-reply-key");
    return key ? KEEP_PREFIX + key : null;
  }

  function normalised(text) { return (text || "").replace(/\r\n?/g, "\n").trim(); }

  function readKept(key) {
    var store = storage();
    if (!store || !key) { return null; }
    try { return store.getItem(key); } catch (error) { return null; }
  }

  function forget(key) {
    var store = storage();
    if (!store || !key) { return; }
    try { store.removeItem(key); } catch (error) { /* nothing kept then */ }
  }

  // The agent's own text, not what the page proposes (the skeleton, a draft used as it is).
  function ownText(composer) {
    var text = normalised(composer.value);
    return !!text && text !== normalised(composer.getAttribute("data-skeleton")) &&
      text !== normalised(composer.getAttribute("data-used-draft"));
  }

  function keep(composer) {
    var key = keyOf();
    if (!ownText(composer)) {
      forget(key);
      unkept = false;
      return;
    }
    var store = storage();
    if (!store || !key) {
      unkept = true;
      return;
    }
    try {
      store.setItem(key, composer.value);
      unkept = false;
    } catch (error) {
      unkept = true;  // storage full or refused
    }
  }

  function restoredNotice() { return document.getElementById("composer-restored"); }

  function setUpComposer() {
    var workspace = document.getElementById("workspace");
    if (!workspace) { return; }
    var key = keyOf();
    if (workspace.hasAttribute("data-reply-sent")) {
      forget(key);
      // Once: a reload of this page is not "just sent" any more.
      if (window.history && window.history.replaceState && /[?&]envoye=1/.test(window.location.search)) {
        var url = new URL(window.location.href);
        url.searchParams.delete("envoye");
        window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
      }
      return;
    }
    var composer = document.getElementById("id_body_reply");
    // The preview step shows the text read-only: what was kept stays as it is.
    if (!composer || composer.readOnly || composer.hasAttribute("data-keeping")) { return; }
    composer.setAttribute("data-keeping", "");
    if (!composer.hasAttribute("data-proposed")) {
      keep(composer);  // the server gave the agent's text back (errors, back to editing)
      return;
    }
    var kept = readKept(key);
    if (kept === null || !normalised(kept) || normalised(kept) === normalised(composer.value)) {
      return;
    }
    composer.value = kept;
    composer.removeAttribute("data-caret");
    var notice = restoredNotice();
    if (notice) { notice.hidden = false; }
  }

  document.addEventListener("input", function (event) {
    if (event.target.id === "id_body_reply" && !event.target.readOnly) { keep(event.target); }
  });

  document.addEventListener("guichet:draft-used", function (event) {
    var composer = event.target;
    composer.setAttribute("data-used-draft", composer.value);
    forget(keyOf());
    unkept = false;
    var notice = restoredNotice();
    if (notice) { notice.hidden = true; }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("#composer-restore-proposed");
    if (!button) { return; }
    var composer = document.getElementById("id_body_reply");
    if (!composer) { return; }
    composer.value = composer.defaultValue;
    forget(keyOf());
    unkept = false;
    restoredNotice().hidden = true;
    composer.focus();
    composer.setSelectionRange(0, 0);
    var status = document.getElementById("composer-status");
    if (status) { status.textContent = button.getAttribute("data-done") || ""; }
  });

  // The composer swapped in by htmx (the preview, errors, back to editing).
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target && target.id === "composer") { setUpComposer(); }
  });

  // Sent: htmx takes the page to the case as answered (HX-Redirect); nothing is lost there.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Redirect")) { leaving = true; }
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !unkept || !document.getElementById("id_body_reply")) { return; }
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only with a return value
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpComposer);
  } else {
    setUpComposer();
  }
})();
