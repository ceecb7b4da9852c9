// The quote line editor (orders/quote_edit.html), an Alpine component registered before Alpine
// starts. A static file because the Content-Security-Policy forbids inline scripts.
document.addEventListener("alpine:init", function () {
  var seq = 0;
  function json(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : []; }
  function num(v) { var n = parseFloat(String(v || "").replace(/,/g, "")); return isNaN(n) ? 0 : n; }
  Alpine.data("quoteLines", function () {
    var data = json("quote-lines-data");
    if (typeof data === "string") data = JSON.parse(data);
    return {
      // `value` is the id as the <option> holds it: the CSP build of Alpine cannot call String().
      products: json("quote-products-data").map(function (p) { p.value = String(p.id); return p; }),
      rows: data.map(function (r) { r.key = ++seq; r.product_id = r.product_id ? String(r.product_id) : ""; return r; }),
      add: function () { this.rows.push({key: ++seq, id: null, product_id: "", description: "", specs: "", hs_code: "", quantity: "1", unit: "", unit_price: "", discount_percent: ""}); },
      pick: function (row) {
        var p = this.products.find(function (x) { return String(x.id) === String(row.product_id); });
        if (!p) return;
        var cur = (this.$refs.currency.value || "").toUpperCase();
        if (!row.unit) row.unit = p.unit;
        if (!row.hs_code) row.hs_code = p.hs_code;
        if (!row.specs) row.specs = p.specs;
        if (!row.unit_price && p.prices[cur]) row.unit_price = p.prices[cur];
      },
      estimate: function (r) { var a = num(r.quantity) * num(r.unit_price) * (1 - num(r.discount_percent) / 100); return a ? a.toFixed(2) : ""; },
      serialize: function () {
        this.$refs.linesJson.value = JSON.stringify(this.rows.map(function (r) {
          return {id: r.id || null, product_id: r.product_id || null, description: r.description, specs: r.specs, hs_code: r.hs_code, quantity: r.quantity, unit: r.unit, unit_price: r.unit_price, discount_percent: r.discount_percent};
        }));
      }
    };
  });
});
