// The trend charts, drawn with the vendored Chart.js from the page's JSON (its labels in the
// page's language). The weekday × hour heat map is a table whose cells are shaded by count.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("trends-data").textContent);
  var L = JSON.parse(document.getElementById("trends-labels").textContent);
  var palette = ["#3b82f6", "#22c55e", "#f59e0b", "#ef4444", "#8b5cf6", "#14b8a6", "#ec4899", "#64748b"];
  if (typeof Chart === "undefined") { return; }
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }

  var t = data.today;
  chart("chart-today", {type: "bar", data: {
    labels: t.days.map(function (d, i) { return i === 0 ? L.today + " " + d : L.weeks_ago.replace("%(n)s", i) + " " + d; }),
    datasets: [
      {label: L.so_far, data: t.so_far, backgroundColor: t.so_far.map(function (v, i) { return i === 0 ? "#ef4444" : "#93c5fd"; })},
      {label: L.whole_day, data: t.whole_day, backgroundColor: "#e5e7eb"}
    ]}, options: {scales: {y: {beginAtZero: true}}}});

  chart("chart-category", {type: "bar", data: {labels: data.by_category.labels,
    datasets: data.by_category.series.map(function (s, i) {
      return {label: s.label, data: s.data, backgroundColor: palette[i % palette.length]};
    })}, options: {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true}}}});

  var r = data.response_times;
  chart("chart-response", {type: "line", data: {labels: r.labels, datasets: ["played_p50", "played_p90", "ack_p50", "ack_p90"].map(function (f, i) {
    return {label: L[f], data: r[f], borderColor: palette[i], backgroundColor: palette[i], spanGaps: true};
  })}, options: {scales: {y: {beginAtZero: true}}}});

  var o = data.outages;
  chart("chart-outages", {data: {labels: o.labels, datasets: [
    {type: "bar", label: L.speaker_minutes, data: o.speaker_minutes, backgroundColor: "#f59e0b", stack: "down"},
    {type: "bar", label: L.source_minutes, data: o.source_minutes, backgroundColor: "#ef4444", stack: "down"},
    {type: "bar", label: L.broker_minutes, data: o.broker_minutes, backgroundColor: "#8b5cf6", stack: "down"},
    {type: "line", label: L.speaker_uptime, data: o.speaker_uptime, borderColor: "#22c55e", backgroundColor: "#22c55e",
     yAxisID: "percent", spanGaps: true}
  ]}, options: {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true},
    percent: {position: "right", min: 0, max: 100, grid: {drawOnChartArea: false}}}}});

  function bars(id, rows) {
    chart(id, {type: "bar", data: {labels: rows.map(function (x) { return x.label; }),
      datasets: [{label: L.messages, data: rows.map(function (x) { return x.messages; }), backgroundColor: "#3b82f6"}]},
      options: {indexAxis: "y", scales: {x: {beginAtZero: true}}}});
  }
  bars("chart-departments", data.busiest_departments);
  bars("chart-people", data.busiest_people);

  var table = document.getElementById("heat-map");
  var grid = data.heat_map;
  var top = Math.max.apply(null, grid.map(function (row) { return Math.max.apply(null, row); })) || 1;
  var head = document.createElement("tr");
  head.appendChild(document.createElement("th"));
  for (var h = 0; h < 24; h++) { var th = document.createElement("th"); th.textContent = h; head.appendChild(th); }
  table.appendChild(head);
  grid.forEach(function (row, day) {
    var tr = document.createElement("tr");
    var name = document.createElement("th");
    name.textContent = L.weekdays[day];
    tr.appendChild(name);
    row.forEach(function (n, hour) {
      var td = document.createElement("td");
      td.style.background = "rgba(59,130,246," + (n / top).toFixed(2) + ")";
      td.title = L.weekdays[day] + " " + hour + ":00 — " + n;
      tr.appendChild(td);
    });
    table.appendChild(tr);
  });
})();
