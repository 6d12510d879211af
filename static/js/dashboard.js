// The dashboard's charts: ECharts (served by the app) drawn from the JSON block that the page
// renders with json_script. Every bar, slice or tile with a URL opens the list behind it.
(function () {
  "use strict";

  // Names of thirteen communities do not fit side by side on a phone: there, bars of many
  // areas lie on their side (one name a line, the box as tall as they need); elsewhere long
  // names are tilted and cut to a width, and the tooltip still gives them whole.
  function axisChart(spec, kind, box) {
    var stacked = kind === "stacked_bar";
    var count = spec.categories.length;
    var narrow = box.clientWidth < 600;
    var label = { interval: 0, width: narrow ? 76 : 96, overflow: "truncate" };
    var categoryAxis = { type: "category", data: spec.categories, axisLabel: label };
    var valueAxis = { type: "value", minInterval: 1 };
    var sideways = kind !== "line" && narrow && count > 4;
    if (sideways) {
      categoryAxis.inverse = true;
      box.style.height = Math.max(320, count * 28 + 96) + "px";
    } else {
      label.rotate = count > 4 || (narrow && count > 3) ? (narrow ? 45 : 30) : 0;
    }
    return {
      tooltip: { trigger: "axis", confine: true },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 56, containLabel: true },
      xAxis: sideways ? valueAxis : categoryAxis,
      yAxis: sideways ? categoryAxis : valueAxis,
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

  function option(spec, box) {
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
    return axisChart(spec, spec.type, box);
  }

  function draw() {
    var block = document.getElementById("dashboard-data");
    if (!block || !window.echarts) return;
    var specs = JSON.parse(block.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var spec = specs[box.dataset.chart];
      if (!spec) return;
      var built = option(spec, box);  // may set the box's height: before init
      var chart = window.echarts.init(box, null, { renderer: "svg" });
      chart.setOption(built);
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
