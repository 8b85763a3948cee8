// The session form's dose warnings and their "I have reviewed the dose warnings" box
// (courses/handson/session_form.html). Without this script the server shows the box, under
// the chart's table, whenever it finds warnings. With it, the box moves under the face (on
// a phone, right under what was tapped; on wider screens the face stays in view beside the
// table), lists the warnings the chart shows, and appears as soon as a warning does, before
// any save, and hides when none is left. A box the server marked sticky (it asked for the
// acknowledgement, or the session records warnings the chart cannot compute, such as a
// model's 3-month total) stays shown.
(function () {
  "use strict";
  var box = document.querySelector("[data-ack-warnings]");
  var chart = document.querySelector("[data-facechart]");
  if (!box || !chart) return;
  var list = box.querySelector("[data-ack-list]");
  var sticky = box.hasAttribute("data-ack-sticky");
  var figure = chart.querySelector(".fc-figure");
  if (figure) figure.appendChild(box);
  var shown = null;

  function liveWarnings() {
    var texts = [];
    chart.querySelectorAll(".fc-warning").forEach(function (warning) {
      var text = warning.textContent.trim();
      if (text && !warning.closest("[hidden]") && texts.indexOf(text) < 0) texts.push(text);
    });
    return texts;
  }

  function update() {
    var texts = liveWarnings();
    var key = texts.join("\n");
    // Only when something changed: this observer also sees its own changes to the list.
    if (key === shown) return;
    shown = key;
    if (list && (texts.length || !sticky)) {
      list.textContent = "";
      texts.forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        list.appendChild(item);
      });
    }
    var show = sticky || texts.length > 0;
    if (box.hidden === show) box.hidden = !show;
  }

  new MutationObserver(update).observe(chart, { subtree: true, childList: true, attributes: true, attributeFilter: ["hidden"] });
  update();
})();
