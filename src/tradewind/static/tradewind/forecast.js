// The forecast chart: ECharts bars of the months in the table (same figures, drawn only; the
// table below it is the accessible source). Redrawn when htmx swaps the forecast after a filter.
(function () {
  "use strict";
  var chart = null;
  function draw() {
    var node = document.getElementById("forecast-chart");
    var data = document.getElementById("forecast-data");
    if (chart) { chart.dispose(); chart = null; }
    if (!node || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    chart = window.echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return Number(v).toLocaleString() + " " + d.currency; } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: d.periods, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: "value", name: d.currency },
      series: d.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values.map(Number), emphasis: { focus: "series" } };
      }),
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
  window.addEventListener("resize", function () { if (chart) chart.resize(); });
})();
