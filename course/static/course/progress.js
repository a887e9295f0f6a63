// Bulk job page: polls the job's status and updates the progress bar and the status line
// until the job ends. Without this script the page has a Refresh link.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) {
    return;
  }
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var announced = 0;

  function poll() {
    fetch(box.getAttribute("data-status-url"), {credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.max = job.total || 1;
        bar.value = job.done;
        var text = job.done + " of " + job.total + " members looked at; " + job.issued +
          " certificates done. State: " + job.state + "." + (job.error ? " Error: " + job.error : "");
        // Screen readers hear every quarter and the end, not every tick.
        var quarter = job.total ? Math.floor(4 * job.done / job.total) : 4;
        if (quarter !== announced || job.state === "done" || job.state === "failed") {
          status.textContent = text;
          announced = quarter;
        }
        if (job.state === "queued" || job.state === "running") {
          window.setTimeout(poll, 1000);
        }
      });
  }
  if (box.getAttribute("data-state") === "queued" || box.getAttribute("data-state") === "running") {
    window.setTimeout(poll, 500);
  }
}());
