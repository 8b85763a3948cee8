/* Station scoring: the running total against the pass mark and the criteria still
   unscored follow the radios as they are ticked. The page computes the same from the
   saved marks, so without this script they are right after each save. */
(function () {
  var box = document.querySelector("[data-running-total]");
  var form = document.querySelector("form.score-form");
  if (!box || !form) { return; }
  var passMark = parseFloat(box.getAttribute("data-pass-mark"));
  function update() {
    var total = 0;
    var scored = {};
    form.querySelectorAll("input.points:checked").forEach(function (radio) {
      total += parseInt(radio.value, 10);
      scored[radio.name.replace("criterion_", "")] = true;
    });
    box.querySelector("[data-total]").textContent = total;
    box.querySelector("[data-below]").hidden = total >= passMark;
    box.querySelector("[data-reached]").hidden = total < passMark;
    var left = 0;
    box.querySelectorAll("li[data-criterion]").forEach(function (item) {
      item.hidden = scored[item.getAttribute("data-criterion")] === true;
      if (!item.hidden) { left += 1; }
    });
    box.querySelector("[data-unscored-block]").hidden = left === 0;
    box.querySelector("[data-all-scored]").hidden = left !== 0;
  }
  form.addEventListener("change", update);
}());
