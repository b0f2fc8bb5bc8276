// One bar chart per choice or satisfaction question; the figures come from the page (json_script).
(function () {
  var source = document.getElementById("survey-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  data.questions.forEach(function (q) {
    var box = document.getElementById("chart-q" + q.id);
    if (!box) { return; }
    var c = echarts.init(box);
    c.setOption({
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", inverse: true, data: q.names, axisLabel: { width: 160, overflow: "truncate" } },
      series: [{ name: data.labels.count, type: "bar", data: q.counts }]
    });
    charts.push(c);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
