// The landscape charts of an industry page; the figures come from the page (json_script).
(function () {
  var source = document.getElementById("landscape-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var colours = { invention: "#2f6db3", utility: "#e08a2c", design: "#4a9a5b",
                  pending: "#e0b02c", valid: "#4a9a5b", invalid: "#c0504d", unknown: "#9b9b9b" };

  function chart(id, option) {
    var box = document.getElementById(id);
    if (!box) { return null; }
    var c = echarts.init(box);
    c.setOption(option);
    charts.push(c);
    return c;
  }

  function pie(id, rows) {
    chart(id, {
      tooltip: { renderMode: "richText", trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
                 label: { position: "inside", formatter: "{d}%", color: "#fff", fontSize: 11 },
                 data: rows.map(function (r) { return { name: r.name, value: r.value, itemStyle: { color: colours[r.key] } }; }) }]
    });
  }

  function bars(id, rows, colour) {
    var shown = rows.slice().reverse();
    return chart(id, {
      tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 40, top: 10, bottom: 24, containLabel: true },
      xAxis: { type: "value", name: data.labels.patents, nameLocation: "middle", nameGap: 22, minInterval: 1 },
      yAxis: { type: "category", data: shown.map(function (r) { return r.name; }) },
      series: [{ type: "bar", itemStyle: { color: colour }, label: { show: true, position: "right" },
                 data: shown.map(function (r) { return r.value; }) }]
    });
  }

  chart("chart-trend", {
    tooltip: { renderMode: "richText", trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 28, containLabel: true },
    xAxis: { type: "category", data: data.years, name: data.labels.year, nameLocation: "middle", nameGap: 26 },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "total", itemStyle: { color: colours[s.key] }, data: s.data };
    })
  });
  pie("chart-types", data.types);
  pie("chart-status", data.status);
  bars("chart-ipc", data.ipc, "#2f6db3");

  // Counties: on the city's map when its boundaries are loaded, else as bars.
  var counties = data.counties;
  var max = counties.reduce(function (m, r) { return Math.max(m, r.value); }, 0);
  fetch(data.map_url, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .catch(function () { return null; })
    .then(function (geo) {
      if (geo && geo.features && geo.features.length) {
        echarts.registerMap("industry-city", geo);
        chart("chart-counties", {
          tooltip: { renderMode: "richText", trigger: "item", formatter: function (p) { return p.name + ": " + (p.value || 0); } },
          visualMap: { min: 0, max: Math.max(1, max), left: 8, bottom: 8, calculable: true,
                       inRange: { color: ["#eef3f8", "#2f6db3"] } },
          series: [{ type: "map", map: "industry-city", roam: false, label: { show: true, fontSize: 10 },
                     data: counties.map(function (r) { return { name: r.name, value: r.value }; }) }]
        });
      } else {
        bars("chart-counties", counties, "#4a9a5b");
      }
    });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
