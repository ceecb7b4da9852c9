// Keyboard shortcuts: any element with data-shortcut="x" is clicked (links, buttons) or focused
// (inputs) when x is pressed outside a text field. Ctrl/Cmd+Enter submits the focused form.
(function () {
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      var form = event.target.closest && event.target.closest("form");
      if (form) { event.preventDefault(); form.requestSubmit(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var target = document.querySelector('[data-shortcut="' + CSS.escape(event.key) + '"]');
    if (!target) return;
    event.preventDefault();
    if (typing(target)) { target.focus(); target.select && target.select(); } else { target.click(); }
  });
})();
