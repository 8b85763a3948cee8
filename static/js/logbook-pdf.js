// The logbook's "Download as PDF" (courses/handson/logbook.html, logbook_pdf_status.html).
// Without this script the form posts, the server queues a render and shows a progress page
// with a Refresh link. With it: the request is sent in the background, the progress is
// shown beside the button, the status is checked every 2 s, and the PDF downloads once the
// worker has rendered it.
(function () {
  "use strict";
  var POLL_MS = 2000;
  var GIVE_UP_MS = 3 * 60 * 1000;

  function init(form) {
    var out = form.querySelector("[data-pdf-progress]");
    var button = form.querySelector("button[type=submit]");
    var refresh = form.querySelector("[data-pdf-refresh]");
    var statusUrl = form.getAttribute("data-status-url");
    var started = 0;
    var timer = null;

    function say(text) { if (out) out.textContent = text; }
    function busy(on) { if (button) { button.disabled = on; button.setAttribute("aria-busy", on ? "true" : "false"); } }

    function handle(status) {
      if (status.message) say(status.message);
      if (status.state === "ready") {
        busy(false);
        window.location.assign(status.download_url);
      } else if (status.state === "pending") {
        busy(true);
        if (Date.now() - started > GIVE_UP_MS) {
          busy(false);
          if (refresh) refresh.hidden = false;
          return;
        }
        timer = window.setTimeout(poll, POLL_MS);
      } else {
        busy(false);
      }
    }

    function poll() {
      fetch(statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(handle)
        .catch(function () { busy(false); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (timer) window.clearTimeout(timer);
      started = Date.now();
      busy(true);
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) { return response.json(); })
        .then(handle)
        .catch(function () { busy(false); form.submit(); });
    });

    // The progress page: a render is already on its way.
    if (form.getAttribute("data-state") === "pending") {
      if (refresh) refresh.hidden = true;
      started = Date.now();
      timer = window.setTimeout(poll, POLL_MS);
    }
  }

  document.querySelectorAll("form[data-logbook-pdf]").forEach(init);
})();
