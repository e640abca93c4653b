// The interpreter's recorder (progressive enhancement: without it, each prompt has a file
// field). Records with MediaRecorder (audio/webm;codecs=opus, what Chromium records),
// shows a timer, stops at the prompt's limit, sends the recording with the duration the
// timer measured and its SHA-256, and offers it to listen back; Record again replaces it.
"use strict";
(function () {
  var MIME = "audio/webm;codecs=opus";

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function enhance(form) {
    var data = form.dataset;
    var limit = parseInt(data.maxSeconds, 10) || 60;
    var status = document.createElement("p");
    status.className = "nl-paragraph";
    status.setAttribute("role", "status");
    // The running timer is shown, not announced every second.
    var timer = document.createElement("p");
    timer.className = "nl-paragraph";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "utrecht-button utrecht-button--primary-action";
    button.textContent = data.record;
    var player = document.createElement("audio");
    player.controls = true;
    player.hidden = true;
    player.setAttribute("aria-label", data.listen);
    var manual = form.querySelector(".utrecht-form-field");
    var send = form.querySelector("button[type=submit]");
    manual.hidden = true;
    send.hidden = true;
    form.querySelector("input[type=file]").required = false;
    form.appendChild(button);
    form.appendChild(timer);
    form.appendChild(status);
    form.appendChild(player);

    var recorder = null;
    var started = 0;
    var ticking = null;
    var stopping = null;

    function showFallback(message) {
      status.textContent = message;
      manual.hidden = false;
      send.hidden = false;
      button.hidden = true;
    }

    function upload(blob, seconds) {
      status.textContent = data.saving;
      return blob.arrayBuffer().then(function (bytes) {
        return crypto.subtle.digest("SHA-256", bytes);
      }).then(function (digest) {
        var body = new FormData();
        body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
        body.append("audio", blob, "prompt.webm");
        body.append("seconds", seconds.toFixed(2));
        body.append("sha256", hex(digest));
        return fetch(form.action, {
          method: "POST", body: body, headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
      }).then(function (response) {
        return response.json().then(function (answer) {
          status.textContent = response.ok ? data.saved : data.failed + " " + (answer.detail || "");
        });
      }).catch(function () {
        status.textContent = data.failed;
      });
    }

    function stop() {
      if (recorder && recorder.state === "recording") {
        recorder.stop();
      }
    }

    function start() {
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        recorder = new MediaRecorder(stream, { mimeType: MIME });
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data.size) { chunks.push(event.data); }
        });
        recorder.addEventListener("stop", function () {
          var seconds = (Date.now() - started) / 1000;
          clearInterval(ticking);
          clearTimeout(stopping);
          stream.getTracks().forEach(function (track) { track.stop(); });
          var blob = new Blob(chunks, { type: MIME });
          player.src = URL.createObjectURL(blob);
          player.hidden = false;
          button.textContent = data.again;
          upload(blob, seconds);
        });
        recorder.start();
        started = Date.now();
        button.textContent = data.stop;
        status.textContent = "";
        timer.textContent = fill(data.recording, { seconds: 0, limit: limit });
        ticking = setInterval(function () {
          var seconds = Math.floor((Date.now() - started) / 1000);
          timer.textContent = fill(data.recording, { seconds: seconds, limit: limit });
        }, 1000);
        stopping = setTimeout(stop, limit * 1000);
      }).catch(function () {
        showFallback(data.noMicrophone);
      });
    }

    button.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") {
        stop();
      } else {
        start();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.MediaRecorder || !MediaRecorder.isTypeSupported(MIME) || !window.crypto.subtle) {
      return; // the file fields stay
    }
    Array.prototype.forEach.call(document.querySelectorAll("form.app-recorder"), enhance);
  });
})();
