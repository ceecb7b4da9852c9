// The opportunity form (sales/opportunity_form.html): the product-line and team editors (Alpine
// components, registered before Alpine starts), the customer and product pickers (tom-select) and
// the pipeline -> stage filter. A static file because the Content-Security-Policy forbids inline
// scripts (core/csp.py).
(function () {
  var form = document.getElementById("opportunity-form");
  var seq = 0;
  function json(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : []; }
  function num(v) { var n = parseFloat(String(v || "").replace(/,/g, "")); return isNaN(n) ? 0 : n; }
  document.addEventListener("alpine:init", function () {
    Alpine.data("lineEditor", function () {
      return {
        rows: json("lines-data").map(function (r) { r.key = ++seq; return r; }),
        add: function () { this.rows.push({key: ++seq, product: "", product_label: "", description: "", quantity: "1", unit: "", unit_price: "", discount: "", specs: ""}); },
        amount: function (r) { return Math.round(num(r.quantity) * num(r.unit_price) * (1 - num(r.discount) / 100) * 100) / 100; },
        total: function () { var self = this; return this.rows.reduce(function (s, r) { return s + self.amount(r); }, 0); },
        fmt: function (n) { return n.toLocaleString(undefined, {minimumFractionDigits: 2, maximumFractionDigits: 2}); },
        currency: function () { var c = document.getElementById("id_currency"); return c ? c.value : ""; },
        pickProduct: function (el, row) {
          var url = form.dataset.products, self = this;
          if (row.product) el.add(new Option(row.product_label || row.product, row.product, true, true));
          if (!url || !window.TomSelect) return;
          var ts = new TomSelect(el, {
            valueField: "id", labelField: "label", searchField: ["label"], maxOptions: 20,
            dropdownParent: "body",
            load: function (q, done) {
              fetch(url + "?q=" + encodeURIComponent(q) + "&currency=" + encodeURIComponent(self.currency()), {headers: {"Accept": "application/json"}})
                .then(function (r) { return r.json(); })
                .then(function (data) { var items = Array.isArray(data) ? data : (data.results || []); done(items.map(function (p) { p.label = p.sku + " " + p.name; return p; })); })
                .catch(function () { done(); });
            }
          });
          ts.on("change", function (value) {
            row.product = value;
            var p = ts.options[value];
            if (!p) return;
            row.product_label = p.label;
            if (!row.description) row.description = p.name;
            if (!row.unit && p.unit) row.unit = p.unit;
            if (!row.unit_price && p.unit_price !== null && p.unit_price !== undefined) row.unit_price = String(p.unit_price);
          });
        }
      };
    });
    Alpine.data("teamEditor", function () {
      return {
        rows: json("members-data").map(function (r) { r.key = ++seq; return r; }),
        add: function () { this.rows.push({key: ++seq, user: "", role: "co_seller"}); }
      };
    });
  });
  // The customer picker searches every customer the member may see; its contacts follow it.
  var customer = document.getElementById("id_customer");
  if (customer && window.TomSelect) {
    new TomSelect(customer, {
      valueField: "id", labelField: "text", searchField: ["text"], maxOptions: 20,
      load: function (q, done) {
        fetch(form.dataset.customerSearch + "?q=" + encodeURIComponent(q)).then(function (r) { return r.json(); })
          .then(function (data) { done(data.results); }).catch(function () { done(); });
      }
    });
    customer.addEventListener("change", function () {
      fetch(form.dataset.contacts + "?customer=" + encodeURIComponent(customer.value)).then(function (r) { return r.json(); }).then(function (data) {
        ["id_contact", "id_contact_ids"].forEach(function (id) {
          var select = document.getElementById(id);
          if (!select) return;
          select.innerHTML = id === "id_contact" ? '<option value="">—</option>' : "";
          data.results.forEach(function (c) { var o = document.createElement("option"); o.value = c.id; o.textContent = c.text; select.appendChild(o); });
        });
      });
    });
  }
  // Only the chosen pipeline's stages are offered.
  var pipeline = document.getElementById("id_pipeline"), stage = document.getElementById("id_stage");
  function syncStages() {
    if (!pipeline || !stage) return;
    var name = pipeline.options[pipeline.selectedIndex] ? pipeline.options[pipeline.selectedIndex].text : "";
    var keep = false;
    Array.prototype.forEach.call(stage.querySelectorAll("optgroup"), function (g) {
      var on = g.label === name; g.disabled = !on; g.hidden = !on;
      if (on && stage.selectedOptions[0] && stage.selectedOptions[0].parentNode === g) keep = true;
    });
    if (!keep) { var first = stage.querySelector("optgroup:not([disabled]) option"); if (first) stage.value = first.value; }
  }
  if (pipeline) { pipeline.addEventListener("change", syncStages); syncStages(); }
})();
