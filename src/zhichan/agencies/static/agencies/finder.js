// The finder map: county boundaries and outlet points coloured by type.
(function () {
  var box = document.getElementById("agency-map");
  var source = document.getElementById("agency-map-data");
  if (!box || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(box);

  function draw(geo) {
    var hasMap = geo && geo.features && geo.features.length;
    if (hasMap) { echarts.registerMap("city", geo); }
    var byType = {};
    data.points.forEach(function (p) {
      (byType[p.type_label] = byType[p.type_label] || []).push(p);
    });
    var series = Object.keys(byType).map(function (label) {
      return {
        name: label, type: "scatter", coordinateSystem: hasMap ? "geo" : "cartesian2d",
        symbolSize: 10, data: byType[label]
      };
    });
    var option = {
      tooltip: { renderMode: "richText", trigger: "item", formatter: function (p) { return p.data && p.data.name ? p.data.name : p.name; } },
      legend: { type: "scroll", bottom: 0 },
      series: series
    };
    if (hasMap) {
      option.geo = { map: "city", roam: true, label: { show: true, fontSize: 10 },
                     itemStyle: { areaColor: "#eef3f8", borderColor: "#7a8ea3" } };
    } else {
      option.xAxis = { type: "value", scale: true, show: false };
      option.yAxis = { type: "value", scale: true, show: false };
    }
    chart.setOption(option);
  }

  chart.on("click", function (p) { if (p.data && p.data.url) { window.location.href = p.data.url; } });
  window.addEventListener("resize", function () { chart.resize(); });
  // Boundaries come from the API, which browsers cache; without them the points still show.
  fetch(data.geo_url, { credentials: "same-origin" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .catch(function () { return null; })
    .then(draw);
})();
