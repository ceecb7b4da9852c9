// Alpine components used on many pages. Alpine's CSP build (vendor/alpinejs-csp-*) cannot compile
// arrow functions, globals (JSON, document) or DOM property writes inside x-* attributes, so
// components with such logic are registered here and the templates only name them. Loaded with
// `defer` before Alpine itself, so the listener is in place when Alpine fires alpine:init.
document.addEventListener("alpine:init", function () {
  "use strict";

  // The bulk bar of the lead, customer and opportunity lists: counts the ticked rows; the header
  // box ticks or clears every row of the page.
  Alpine.data("bulkSelect", function () {
    return {
      picked: 0,
      all: false,
      recount: function () {
        this.picked = this.$root.querySelectorAll("input[name=ids]:checked").length;
      },
      toggleAll: function (box) {
        this.$root.querySelectorAll("input[name=ids]").forEach(function (c) { c.checked = box.checked; });
      },
      showBar: function () { return this.picked > 0 || this.all; }
    };
  });

  // @mentions in the comment box: typing "@" and a few letters lists matching colleagues (from the
  // #mention-people JSON block); arrows move, Enter or Tab picks, Escape closes.
  Alpine.data("mentions", function () {
    var source = document.getElementById("mention-people");
    return {
      people: source ? JSON.parse(source.textContent) : [],
      q: null,
      at: 0,
      sel: 0,
      get hits() {
        if (this.q === null) return [];
        var q = this.q.toLowerCase();
        return this.people.filter(function (p) { return p.name.toLowerCase().includes(q); }).slice(0, 8);
      },
      expanded: function () { return this.hits.length > 0; },
      scan: function (el) {
        var m = el.value.slice(0, el.selectionStart).match(/(^|\s)@([^\s@]{0,30})$/);
        if (m) { this.q = m[2]; this.at = el.selectionStart - m[2].length - 1; this.sel = 0; } else { this.q = null; }
      },
      pick: function (p) {
        var el = this.$refs.body, end = el.selectionStart;
        el.value = el.value.slice(0, this.at) + "@" + p.name + " " + el.value.slice(end);
        var pos = this.at + p.name.length + 2;
        el.focus();
        el.setSelectionRange(pos, pos);
        this.q = null;
      },
      key: function (e) {
        var n = this.hits.length;
        if (!n) return;
        if (e.key === "ArrowDown") { this.sel = (this.sel + 1) % n; e.preventDefault(); }
        else if (e.key === "ArrowUp") { this.sel = (this.sel + n - 1) % n; e.preventDefault(); }
        else if (e.key === "Enter" || e.key === "Tab") { this.pick(this.hits[this.sel]); e.preventDefault(); }
        else if (e.key === "Escape") { this.q = null; }
      }
    };
  });
});
