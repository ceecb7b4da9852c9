// The goals page chart (analytics/goals/index.html): completion per goal from the #goals-data
// JSON block. A static file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var chart = null;
  function draw() {
    var node = document.getElementById("goals-chart"), data = document.getElementById("goals-data");
    if (chart) { chart.dispose(); chart = null; }
    if (!node || !data || !window.echarts) return;
    var d = JSON.parse(data.textContent);
    chart = window.echarts.init(node, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
      grid: { left: 8, right: 16, bottom: 8, top: 8, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: d.labels, axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ name: d.completion_label, type: "bar", data: d.completion.map(Number),
        markLine: { silent: true, symbol: "none", data: [{ xAxis: 100 }] } }]
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", function () { if (chart) chart.resize(); });
})();
