// Progressive enhancement only: every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // After a failed form post, move focus to the error summary so screen readers read it.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
