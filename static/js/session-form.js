// Shows the concentration for the vial size and saline volume typed (units per 0.1 mL).
(function () {
  "use strict";
  const vial = document.getElementById("id_vial_units");
  const saline = document.getElementById("id_diluent_ml");
  const out = document.querySelector("[data-concentration]");
  if (!vial || !saline || !out) return;
  function update() {
    const units = parseFloat(vial.value);
    const ml = parseFloat(saline.value);
    if (units > 0 && ml > 0) {
      const per = Math.round((units / ml / 10) * 100) / 100;
      out.textContent = units + " U in " + ml + " mL gives " + per + " U per 0.1 mL.";
    }
  }
  vial.addEventListener("input", update);
  saline.addEventListener("input", update);
  update();
})();
