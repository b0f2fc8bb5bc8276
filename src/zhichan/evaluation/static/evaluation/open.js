// Open figures: monthly service volumes (this year against last year) and the county map.
(function () {
  var source = document.getElementById("open-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  var monthlyBox = document.getElementById("open-monthly");
  if (monthlyBox) {
    var monthly = echarts.init(monthlyBox);
    charts.push(monthly);
    monthly.setOption({
      tooltip: { renderMode: "richText", trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: data.monthly.months.map(function (m) { return String(m); }) },
      yAxis: { type: "value" },
      series: data.monthly.series.map(function (s) {
        // Last year dashed, this year solid.
        return { name: s.label + " " + s.year, type: "line", data: s.values,
                 lineStyle: { type: s.year === data.year ? "solid" : "dashed" } };
      })
    });
  }

  var mapBox = document.getElementById("open-map");
  var counties = data.counties;
  if (!mapBox || !counties || !counties.rows.length) { return; }
  var chart = echarts.init(mapBox);
  charts.push(chart);
  var select = document.getElementById("open-metric");
  var geoReady = false;

  function draw() {
    var index = select ? parseInt(select.value, 10) || 0 : 0;
    var metric = counties.metrics[index];
    if (!metric) { return; }
    var rows = counties.rows.map(function (r) {
      return { name: r.map_name, label: r.name, value: r.values[index].value };
    });
    var values = rows.map(function (r) { return r.value; }).filter(function (v) { return v !== null; });
    var min = values.length ? Math.min.apply(null, values) : 0;
    var max = values.length ? Math.max.apply(null, values) : 1;
    if (min === max) { max = min + 1; }
    if (geoReady) {
      chart.setOption({
        tooltip: { renderMode: "richText", trigger: "item", formatter: function (p) {
          return (p.data ? p.data.label : p.name) + "<br>" + metric.label + ": " +
            (p.data && p.data.value !== null ? p.data.value : "–");
        } },
        visualMap: { min: min, max: max, calculable: true, left: 8, bottom: 8,
                     inRange: { color: ["#f7fbff", "#9ecae1", "#2171b5"] } },
        series: [{ type: "map", map: "open-city", name: metric.label, label: { show: true, fontSize: 10 }, data: rows }]
      }, true);
    } else {
      chart.setOption({
        tooltip: { renderMode: "richText", trigger: "axis" },
        grid: { left: 48, right: 16, top: 16, bottom: 64 },
        xAxis: { type: "category", data: rows.map(function (r) { return r.label; }), axisLabel: { rotate: 30 } },
        yAxis: { type: "value" },
        series: [{ type: "bar", name: metric.label, data: rows.map(function (r) { return r.value; }) }]
      }, true);
    }
    mapBox.setAttribute("data-metric", metric.code);
  }

  fetch(data.geo_url, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .catch(function () { return null; })
    .then(function (geo) {
      geoReady = !!(geo && geo.features && geo.features.length);
      if (geoReady) { echarts.registerMap("open-city", geo); }
      draw();
    });
  if (select) { select.addEventListener("change", draw); }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
