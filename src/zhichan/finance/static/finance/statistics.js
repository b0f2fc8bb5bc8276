// The finance statistics charts; the figures come from the page (json_script).
(function () {
  var source = document.getElementById("finance-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function chart(id, option) {
    var box = document.getElementById(id);
    if (!box) { return; }
    var c = echarts.init(box);
    c.setOption(option);
    charts.push(c);
  }

  function bars(id, rows, name) {
    chart(id, {
      tooltip: { renderMode: "richText", trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map(function (r) { return r[0]; }) },
      series: [{ type: "bar", name: name, data: rows.map(function (r) { return r[1]; }), itemStyle: { color: "#2f6db3" } }]
    });
  }

  bars("chart-county", data.county, data.labels.amount);
  bars("chart-institution", data.institution, data.labels.amount);
  chart("chart-year", {
    tooltip: { renderMode: "richText", trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 8, right: 8, top: 16, bottom: 32, containLabel: true },
    xAxis: { type: "category", data: data.year.map(function (r) { return r[0]; }) },
    yAxis: [{ type: "value" }, { type: "value" }],
    series: [
      { type: "bar", name: data.labels.amount, data: data.year.map(function (r) { return r[2]; }), itemStyle: { color: "#2f6db3" } },
      { type: "line", name: data.labels.count, yAxisIndex: 1, data: data.year.map(function (r) { return r[1]; }), itemStyle: { color: "#e08a2c" } }
    ]
  });
  chart("chart-industry", {
    tooltip: { renderMode: "richText", trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { bottom: 0, type: "scroll" },
    series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
               data: data.industry.map(function (r) { return { name: r[0], value: r[1] }; }) }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
