// Charts of the customer reports (RFM segments, repurchase / churn): ECharts draws the figures of
// the table or cards beside it (the accessible source); clicking a bar or slice opens that
// segment's / status's customer list. Data comes from the json_script blocks of the page.
(function () {
  "use strict";
  var charts = [];
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function open(param, key, anchor) {
    var url = new URL(window.location.href);
    url.searchParams.set(param, key);
    url.searchParams.delete("page");
    url.hash = anchor;
    window.location.assign(url.toString());
  }
  function rfm(node, d) {
    var chart = window.echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 16, bottom: 8, top: 16, containLabel: true },
      xAxis: { type: "value", minInterval: 1, name: d.customers_label },
      yAxis: { type: "category", inverse: true, data: d.labels, axisLabel: { width: 150, overflow: "truncate" } },
      series: [{
        name: d.customers_label,
        type: "bar",
        data: d.customers.map(function (v, i) { return { value: v, itemStyle: { color: d.colors[i] } }; }),
        label: { show: true, position: "right" },
      }],
    });
    chart.on("click", function (p) { open("segment", d.keys[p.dataIndex], "rfm-customers"); });
    return chart;
  }
  function churn(node, d) {
    var chart = window.echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        name: d.customers_label,
        type: "pie",
        radius: ["35%", "65%"],
        center: ["50%", "45%"],
        label: { formatter: "{c}" },
        data: d.labels.map(function (label, i) {
          return { name: label, value: d.customers[i], itemStyle: { color: d.colors[i] } };
        }),
      }],
    });
    chart.on("click", function (p) { open("status", d.keys[p.dataIndex], "churn-customers"); });
    return chart;
  }
  function draw() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    if (!window.echarts) return;
    var pairs = [["rfm-chart", "rfm-data", rfm], ["churn-chart", "churn-data", churn]];
    pairs.forEach(function (p) {
      var node = document.getElementById(p[0]);
      var data = read(p[1]);
      if (node && data) charts.push(p[2](node, data));
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
