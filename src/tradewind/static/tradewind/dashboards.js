// Role dashboards: one ECharts chart per block (bar, line, pie, funnel) from the JSON the page
// carries in #dashboard-data. The table beside each chart has the same figures (the accessible
// source); clicking a bar, point, slice or funnel step opens the records behind it.
(function () {
  "use strict";
  var charts = [];

  function num(v) { return Number(v); }

  function go(url) { if (url) window.location.href = url; }

  function option(d) {
    var unit = d.unit ? " " + d.unit : "";
    var fmt = function (v) { return Number(v).toLocaleString() + unit; };
    var base = { animation: false, tooltip: { valueFormatter: fmt } };
    if (d.kind === "pie") {
      base.tooltip.trigger = "item";
      base.legend = { bottom: 0, type: "scroll" };
      base.series = [{
        type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
        label: { formatter: "{b}\n{d}%" },
        data: d.labels.map(function (l, i) { return { name: l, value: num(d.values[i]), url: d.urls[i] }; }),
      }];
    } else if (d.kind === "funnel") {
      base.tooltip.trigger = "item";
      base.series = [{
        type: "funnel", sort: "none", left: "10%", width: "80%", top: 8, bottom: 8, minSize: "8%", gap: 2,
        label: { position: "inside", formatter: "{b}: {c}" },
        data: d.labels.map(function (l, i) { return { name: l, value: num(d.values[i]), url: d.urls[i] }; }),
      }];
    } else if (d.kind === "goal") {
      // Completion % per goal: horizontal bars with a 100 % mark.
      base.tooltip.trigger = "axis";
      base.tooltip.valueFormatter = function (v) { return Number(v).toLocaleString() + " %"; };
      base.grid = { left: 8, right: 24, bottom: 8, top: 8, containLabel: true };
      base.yAxis = { type: "category", inverse: true, data: d.labels,
                     axisLabel: { width: 140, overflow: "truncate" } };
      base.xAxis = { type: "value", max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); } };
      base.series = [{ type: "bar", label: { show: true, position: "right", formatter: "{c} %" },
                       markLine: { silent: true, symbol: "none", data: [{ xAxis: 100 }], label: { show: false } },
                       data: d.values.map(function (v, i) { return { value: num(v), url: d.urls[i] }; }) }];
        } else if (d.kind === "line") {
      base.tooltip.trigger = "axis";
      base.legend = { top: 0, type: "scroll" };
      base.grid = { left: 8, right: 16, bottom: 8, top: 40, containLabel: true };
      base.xAxis = { type: "category", data: d.x, boundaryGap: false, axisLabel: { hideOverlap: true } };
      base.yAxis = { type: "value", minInterval: 1 };
      base.series = d.series.map(function (s) {
        return { name: s.name, type: "line", symbolSize: 7,
                 data: s.values.map(function (v, i) { return { value: num(v), url: s.urls[i] }; }) };
      });
    } else {
      base.tooltip.trigger = "axis";
      base.grid = { left: 8, right: 16, bottom: 8, top: d.series.length ? 36 : 16, containLabel: true };
      base.xAxis = { type: "category", data: d.series.length ? d.x : d.labels,
                     axisLabel: { interval: 0, hideOverlap: true, rotate: d.labels.length > 4 ? 30 : 0 } };
      base.yAxis = { type: "value", name: d.unit || "", minInterval: d.unit ? 0 : 1 };
      if (d.series.length) {
        base.legend = { top: 0 };
        base.series = d.series.map(function (s) {
          return { name: s.name, type: "bar",
                   data: s.values.map(function (v, i) { return { value: num(v), url: s.urls[i] }; }) };
        });
      } else {
        base.series = [{ type: "bar",
                         data: d.values.map(function (v, i) { return { value: num(v), url: d.urls[i] }; }) }];
      }
    }
    return base;
  }

  function draw() {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    var data = document.getElementById("dashboard-data");
    if (!data || !window.echarts) return;
    JSON.parse(data.textContent).forEach(function (d) {
      var node = document.getElementById("chart-" + d.key);
      if (!node) return;
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      chart.setOption(option(d));
      chart.on("click", function (p) { go(p.data && p.data.url); });
      node.setAttribute("data-rendered", "1");
      charts.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
