// Charts of the conversion reports (reports/conversion, funnels, activity): every element with
// data-chart="<id>" is drawn from the JSON in <script id="<id>"> (the tables beside the charts
// hold the same figures and stay the accessible source). Redrawn after htmx swaps a report.
(function () {
  "use strict";
  var charts = [];
  function option(d) {
    if (d.type === "funnel") {
      return {
        animation: false,
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: 8, right: 8, top: 8, bottom: 8, minSize: "8%",
          label: { show: true, position: "inside", formatter: "{b}: {c}" },
          data: d.series.map(function (s) { return { name: s.name, value: Number(s.value) }; }) }],
      };
    }
    if (d.type === "pie") {
      return {
        animation: false,
        tooltip: { trigger: "item" },
        legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], top: 0, bottom: 24,
          data: d.series.map(function (s) { return { name: s.name, value: Number(s.value) }; }) }],
      };
    }
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: d.categories, axisLabel: { hideOverlap: true } },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", axisLabel: { formatter: "{value}%" } }],
      series: d.series.map(function (s) {
        return { name: s.name, type: s.type || "bar", yAxisIndex: s.axis || 0, data: s.values.map(Number) };
      }),
    };
  }
  function draw() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    if (!window.echarts) return;
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var source = document.getElementById(node.getAttribute("data-chart"));
      if (!source) return;
      var d = JSON.parse(source.textContent);
      if (!d || !d.series || !d.series.length) return;
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      chart.setOption(option(d));
      charts.push(chart);
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
