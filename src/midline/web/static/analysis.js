// Draws the analysis page's charts (tempo and leg gaps per rep) from the JSON the page embeds;
// Plotly is served by this app.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("analysis-data").textContent);
  var reps = data.reps;
  var labels = reps.map(function (r) { return "rep " + r.index; });
  var config = { displaylogo: false, displayModeBar: false, responsive: true };
  var layout = function (extra) {
    return Object.assign({ margin: { t: 30, r: 10, b: 45, l: 55 }, height: 130 + 34 * Math.max(1, reps.length),
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff",
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", traceorder: "normal" } }, extra);
  };
  var column = function (key) { return reps.map(function (r) { return r[key]; }); };
  Plotly.newPlot("chart-tempo", [
    ["concentric_s", "squeeze", "#2ecc40"], ["hold_s", "hold", "#ffb000"], ["eccentric_s", "release", "#0074d9"]
  ].map(function (t) {
    return { type: "bar", orientation: "h", y: labels, x: column(t[0]), name: t[1], marker: { color: t[2] } };
  }), layout({ barmode: "stack", xaxis: { title: { text: "seconds" } }, yaxis: { autorange: "reversed" } }), config);
  Plotly.newPlot("chart-gaps", [
    ["thigh_gap_min", "thigh", "#7f3fbf"], ["knee_gap_min", "knee", "#e8590c"], ["ankle_gap_min", "ankle", "#1c7ed6"]
  ].map(function (t) {
    return { type: "bar", orientation: "h", y: labels, x: column(t[0]), name: t[1], marker: { color: t[2] } };
  }), layout({ barmode: "group", xaxis: { title: { text: "leg lengths" }, zeroline: true }, yaxis: { autorange: "reversed" } }), config);
})();
