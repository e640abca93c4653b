// The kiosk's own script: autosave as the applicant types, and the countdown (app.js,
// shared with every page, moves focus to an error summary).
// Everything works without it (each section is a plain form post). Nothing is kept in
// browser storage: answers go straight to the server.
(function () {
  "use strict";

  function startCountdown() {
    var box = document.querySelector("[data-deadline]");
    if (!box) return;
    var deadline = Date.parse(box.getAttribute("data-deadline"));
    var value = box.querySelector("[data-countdown]");
    function tick() {
      var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      var hours = Math.floor(left / 3600);
      var minutes = Math.floor((left % 3600) / 60);
      var seconds = left % 60;
      value.textContent = hours + ":" + String(minutes).padStart(2, "0") + ":" + String(seconds).padStart(2, "0");
      if (left === 0) {
        // The server hands the form in as saved and shows what happens next.
        window.location.assign(box.getAttribute("data-expired-url"));
        return;
      }
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  function startAutosave() {
    var form = document.querySelector("form[data-autosave]");
    if (!form) return;
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var sending = false;
    var again = false;
    function send() {
      if (sending) { again = true; return; }
      sending = true;
      var body = new FormData(form);
      fetch(form.getAttribute("data-autosave"), {
        method: "POST", body: body, credentials: "same-origin", cache: "no-store",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (response.status === 409 || response.status === 401) {
          // Closed, or the sign-in ended: the server says why (time-up hands it in).
          window.location.assign("/kiosk/time-up");
          return null;
        }
        return response.ok ? response.json() : null;
      }).then(function (result) {
        if (result && result.saved && status) status.textContent = status.getAttribute("data-saved") || "✔";
      }).catch(function () {
        if (status) status.textContent = "";
      }).finally(function () {
        sending = false;
        if (again) { again = false; send(); }
      });
    }
    function later() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(send, 1500);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  document.addEventListener("DOMContentLoaded", function () {
    startCountdown();
    startAutosave();
  });
})();
