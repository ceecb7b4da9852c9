// Small page behaviours declared with data-* attributes, so that templates need no inline event
// handlers: the Content-Security-Policy allows scripts from our own files only (core/csp.py).
//
//   data-confirm="Question?"   on a <form>: asks before it is submitted; on a button or link: asks
//                              before the click goes through. Cancelling stops the submit/click.
//   data-confirm-when="name=value"  (with data-confirm on a button) asks only when the button's
//                              form field `name` holds `value` (the bulk bar asks for "delete").
//   data-autosubmit            on a field: submits its form when the value changes.
//   data-select-on-click       on an input or textarea: selects all its text when clicked, to copy.
//
// Listeners sit on the document (capture phase), so they also cover content htmx swaps in later,
// and a cancelled confirmation stops the event before htmx or the browser acts on it.
(function () {
  "use strict";

  function asksFor(el) {
    var when = el.getAttribute("data-confirm-when");
    if (!when) return true;
    var at = when.indexOf("="), form = el.form || el.closest("form");
    if (at < 0 || !form) return true;
    var field = form.elements.namedItem(when.slice(0, at));
    return Boolean(field) && field.value === when.slice(at + 1);
  }

  function declined(el) {
    return asksFor(el) && !window.confirm(el.getAttribute("data-confirm"));
  }

  function stop(event) {
    event.preventDefault();
    event.stopPropagation();
    event.stopImmediatePropagation();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm") && declined(form)) {
      stop(event);
    }
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    var asking = target.closest("button[data-confirm], a[data-confirm], input[data-confirm]");
    if (asking && declined(asking)) {
      stop(event);
      return;
    }
    var selecting = target.closest("[data-select-on-click]");
    if (selecting && typeof selecting.select === "function") selecting.select();
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof Element && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  }, true);
})();
