/* Inspection checklist draft: nothing typed on site is lost.
 *
 * The form posts itself with htmx after each change (hx-trigger="change delay:500ms").
 * This script keeps a copy of the form in localStorage on every keystroke, under a key per
 * inspection, until the server has confirmed a save (the `inspection-draft-saved` event the
 * response triggers). On load it puts back values the server does not have yet (a reload,
 * a lost connection) and sends them; offline it says so and sends when back online.
 */
(function () {
  "use strict";

  function clearFinished() {
    // A read-only page (submitted, cancelled): an unsent copy can never be sent any more.
    document.querySelectorAll("[data-draft-clear]").forEach(function (el) {
      try { localStorage.removeItem(el.getAttribute("data-draft-clear")); } catch (e) { /* private mode */ }
    });
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "file" &&
        el.type !== "submit" && el.type !== "button";
    });
  }

  function collect(form) {
    var values = {};
    fields(form).forEach(function (el) {
      if (el.type === "radio") {
        if (!(el.name in values)) values[el.name] = "";
        if (el.checked) values[el.name] = el.value;
      } else if (el.name.indexOf("interview_") === 0) {
        (values[el.name] = values[el.name] || []).push(el.value);
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function addInterviewRow(form) {
    var rows = form.querySelectorAll(".interview-row");
    var last = rows[rows.length - 1];
    var row = last.cloneNode(true);
    row.querySelectorAll("input, textarea").forEach(function (el) { el.value = ""; });
    last.parentNode.appendChild(row);
    return row;
  }

  function apply(form, values) {
    var changed = false;
    var wanted = (values.interview_role || []).length;
    while (form.querySelectorAll(".interview-row").length < wanted) addInterviewRow(form);
    var seen = {};
    fields(form).forEach(function (el) {
      if (!(el.name in values)) return;
      var value = values[el.name];
      if (el.type === "radio") {
        var checked = el.value === value;
        if (el.checked !== checked) { el.checked = checked; changed = true; }
      } else if (Array.isArray(value)) {
        var i = seen[el.name] = (seen[el.name] === undefined ? 0 : seen[el.name] + 1);
        if (i < value.length && el.value !== value[i]) { el.value = value[i]; changed = true; }
      } else if (el.value !== value) {
        el.value = value;
        changed = true;
      }
    });
    return changed;
  }

  function init() {
    clearFinished();
    var form = document.getElementById("checklist");
    if (!form || !form.dataset.draftKey) return;
    var key = form.dataset.draftKey;
    var status = document.getElementById("draft-status");
    var offline = document.getElementById("draft-offline");
    var version = 0;      // bumps on every edit
    var sentVersion = -1; // the edit the request in flight carries

    function store() {
      try { localStorage.setItem(key, JSON.stringify({ values: collect(form), at: Date.now() })); } catch (e) { /* full or private mode */ }
    }
    function stored() {
      try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
    }
    function send() {
      // The form's own trigger (change, 500 ms later) posts it with htmx.
      form.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function showOffline(on) {
      if (offline) offline.hidden = !on;
    }

    // Put back what the server does not have yet.
    var copy = stored();
    if (copy && copy.values) {
      if (apply(form, copy.values)) {
        version += 1;
        if (status) status.textContent = form.dataset.restoredText || status.textContent;
        if (navigator.onLine) send(); else showOffline(true);
      } else {
        localStorage.removeItem(key); // the server already has all of it
      }
    }

    form.addEventListener("input", function () { version += 1; store(); });
    form.addEventListener("change", function () { store(); });
    form.addEventListener("htmx:beforeRequest", function () { sentVersion = version; });
    form.addEventListener("inspection-draft-saved", function () {
      showOffline(false);
      if (sentVersion === version) localStorage.removeItem(key);
    });
    form.addEventListener("htmx:beforeSwap", function (evt) {
      // Logged out meanwhile: the answer is the login page, not the status. Keep the copy.
      var url = evt.detail.xhr && evt.detail.xhr.responseURL;
      if (url && url.indexOf(form.getAttribute("hx-post")) === -1) {
        evt.detail.shouldSwap = false;
        if (status) status.textContent = form.dataset.errorText || "";
      }
    });
    form.addEventListener("htmx:sendError", function () {
      store();
      showOffline(true);
    });
    form.addEventListener("htmx:responseError", function () {
      store();
      if (status) status.textContent = form.dataset.errorText || "";
    });
    window.addEventListener("online", function () {
      if (stored()) send();
    });

    var add = form.querySelector("[data-add-interview]");
    if (add) {
      add.addEventListener("click", function () {
        var row = addInterviewRow(form);
        var first = row.querySelector("input");
        if (first) first.focus();
      });
    }
  }

  // After htmx has set up the page (it does so on DOMContentLoaded, and this script comes
  // after it), so that a restored draft can be sent at once.
  if (document.readyState === "complete") init();
  else document.addEventListener("DOMContentLoaded", init);
})();
