// Draws the progress charts from the JSON the page embeds; Plotly is served by this app.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("progress-data").textContent);
  var layout = function (y) {
    return { margin: { t: 10, r: 10, b: 40, l: 50 }, height: 260, yaxis: { title: y },
             paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff", legend: { orientation: "h" } };
  };
  var config = { displaylogo: false, responsive: true };
  if (data.log.weeks.length && document.getElementById("chart-groups")) {
    var traces = Object.keys(data.log.groups).map(function (g) {
      return { type: "bar", name: g, x: data.log.weeks, y: data.log.groups[g] };
    });
    Plotly.newPlot("chart-groups", traces, Object.assign(layout("reps"), { barmode: "group" }), config);
  }
  Object.keys(data.video).forEach(function (metric) {
    var t = data.video[metric];
    Plotly.newPlot("chart-" + metric.replace(/\./g, "-"), [{
      type: "scatter", mode: "lines+markers", x: t.dates, y: t.values, text: t.exercises, name: t.label
    }], layout(t.label), config);
  });
})();
