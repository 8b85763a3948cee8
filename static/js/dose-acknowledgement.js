// The session form's "I have reviewed the dose warnings" box (courses/handson/session_form.html):
// shown beside the face chart as soon as the chart shows a live dose warning, hidden again
// when none is left. Without this script the server shows it whenever it finds warnings.
// A box the server marked sticky (it asked for the acknowledgement, or the session already
// records warnings the chart cannot compute, such as a model's 3-month total) stays shown.
(function () {
  "use strict";
  var box = document.querySelector("[data-ack-warnings]");
  var chart = document.querySelector("[data-facechart]");
  if (!box || !chart) return;
  var sticky = box.hasAttribute("data-ack-sticky");

  function liveWarning() {
    return Array.prototype.some.call(chart.querySelectorAll(".fc-warning"), function (warning) {
      return !warning.closest("[hidden]") && warning.textContent.trim() !== "";
    });
  }

  function update() {
    var show = sticky || liveWarning();
    if (box.hidden === show) box.hidden = !show;
  }

  new MutationObserver(update).observe(chart, { subtree: true, childList: true, attributes: true, attributeFilter: ["hidden"] });
  update();
})();
