// The report's chart: messages and acknowledgements as bars, the p90 wait to acknowledgement
// as a line on its own axis. Labels come from the page (its language); Chart.js is vendored.
(function () {
  "use strict";
  var report = JSON.parse(document.getElementById("report-data").textContent);
  var names = JSON.parse(document.getElementById("chart-labels").textContent);
  var canvas = document.getElementById("report-chart");
  if (!canvas || typeof Chart === "undefined") { return; }
  var rows = report.rows;
  new Chart(canvas, {
    data: {
      labels: rows.map(function (r) { return r.label; }),
      datasets: [
        {type: "bar", label: names.messages, data: rows.map(function (r) { return r.messages; }), backgroundColor: "#3b82f6"},
        {type: "bar", label: names.acknowledged, data: rows.map(function (r) { return r.acknowledged; }), backgroundColor: "#22c55e"},
        {type: "line", label: names.ack_p90, data: rows.map(function (r) { return r.ack_p90; }), borderColor: "#ef4444",
         yAxisID: "seconds", spanGaps: true}
      ]
    },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      scales: {y: {beginAtZero: true}, seconds: {position: "right", beginAtZero: true, grid: {drawOnChartArea: false}}}
    }
  });
})();
