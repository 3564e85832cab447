/* Feedback on slow actions, for every form of the portal (one shared script, no inline code).

   A POST form, once submitted, marks the button that sent it as busy: disabled, aria-busy,
   its label replaced by "Working…" (the text of <body data-busy-label>), so it cannot be sent
   twice. After a few seconds a note says the action is still running (<body data-busy-slow>).
   htmx requests get the same treatment from htmx's own events. A form with data-busy="off"
   (a download that keeps the page) is left alone. Coming back through the browser's history
   restores the buttons. */
(function () {
  "use strict";
  var SLOW_AFTER_MS = 3000;

  function text(name, fallback) {
    return (document.body && document.body.getAttribute(name)) || fallback;
  }

  function buttonOf(form, submitter) {
    if (submitter && submitter.form === form) return submitter;
    return form.querySelector("button[type=submit], button:not([type]), input[type=submit]");
  }

  function setLabel(button, label) {
    if (button.tagName === "INPUT") button.value = label;
    else button.textContent = label;
  }

  function markBusy(button, noteAnchor) {
    if (!button || button.getAttribute("aria-busy") === "true") return;
    button.dataset.busyText = button.tagName === "INPUT" ? button.value : button.textContent;
    button.setAttribute("aria-busy", "true");
    button.classList.add("is-busy");
    setLabel(button, text("data-busy-label", "Working…"));
    // Disabled only after the browser has read the form (a disabled button's name/value
    // would be left out of what is sent).
    window.setTimeout(function () { button.disabled = true; }, 0);
    button._busyTimer = window.setTimeout(function () {
      var note = document.createElement("p");
      note.className = "busy-note";
      note.setAttribute("role", "status");
      note.textContent = text("data-busy-slow", "Still working: this can take a few seconds.");
      (noteAnchor || button).insertAdjacentElement("afterend", note);
      button._busyNote = note;
    }, SLOW_AFTER_MS);
  }

  function clearBusy(button) {
    if (!button || button.getAttribute("aria-busy") !== "true") return;
    window.clearTimeout(button._busyTimer);
    if (button._busyNote) button._busyNote.remove();
    button._busyNote = null;
    setLabel(button, button.dataset.busyText || "");
    delete button.dataset.busyText;
    button.removeAttribute("aria-busy");
    button.classList.remove("is-busy");
    button.disabled = false;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.busy === "off" || form.hasAttribute("target")) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.dataset.busySent === "true") { event.preventDefault(); return; }
    if (event.defaultPrevented) return; // htmx (or a page script) sends it: see below
    form.dataset.busySent = "true";
    markBusy(buttonOf(form, event.submitter));
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-busy-sent]").forEach(function (form) {
      delete form.dataset.busySent;
    });
    document.querySelectorAll("[aria-busy=true]").forEach(clearBusy);
  });

  // htmx: the element that sent the request, or the button of the form that did.
  function htmxButton(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt) return null;
    if (elt instanceof HTMLFormElement) {
      if (elt.dataset.busy === "off") return null;
      return buttonOf(elt, event.detail.requestConfig && event.detail.requestConfig.submitter);
    }
    return elt.matches("button, input[type=submit]") ? elt : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (verb === "get") return; // searches and polling stay quiet
    markBusy(htmxButton(event));
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    clearBusy(htmxButton(event));
  });

  window.registrasiBusy = { mark: markBusy, clear: clearBusy };
})();
