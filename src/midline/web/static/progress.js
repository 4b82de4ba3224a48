// Draws the progress charts from the JSON the page embeds; Plotly is served by this app.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("progress-data").textContent);
  var layout = function (y) {
    return { margin: { t: 30, r: 10, b: 50, l: 50 }, height: 280, yaxis: { title: y },
             paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fff",
             legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" } };
  };
  var DAY = 86400000;
  // A date axis over a few days would tick every few hours (the same date twice): pad it to a week
  // and tick once a day.
  var dates = function (values) {
    var times = values.map(function (d) { return Date.parse(d); });
    var lo = Math.min.apply(null, times), hi = Math.max.apply(null, times);
    if (hi - lo >= 10 * DAY) { return { type: "date", tickformat: "%d %b %Y" }; }
    return { type: "date", tickformat: "%d %b", dtick: DAY, range: [lo - 3 * DAY, hi + 3 * DAY] };
  };
  var config = { displaylogo: false, displayModeBar: false, responsive: true };
  if (data.log.weeks.length && document.getElementById("chart-groups")) {
    var traces = Object.keys(data.log.groups).map(function (g) {
      return { type: "bar", name: g, x: data.log.weeks, y: data.log.groups[g] };
    });
    // one category per week (a date axis would label a single week with a time of day)
    var weeks = { type: "category", title: { text: "week of" } };
    Plotly.newPlot("chart-groups", traces, Object.assign(layout("reps"), { barmode: "group", xaxis: weeks }), config);
  }
  Object.keys(data.video).forEach(function (metric) {
    var t = data.video[metric];
    Plotly.newPlot("chart-" + metric.replace(/\./g, "-"), [{
      type: "scatter", mode: "lines+markers", x: t.dates, y: t.values, text: t.exercises, name: t.label
    }], Object.assign(layout(t.label), { showlegend: false, xaxis: dates(t.dates) }), config);
  });
})();
