// Upload a video as the raw request body (so the server can stop it at the size limit while it
// streams), then poll the job until it is done or failed.
(function () {
  "use strict";
  var form = document.getElementById("upload");
  var box = document.getElementById("status");
  var stage = document.getElementById("stage");
  var bar = document.getElementById("bar");
  function show(text, value) { box.hidden = false; stage.textContent = text; if (value !== null) { bar.value = value; } }
  function poll(id) {
    fetch("/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status === "done") { window.location = "/analyses/" + job.analysis_uid; return; }
        if (job.status === "failed") { show("Failed: " + job.message, 0); form.querySelector("button").disabled = false; return; }
        show((job.status === "queued" ? "Waiting for the analyses before it" : job.stage) + " (" + Math.round(job.progress * 100) + "%)", job.progress);
        setTimeout(function () { poll(id); }, 1000);
      });
  }
  if (box.dataset.job) { show("Waiting to start", 0); poll(box.dataset.job); }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.video.files[0];
    if (!file) { return; }
    var query = "?exercise=" + encodeURIComponent(form.exercise.value) +
      (form.position.value ? "&position=" + encodeURIComponent(form.position.value) : "") +
      (form.precise_timing.checked ? "&precise_timing=true" : "");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/analyses" + query);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
    xhr.upload.onprogress = function (e) { if (e.lengthComputable) { show("Uploading", e.loaded / e.total); } };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = { detail: xhr.statusText }; }
      if (xhr.status === 202) { poll(body.id); } else { show("Not uploaded: " + body.detail, 0); form.querySelector("button").disabled = false; }
    };
    xhr.onerror = function () { show("The upload was interrupted; try again", 0); form.querySelector("button").disabled = false; };
    form.querySelector("button").disabled = true;
    show("Uploading", 0);
    xhr.send(file);
  });
})();
