// Live coaching: the camera's frames, downscaled to JPEG, go to /live/ws one at a time (the next is
// sent only when the answer to the last arrived, so a slow server makes the page skip frames instead
// of building a queue); each answer brings the landmarks, the rep count, the phase and at most one
// cue. The preview is mirrored with CSS only: the frames sent are the camera's own, so left stays left.
(function () {
  "use strict";
  var SEND_WIDTH = 480;          // px: enough for pose, small enough to encode and send quickly
  var JPEG_QUALITY = 0.7;
  var BONES = [[11, 12], [11, 23], [12, 24], [23, 24], [11, 13], [13, 15], [12, 14], [14, 16],
    [23, 25], [25, 27], [27, 29], [29, 31], [27, 31], [24, 26], [26, 28], [28, 30], [30, 32], [28, 32]];
  var LEFT = { 11: 1, 13: 1, 15: 1, 23: 1, 25: 1, 27: 1, 29: 1, 31: 1 };
  var PHASE_WORDS = { rest: "rest", concentric: "squeeze", hold: "hold", eccentric: "release" };
  var GAP_MAX = 0.3;             // leg lengths: a full bar
  var MIN_VIS = 0.3;

  var form = document.getElementById("live-setup");
  var statusLine = document.getElementById("live-status");
  var stage = document.getElementById("live-stage");
  var view = document.getElementById("live-view");
  var video = document.getElementById("live-video");
  var skeleton = document.getElementById("live-skeleton");
  var hud = document.getElementById("live-hud");
  var countOut = document.getElementById("live-count");
  var phaseOut = document.getElementById("live-phase");
  var fpsOut = document.getElementById("live-fps");
  var latencyOut = document.getElementById("live-latency");
  var cueLine = document.getElementById("live-cue");
  var finishButton = document.getElementById("live-finish");
  var stopButton = document.getElementById("live-stop");
  var saved = document.getElementById("live-saved");
  var reportLink = document.getElementById("live-report");
  var sendCanvas = document.createElement("canvas");

  var socket = null, stream = null, running = false, inFlight = false, finishing = false, lastError = null;
  var t0 = 0, sentAt = 0, answered = [], lastCue = null, lastPhase = null, phaseStart = 0, lastCount = null;
  var tempo = [2, 2, 3];

  function say(text) { statusLine.textContent = text; }

  function speak(text, urgent) {
    if (!window.speechSynthesis || !text) { return; }
    if (urgent) { window.speechSynthesis.cancel(); }
    var u = new SpeechSynthesisUtterance(text);
    u.rate = 1.1;
    window.speechSynthesis.speak(u);
  }

  function chosen() { return form.exercise.options[form.exercise.selectedIndex]; }

  function showSide() {
    var option = chosen();
    document.getElementById("side-field").hidden = option.dataset.laterality !== "unilateral";
    var allowed = option.dataset.positions.split(" ");
    Array.prototype.forEach.call(form.position.options, function (o) {
      o.disabled = o.value !== "" && allowed.indexOf(o.value) < 0;
    });
    if (form.position.selectedOptions[0].disabled) { form.position.value = ""; }
  }

  // --- drawing -----------------------------------------------------------------------------------

  function fitCanvases() {
    var w = video.videoWidth, h = video.videoHeight;
    [skeleton, hud].forEach(function (c) { if (c.width !== w || c.height !== h) { c.width = w; c.height = h; } });
  }

  function drawSkeleton(points) {
    var ctx = skeleton.getContext("2d");
    ctx.clearRect(0, 0, skeleton.width, skeleton.height);
    if (!points) { return; }
    var w = skeleton.width, h = skeleton.height;
    function ok(p) { return p && p[0] !== null && p[1] !== null && (p[2] === null || p[2] >= MIN_VIS); }
    ctx.lineWidth = Math.max(2, w / 160);
    ctx.lineCap = "round";
    BONES.forEach(function (bone) {
      var a = points[bone[0]], b = points[bone[1]];
      if (!ok(a) || !ok(b)) { return; }
      ctx.strokeStyle = LEFT[bone[0]] && LEFT[bone[1]] ? "#e0a526" : (!LEFT[bone[0]] && !LEFT[bone[1]] ? "#4fc3c9" : "#ffffff");
      ctx.beginPath();
      ctx.moveTo(a[0] * w, a[1] * h);
      ctx.lineTo(b[0] * w, b[1] * h);
      ctx.stroke();
    });
    ctx.fillStyle = "#ffffff";
    for (var i = 11; i < points.length; i++) {
      if (ok(points[i])) { ctx.beginPath(); ctx.arc(points[i][0] * w, points[i][1] * h, ctx.lineWidth, 0, 2 * Math.PI); ctx.fill(); }
    }
  }

  function drawGaps(gaps) {
    // Not mirrored (text stays readable): three bars, thigh, knee, ankle; 0 = legs touching.
    var ctx = hud.getContext("2d");
    ctx.clearRect(0, 0, hud.width, hud.height);
    if (!gaps) { return; }
    var unit = hud.height / 24, x = unit, y = unit, barW = hud.width / 4;
    ctx.font = Math.round(unit * 0.9) + "px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    ["thigh", "knee", "ankle"].forEach(function (level, i) {
      var value = gaps[level], top = y + i * unit * 1.6;
      ctx.fillStyle = "rgba(0,0,0,0.55)";
      ctx.fillRect(x, top, barW + unit * 4.5, unit * 1.3);
      ctx.fillStyle = "#ffffff";
      ctx.fillText(level, x + unit * 0.3, top + unit * 0.65);
      if (value === null || value === undefined) { return; }
      var frac = Math.max(0, Math.min(1, value / GAP_MAX));
      ctx.fillStyle = value < 0.04 ? "#6fcf97" : (value < 0.1 ? "#e0a526" : "#eb5757");
      ctx.fillRect(x + unit * 3.2, top + unit * 0.25, Math.max(2, frac * barW), unit * 0.8);
      ctx.fillStyle = "#ffffff";
      ctx.fillText(value.toFixed(2), x + unit * 3.4 + Math.max(2, frac * barW), top + unit * 0.65);
    });
  }

  // --- tempo aloud: "squeeze, 2, hold, release 3, 2, 1" -----------------------------------------
  // The server says what to count now (``count``); when it has no target tempo the page counts
  // from the exercise's tempo in the catalog, the same way.

  function localCount(phase, elapsed) {
    if (!phase || phase === "rest") { return null; }
    var k = Math.floor(Math.max(elapsed, 0)) + 1;
    if (phase === "concentric") { return k === 1 ? "squeeze" : String(k); }
    if (phase === "hold") { return "hold"; }
    var n = Math.max(1, Math.round(tempo[2]));
    if (k === 1) { return "release " + n; }
    return n - k + 1 >= 1 ? String(n - k + 1) : null;
  }

  function countTempo(m) {
    if (m.phase !== lastPhase) { phaseStart = m.t; }
    var word = m.count !== null && m.count !== undefined ? m.count : localCount(m.phase, m.t - phaseStart);
    if (word !== lastCount) {
      lastCount = word;
      if (word && form.tempo.checked) { speak(word); }
    }
  }

  // --- the socket --------------------------------------------------------------------------------

  function sendFrame() {
    if (!running || inFlight || finishing || video.readyState < 2 || !video.videoWidth) { return; }
    var scale = Math.min(1, SEND_WIDTH / video.videoWidth);
    var w = Math.round(video.videoWidth * scale), h = Math.round(video.videoHeight * scale);
    if (sendCanvas.width !== w || sendCanvas.height !== h) { sendCanvas.width = w; sendCanvas.height = h; }
    sendCanvas.getContext("2d").drawImage(video, 0, 0, w, h);
    var t = (performance.now() - t0) / 1000;
    inFlight = true;
    sendCanvas.toBlob(function (blob) {
      if (!blob || !running || socket.readyState !== WebSocket.OPEN) {
        inFlight = false;
        if (running) { requestFrame(); }
        return;
      }
      var header = new DataView(new ArrayBuffer(8));
      header.setFloat64(0, t, true);
      sentAt = performance.now();
      socket.send(new Blob([header.buffer, blob]));
    }, "image/jpeg", JPEG_QUALITY);
  }

  function onUpdate(m) {
    var now = performance.now();
    answered.push(now);
    while (answered.length && answered[0] < now - 2000) { answered.shift(); }
    fpsOut.textContent = (answered.length / 2).toFixed(1);
    latencyOut.textContent = String(Math.round(now - sentAt));
    fitCanvases();
    drawSkeleton(m.landmarks);
    drawGaps(m.gaps);
    countOut.textContent = String(m.rep_count);
    countOut.dataset.count = String(m.rep_count);
    phaseOut.textContent = PHASE_WORDS[m.phase] || m.phase || "-";
    countTempo(m);
    lastPhase = m.phase;
    var code = m.cue ? m.cue.code : null;
    if (code !== lastCue) {
      cueLine.textContent = m.cue ? m.cue.message : "";
      cueLine.className = "live-cue" + (m.cue ? " " + m.cue.severity : "");
      if (m.cue && !form.mute.checked) { speak(m.cue.message, true); }
      lastCue = code;
    }
  }

  function onMessage(event) {
    var m = JSON.parse(event.data);
    if (m.type === "ready") {
      say("Coaching: start your set when you are in view.");
      sendFrame();
    } else if (m.type === "update") {
      inFlight = false;
      lastError = null;
      onUpdate(m);
      requestFrame();
    } else if (m.type === "saved") {
      stopCamera();
      reportLink.href = m.url;
      saved.hidden = false;
      say("Saved: " + m.reps + " reps" + (m.cues.length ? ". " + m.cues.join(" ") : "."));
      if (!form.mute.checked) { speak(m.reps + " reps. " + m.cues.join(" ")); }
    } else if (m.type === "error") {
      inFlight = false;
      lastError = m.message;
      say(m.message);
      if (finishing || !running) { stopCamera(); } else { requestFrame(); }
    }
  }

  function requestFrame() {
    // the next frame the camera shows (or at once when the browser cannot tell)
    if (video.requestVideoFrameCallback) { video.requestVideoFrameCallback(sendFrame); }
    else { window.requestAnimationFrame(sendFrame); }
  }

  function stopCamera() {
    running = false;
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); stream = null; }
    if (socket && socket.readyState <= WebSocket.OPEN && !finishing) { socket.close(); }
    stage.hidden = true;
    form.hidden = false;
    form.querySelector("button").disabled = false;
  }

  function startSocket() {
    var option = chosen();
    tempo = option.dataset.tempo.split("-").map(Number);
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/live/ws";
    lastError = null;
    socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    socket.onopen = function () {
      var settings = stream.getVideoTracks()[0].getSettings();
      socket.send(JSON.stringify({
        exercise: form.exercise.value,
        position: form.position.value || null,
        side: option.dataset.laterality === "unilateral" ? form.side.value : "both",
        fps: settings.frameRate || 30,
        mirrored: false
      }));
      say("Loading the pose model...");
    };
    socket.onmessage = onMessage;
    socket.onclose = function (event) {
      if (running && !finishing) {
        // the server's last word (a wrong choice, a long pause) says more than the close code
        say(lastError ? lastError + " Start again when ready." : "The connection closed (" + (event.reason || event.code) + "); start again.");
        stopCamera();
      } else if (finishing && saved.hidden) { say(lastError || "The set could not be saved; the connection closed."); stopCamera(); }
    };
  }

  form.exercise.addEventListener("change", showSide);
  form.mirror.addEventListener("change", function () { view.classList.toggle("mirrored", form.mirror.checked); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("This browser gives no camera to this page: open it on localhost, or over HTTPS (midline serve --https).");
      return;
    }
    form.querySelector("button").disabled = true;
    saved.hidden = true;
    say("Asking for the camera...");
    navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: "user" }, audio: false })
      .then(function (s) {
        stream = s;
        var facing = s.getVideoTracks()[0].getSettings().facingMode;
        if (facing === "environment") { form.mirror.checked = false; }
        view.classList.toggle("mirrored", form.mirror.checked);
        video.srcObject = s;
        running = true; finishing = false; inFlight = false; lastCue = null; lastPhase = null;
        answered = []; countOut.textContent = "0"; countOut.dataset.count = "0"; cueLine.textContent = "";
        t0 = performance.now();
        form.hidden = true;
        stage.hidden = false;
        startSocket();
      })
      .catch(function (err) {
        form.querySelector("button").disabled = false;
        say("No camera: " + err.message);
      });
  });
  finishButton.addEventListener("click", function () {
    if (!socket || socket.readyState !== WebSocket.OPEN) { return; }
    finishing = true;
    say("Saving the set...");
    socket.send(JSON.stringify({ type: "finish" }));
  });
  stopButton.addEventListener("click", function () { finishing = false; stopCamera(); say("Stopped; nothing saved."); });
  showSide();
})();
