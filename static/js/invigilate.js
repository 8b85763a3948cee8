/* The invigilator's page: refresh the live table every 10 s without reloading the page
   (not while the invigilator is typing in it or has a field there filled in), and ask
   before the whole room is paused. Without JavaScript the page has a Refresh link. */
(function () {
  "use strict";
  var live = document.getElementById("live");
  var status = document.getElementById("refresh-status");
  if (!live || !window.fetch) { return; }
  var url = live.getAttribute("data-fragment-url");

  function busy() {
    if (live.contains(document.activeElement) && document.activeElement !== live) { return true; }
    var fields = live.querySelectorAll("input[type=text], input[type=checkbox]");
    for (var i = 0; i < fields.length; i++) {
      if ((fields[i].type === "checkbox" && fields[i].checked) || (fields[i].type === "text" && fields[i].value)) {
        return true;
      }
    }
    return false;
  }

  function refresh() {
    if (busy()) { return; }
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        if (busy()) { return; }
        live.innerHTML = html;
        if (status) { status.textContent = ""; }
      })
      .catch(function () {
        if (status) { status.textContent = "Could not refresh; retrying. Use the Refresh link if this persists."; }
      });
  }
  window.setInterval(refresh, 10000);

  document.querySelectorAll("form").forEach(function (form) {
    var action = form.querySelector("input[name=action]");
    if (action && action.value === "pause_room") {
      form.addEventListener("submit", function (event) {
        if (!window.confirm("Pause every candidate in this room? Their clocks stop until you resume.")) {
          event.preventDefault();
        }
      });
    }
  });
})();
