// The training statistics charts; the figures come from the page (json_script).
(function () {
  var source = document.getElementById("training-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function grouped(id, rows) {
    var box = document.getElementById(id);
    if (!box) { return; }
    var c = echarts.init(box);
    c.setOption({
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { interval: 0, rotate: rows.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.events, type: "bar", data: rows.map(function (r) { return r.events; }) },
        { name: data.labels.seats, type: "bar", data: rows.map(function (r) { return r.seats; }) },
        { name: data.labels.attended, type: "bar", data: rows.map(function (r) { return r.attended; }) }
      ]
    });
    charts.push(c);
  }

  grouped("chart-audience", data.audiences);
  grouped("chart-county", data.counties);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
