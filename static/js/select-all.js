// A header checkbox <input data-select-all="name"> ticks every checkbox named "name".
document.querySelectorAll("[data-select-all]").forEach(function (master) {
  master.addEventListener("change", function () {
    document.querySelectorAll('input[type="checkbox"][name="' + master.dataset.selectAll + '"]').forEach(function (box) {
      box.checked = master.checked;
    });
  });
});
