// "My downloads": poll the status of exports still being written and update their rows.
(function () {
  "use strict";
  var PENDING = { queued: true, running: true };

  function update(row, job) {
    row.dataset.status = job.status;
    row.querySelector(".job-status").textContent = job.status_display;
    var bar = row.querySelector(".job-progress");
    bar.value = job.percent;
    bar.textContent = job.percent + "%";
    row.querySelector(".job-rows").textContent = job.row_count !== null ? job.row_count : job.progress_rows;
    if (job.download_url) {
      var link = document.createElement("a");
      link.href = job.download_url;
      link.setAttribute("role", "button");
      link.className = "small";
      link.textContent = document.documentElement.lang.indexOf("zh") === 0 ? "下载" : "Download";
      var cell = row.querySelector(".job-link");
      cell.textContent = "";
      cell.appendChild(link);
    }
  }

  function poll() {
    var rows = document.querySelectorAll("tr[data-job-status]");
    var waiting = 0;
    rows.forEach(function (row) {
      if (!PENDING[row.dataset.status]) return;
      waiting += 1;
      fetch(row.dataset.jobStatus, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (job) { if (job) update(row, job); });
    });
    if (waiting) window.setTimeout(poll, 2000);
  }

  document.addEventListener("DOMContentLoaded", poll);
})();
