// The dashboard's charts: ECharts (served by the app) drawn from the JSON block that the page
// renders with json_script. Every bar, slice or tile with a URL opens the list behind it.
(function () {
  "use strict";

  function axisChart(spec, kind) {
    var stacked = kind === "stacked_bar";
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: kind === "line" ? "line" : "bar",
          stack: stacked ? "total" : undefined,
          data: s.data.map(function (value, i) { return { value: value, url: s.urls ? s.urls[i] : "" }; }),
          emphasis: { focus: "series" }
        };
      })
    };
  }

  function option(spec) {
    if (spec.type === "pie") {
      return {
        tooltip: { trigger: "item" },
        legend: { type: "scroll", bottom: 0 },
        series: [{ type: "pie", radius: ["35%", "65%"], data: spec.data }]
      };
    }
    if (spec.type === "treemap") {
      return {
        tooltip: { trigger: "item" },
        series: [{ type: "treemap", roam: false, nodeClick: false, breadcrumb: { show: false }, data: spec.data }]
      };
    }
    return axisChart(spec, spec.type);
  }

  function draw() {
    var block = document.getElementById("dashboard-data");
    if (!block || !window.echarts) return;
    var specs = JSON.parse(block.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var spec = specs[box.dataset.chart];
      if (!spec) return;
      var chart = window.echarts.init(box, null, { renderer: "svg" });
      chart.setOption(option(spec));
      chart.on("click", function (params) {
        var url = params.data && params.data.url;
        if (url) window.location.assign(url);
      });
      box.dataset.ready = "1";
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
