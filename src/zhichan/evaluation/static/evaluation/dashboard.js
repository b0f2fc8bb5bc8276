// Evaluation dashboards: the county map coloured by the chosen indicator, the rankings, and
// the monthly trend lines. Data comes from the page (json_script) and, when the indicator or
// period changes, from the overview's data address.
(function () {
  var source = document.getElementById("eval-dashboard-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];

  function trend(box, t) {
    if (!box || !t) { return; }
    var chart = echarts.init(box);
    charts.push(chart);
    chart.setOption({
      tooltip: { renderMode: "richText", trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 48, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: t.months },
      yAxis: { type: "value" },
      series: t.series.map(function (s) {
        return { name: s.label, type: "line", connectNulls: false, data: s.values };
      })
    });
  }

  // --- the county map and the rankings (city overview) ---
  var mapBox = document.getElementById("eval-map");
  var mapChart = null;
  var geoReady = null; // true: boundaries registered; false: none (a bar chart stands in)

  function colours(direction) {
    var scale = ["#f7fbff", "#9ecae1", "#2171b5"];
    return direction === "lower" ? scale.slice().reverse() : scale;
  }

  function drawMap(sw) {
    if (!mapChart || !sw) { return; }
    var values = sw.map.map(function (d) { return d.value; }).filter(function (v) { return v !== null; });
    var min = values.length ? Math.min.apply(null, values) : 0;
    var max = values.length ? Math.max.apply(null, values) : 1;
    if (min === max) { max = min + 1; }
    var label = sw.metric.label + (sw.metric.unit_label ? " (" + sw.metric.unit_label + ")" : "");
    if (geoReady) {
      mapChart.setOption({
        tooltip: { renderMode: "richText", trigger: "item", formatter: function (p) {
          var v = p.data && p.data.value !== null && p.data.value !== undefined ? p.data.value : "–";
          return (p.data && p.data.label ? p.data.label : p.name) + "<br>" + label + ": " + v;
        } },
        visualMap: { min: min, max: max, calculable: true, left: 8, bottom: 8,
                     inRange: { color: colours(sw.metric.direction) } },
        series: [{ type: "map", map: "eval-city", name: label, roam: true,
                   label: { show: true, fontSize: 10 }, data: sw.map }]
      }, true);
    } else {
      mapChart.setOption({
        tooltip: { renderMode: "richText", trigger: "axis" },
        grid: { left: 48, right: 16, top: 16, bottom: 64 },
        xAxis: { type: "category", data: sw.map.map(function (d) { return d.label; }), axisLabel: { rotate: 30 } },
        yAxis: { type: "value" },
        series: [{ type: "bar", name: label, data: sw.map.map(function (d) { return { value: d.value, url: d.url }; }) }]
      }, true);
    }
  }

  function fillRanking(id, rows) {
    var body = document.getElementById(id);
    if (!body) { return; }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-testid", "eval-rank-row");
      tr.setAttribute("data-scope", row.scope);
      var rank = document.createElement("td");
      rank.className = "text-end";
      rank.textContent = row.rank === null ? "–" : row.rank;
      var name = document.createElement("td");
      var link = document.createElement("a");
      link.href = row.url;
      link.textContent = row.name;
      name.appendChild(link);
      var value = document.createElement("td");
      value.className = "text-end";
      if (row.drilldown_url) {
        var drill = document.createElement("a");
        drill.href = row.drilldown_url;
        drill.textContent = row.display;
        value.appendChild(drill);
      } else {
        value.textContent = row.display;
      }
      tr.appendChild(rank); tr.appendChild(name); tr.appendChild(value);
      body.appendChild(tr);
    });
  }

  function apply(sw) {
    drawMap(sw);
    fillRanking("eval-rank-counties-body", sw.counties);
    fillRanking("eval-rank-parks-body", sw.parks || []);
    fillRanking("eval-rank-agencies-body", sw.agencies);
    var label = document.getElementById("eval-metric-label");
    if (label) { label.textContent = sw.metric.label; }
    mapBox.setAttribute("data-metric", sw.metric.code);
  }

  if (mapBox && data.switchable) {
    mapChart = echarts.init(mapBox);
    charts.push(mapChart);
    mapChart.on("click", function (p) {
      var url = p.data && p.data.url;
      if (url) { window.location.href = url; }
    });
    fetch(data.geo_url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; })
      .then(function (geo) {
        geoReady = !!(geo && geo.features && geo.features.length);
        if (geoReady) { echarts.registerMap("eval-city", geo); }
        apply(data.switchable);
      });
    var select = document.getElementById("eval-metric");
    var period = document.getElementById("eval-period");
    if (select) {
      select.addEventListener("change", function () {
        var query = "?metric=" + encodeURIComponent(select.value) +
          "&period=" + encodeURIComponent(period ? period.value : "");
        fetch(data.data_url + query, { credentials: "same-origin" })
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
          .then(function (sw) {
            apply(sw);
            var url = new URL(window.location.href);
            url.searchParams.set("metric", sw.metric.code);
            window.history.replaceState(null, "", url.toString());
          })
          .catch(function () { select.form.submit(); });
      });
    }
  }

  trend(document.getElementById("eval-trend"), data.trend);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
