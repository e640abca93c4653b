// Low-literacy mode at the kiosk: "listen" buttons play a recorded prompt (only when
// pressed; pressing again stops it, WCAG 1.4.2), and each spoken-answer control records
// with MediaRecorder (Opus in WebM), shows the time, stops itself at the question's
// limit, and sends the recording at once with its length and SHA-256. Listen back,
// record again and delete are plain buttons, usable by keyboard and switch access.
// Nothing is kept in the browser: the server has the recording (another kiosk finds it).
(function () {
  "use strict";

  var playing = null; // one sound at a time: {audio, button}

  function stopPlaying() {
    if (!playing) return;
    playing.audio.pause();
    setPressed(playing.button, false);
    playing = null;
  }

  function setPressed(button, on) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    var label = button.querySelector("[data-listen-label]");
    if (!label) return;
    if (!label.hasAttribute("data-play")) label.setAttribute("data-play", label.textContent);
    label.textContent = on ? label.getAttribute("data-stop") : label.getAttribute("data-play");
  }

  function play(button, url) {
    var again = playing && playing.button === button;
    stopPlaying();
    if (again) return;
    var audio = new Audio(url);
    playing = { audio: audio, button: button };
    setPressed(button, true);
    audio.addEventListener("ended", function () {
      if (playing && playing.audio === audio) stopPlaying();
    });
    audio.play().catch(function () { stopPlaying(); });
  }

  function clock(seconds) {
    seconds = Math.floor(seconds);
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function csrf(box) {
    var form = box.closest("form");
    var field = form && form.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  function show(box, recorded, recording) {
    box.querySelector("[data-voice-record]").hidden = recorded || recording;
    box.querySelector("[data-voice-stop]").hidden = !recording;
    box.querySelector("[data-voice-play]").hidden = !recorded || recording;
    box.querySelector("[data-voice-again]").hidden = !recorded || recording;
    box.querySelector("[data-voice-delete]").hidden = !recorded || recording;
    box.setAttribute("data-recorded", recorded ? "1" : "0");
  }

  function say(box, key, text) {
    var status = box.querySelector("[data-voice-status]");
    status.textContent = text || status.getAttribute(key) || "";
  }

  function setUp(box) {
    box.hidden = false; // recording needs this script: without it the box stays hidden
    var elapsed = box.querySelector("[data-voice-elapsed]");
    var recorder = null;
    var started = 0;
    var ticking = null;
    var stopAt = null;

    function upload(blob, seconds) {
      return blob.arrayBuffer().then(function (bytes) {
        return window.crypto.subtle.digest("SHA-256", bytes);
      }).then(function (digest) {
        var body = new FormData();
        body.append("csrf_token", csrf(box));
        body.append("seconds", seconds.toFixed(3));
        body.append("sha256", hex(digest));
        body.append("file", blob, "answer.webm");
        return fetch(box.getAttribute("data-upload"), {
          method: "POST", body: body, credentials: "same-origin", cache: "no-store",
          headers: { "Accept": "application/json" }
        });
      }).then(function (response) {
        if (response.status === 401) { window.location.assign("/kiosk/time-up"); return null; }
        return response.json().then(function (result) { return { ok: response.ok, result: result }; });
      });
    }

    function stop() {
      if (!recorder || recorder.state === "inactive") return;
      recorder.stop();
    }

    function record() {
      stopPlaying();
      if (!navigator.mediaDevices || !window.MediaRecorder) { say(box, "data-no-microphone"); return; }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        recorder = new MediaRecorder(stream, { mimeType: "audio/webm;codecs=opus", audioBitsPerSecond: 32000 });
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) chunks.push(event.data);
        });
        recorder.addEventListener("stop", function () {
          var seconds = (performance.now() - started) / 1000;
          window.clearInterval(ticking);
          window.clearTimeout(stopAt);
          stream.getTracks().forEach(function (track) { track.stop(); });
          show(box, box.getAttribute("data-recorded") === "1", false);
          var blob = new Blob(chunks, { type: "audio/webm" });
          upload(blob, seconds).then(function (answer) {
            if (!answer) return;
            if (answer.ok) {
              elapsed.textContent = clock(answer.result.duration_ms / 1000);
              show(box, true, false);
              say(box, "data-saved");
              box.querySelector("[data-voice-play]").focus();
            } else {
              say(box, "data-failed", answer.result.error);
              box.querySelector(box.getAttribute("data-recorded") === "1" ? "[data-voice-again]" : "[data-voice-record]").focus();
            }
          }).catch(function () { say(box, "data-failed"); });
        });
        started = performance.now();
        recorder.start(1000);
        show(box, false, true);
        say(box, "data-recording");
        box.querySelector("[data-voice-stop]").focus();
        elapsed.textContent = "0:00";
        ticking = window.setInterval(function () {
          elapsed.textContent = clock((performance.now() - started) / 1000);
        }, 250);
        var limit = parseInt(box.getAttribute("data-max-seconds"), 10) || 120;
        stopAt = window.setTimeout(stop, limit * 1000); // the question's limit
      }).catch(function () { say(box, "data-no-microphone"); });
    }

    box.querySelector("[data-voice-record]").addEventListener("click", record);
    box.querySelector("[data-voice-again]").addEventListener("click", record);
    box.querySelector("[data-voice-stop]").addEventListener("click", stop);
    box.querySelector("[data-voice-play]").addEventListener("click", function (event) {
      play(event.currentTarget, box.getAttribute("data-audio") + "?t=" + Date.now());
    });
    box.querySelector("[data-voice-delete]").addEventListener("click", function (event) {
      event.preventDefault();
      stopPlaying();
      var body = new FormData();
      body.append("csrf_token", csrf(box));
      fetch(box.getAttribute("data-delete"), {
        method: "POST", body: body, credentials: "same-origin", cache: "no-store",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) return;
        show(box, false, false);
        elapsed.textContent = "0:00";
        say(box, "data-deleted");
        box.querySelector("[data-voice-record]").focus();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-listen]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { play(button, button.getAttribute("data-listen")); });
    });
    document.querySelectorAll("[data-voice]").forEach(setUp);
  });
})();
