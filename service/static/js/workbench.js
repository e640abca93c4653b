// The workbench's heartbeat: handling time counts only while the officer is at work.
// Every minute, if the page is visible and the officer did something in the last two
// minutes, tell the server; on leaving the page, say so. Without this file the server
// still records opening the file (progressive enhancement).
"use strict";
(function () {
  var root = document.getElementById("workbench");
  if (!root || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-activity-url");
  var lastInput = Date.now();
  var BEAT_MS = 60 * 1000;
  var ACTIVE_MS = 2 * 60 * 1000;

  function body(event) {
    var data = new FormData();
    data.append(root.getAttribute("data-csrf-field"), root.getAttribute("data-csrf"));
    data.append("event", event);
    return data;
  }

  ["keydown", "pointerdown", "pointermove", "scroll", "focusin"].forEach(function (name) {
    document.addEventListener(name, function () { lastInput = Date.now(); }, { passive: true });
  });

  window.setInterval(function () {
    if (document.visibilityState === "visible" && Date.now() - lastInput < ACTIVE_MS) {
      fetch(url, { method: "POST", body: body("working"), credentials: "same-origin" });
    }
  }, BEAT_MS);

  window.addEventListener("pagehide", function () {
    if (navigator.sendBeacon) {
      navigator.sendBeacon(url, body("close"));
    }
  });
})();
