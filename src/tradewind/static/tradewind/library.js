// Library: a button with data-copy-target="<element id>" copies that element's text to the
// clipboard and says so on the button (data-copied-label). Counting the copy is the button's own
// hx-post (htmx), so this file only deals with the clipboard. No inline script (CSP).
(function () {
  if (window.twLibraryCopy) return; // the panel and the page may both load this file
  window.twLibraryCopy = true;

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  function done(button, ok) {
    var label = button.querySelector("[data-copy-label]") || button;
    if (!button.dataset.originalLabel) button.dataset.originalLabel = label.textContent;
    label.textContent = ok ? button.dataset.copiedLabel || "✓" : button.dataset.originalLabel;
    button.classList.toggle("btn-success", ok);
    button.setAttribute("data-copied", ok ? "1" : "0");
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copyTarget);
    if (!source) return;
    var text = (source.innerText || source.textContent || "").trim();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { done(button, true); },
        function () { done(button, fallbackCopy(text)); }
      );
    } else {
      done(button, fallbackCopy(text));
    }
  });
})();
