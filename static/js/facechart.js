/* Face chart: progressive enhancement of courses/templates/courses/handson/face_chart.html. No libraries.
 *
 * Without this script the table's number inputs are the form: everything works, only the
 * totals are the server's. With it:
 *
 * Product: the doses are checked against the label of the product chosen in the form's
 *   "product" select (the references of every product are in the chart's data-products
 *   JSON, from courses.handson.face_sites.chart_context); changing it re-checks them.
 * Tap (click, or Enter/Space on a focused site):
 *   - An EMPTY site gets the product's label dose per site (4 U of Botox, 10 U of Dysport,
 *     8 U of Daxxify), or 2 U where the label gives the area none, so tapping the five
 *     glabellar dots records the product's label dose.
 *   - With a mouse or the keyboard, that site's input in the table is then focused with
 *     its value selected: typing replaces it; the table row is scrolled into view only as
 *     far as needed.
 *   - With a finger or a pen, nothing is focused and nothing scrolls (focusing the input
 *     would open the on-screen keyboard and scroll the chart away after every tap): the
 *     site's units are announced in a status line under the chart (an aria-live region).
 *   - A site that already has units is never changed by a tap, only focused (or
 *     announced). A tap is therefore always safe to repeat; the value is changed by
 *     typing or the -/+ buttons.
 *   - Dots close together: a tap goes to the nearest dot within its 48-unit target.
 * Arrow keys on a focused site move to the nearest site in that direction (Home and End:
 *   the first and last site), so the chart is walked without tabbing through every dot.
 * Steppers: each row gets "−" and "+" buttons (1 U; 44 px) for adjusting without the
 *   on-screen keyboard. "−" from 1 U or less empties the field.
 * Live: the dots, per-area totals, the session total and the dose warnings (the same
 *   wording as courses.handson.face_sites.dose_warnings) follow every change.
 */
(function () {
  "use strict";

  var STEP = 1;
  var MAX_SITE = 100;
  var HIT_RADIUS = 26;

  function round2(n) { return Math.round(n * 100) / 100; }
  function fmt(n) { return String(round2(n)); }
  function unitsOf(input) {
    var v = parseFloat(input.value);
    return isFinite(v) && v > 0 ? v : 0;
  }
  function unitWord(n) { return n === 1 ? "unit" : "units"; }

  function init(root) {
    // The partial may be included more than once on a page; enhance each chart once.
    if (root.hasAttribute("data-enhanced")) return;
    root.setAttribute("data-enhanced", "");
    var svg = root.querySelector(".fc-svg");
    var inputs = {};
    var dots = {};
    root.querySelectorAll("input[data-site-input]").forEach(function (input) {
      inputs[input.getAttribute("data-site-input")] = input;
    });
    if (!svg || !Object.keys(inputs).length) return; // read-only chart: nothing to enhance
    svg.querySelectorAll("[data-site]").forEach(function (g) { dots[g.getAttribute("data-site")] = g; });
    var groups = Array.prototype.slice.call(root.querySelectorAll("tbody[data-area]"));
    var sessionOut = root.querySelector("[data-session-total]");
    var sessionWarn = root.querySelector("[data-session-warning]");
    var capNote = root.querySelector("[data-cap-note]");
    var products = {};
    try { products = JSON.parse(root.getAttribute("data-products") || "{}"); } catch (e) { products = {}; }
    var form = root.closest("form");
    var select = form ? form.querySelector('select[name="product"]') : null;

    // The chosen product's references (the server's choice when there is no select).
    function product() {
      var code = select ? select.value : root.getAttribute("data-product");
      return products[code] || products[root.getAttribute("data-product")] || { name: "", cap: null, areas: {} };
    }

    function rowOf(code) { return root.querySelector('[data-site-row="' + code + '"]'); }

    function showSite(code) {
      var g = dots[code];
      var n = round2(unitsOf(inputs[code]));
      var row = rowOf(code);
      if (row) row.classList.toggle("is-set", n > 0);
      if (!g) return;
      var text = g.querySelector(".fc-units");
      var shown = n > 0 ? fmt(n) : "";
      text.textContent = shown;
      text.classList.toggle("is-long", shown.length > 3);
      g.classList.toggle("is-set", n > 0);
      // The visible label first, then the units, then the full name (the name must contain
      // what is seen: WCAG 2.5.3, axe's label-content-name-mismatch).
      g.setAttribute("aria-label", g.getAttribute("data-label") + ": " + (n > 0 ? shown + " " + unitWord(n) : "no units") +
        ", " + g.getAttribute("data-name"));
    }

    // The same wording as courses.handson.face_sites.WARNING_TEXTS.
    function areaWarnings(group, totals, p) {
      var area = group.getAttribute("data-area");
      var total = totals[area];
      var out = { warnings: [], notes: [] };
      if (!total) return out;
      var name = group.getAttribute("data-area-name");
      var ref = p.areas[area];
      if (!ref) {
        out.notes.push(name + ": no label reference for " + p.name + "; the dose is not checked.");
        return out;
      }
      if (total !== parseFloat(ref.units)) {
        out.warnings.push(name + ": " + fmt(total) + " U given; the on-label dose is " + ref.units + " U over " +
          ref.sites + " sites.");
      }
      var partner = ref.given_with;
      if (partner && !totals[partner]) {
        var partnerGroup = root.querySelector('tbody[data-area="' + partner + '"]');
        var pname = (partnerGroup ? partnerGroup.getAttribute("data-area-name") : partner).toLowerCase();
        out.warnings.push(name + ": given without the " + pname + "; on label they are treated together (" +
          ref.given_with_units + " U to the " + pname + ").");
      }
      return out;
    }

    // The chart's per-product text: each area's reference line, the cap, the tap doses.
    function showProduct(p) {
      groups.forEach(function (group) {
        var line = group.querySelector("[data-area-reference]");
        var ref = p.areas[group.getAttribute("data-area")];
        if (line) {
          line.textContent = ref ? p.name + " label: " + ref.units + " U over " + ref.sites + " sites."
            : "No label reference for " + p.name + ".";
        }
      });
      if (capNote) {
        capNote.textContent = p.cap ? p.name + " label: at most " + p.cap + " U in 3 months."
          : "No label cap for " + p.name + ".";
      }
      Object.keys(dots).forEach(function (code) {
        var ref = p.areas[dots[code].getAttribute("data-area")];
        dots[code].setAttribute("data-tap-units", ref ? ref.per_site : "2");
      });
    }

    function setWarnings(holder, messages, className) {
      if (!holder) return;
      var cell = holder.querySelector("td") || holder;
      cell.textContent = "";
      messages.forEach(function (m) {
        var p = document.createElement("p");
        p.className = className || "fc-warning";
        p.textContent = m;
        cell.appendChild(p);
      });
      holder.hidden = messages.length === 0;
    }

    function showTotals() {
      var p = product();
      var totals = {};
      var session = 0;
      groups.forEach(function (group) {
        var total = 0;
        group.querySelectorAll("input[data-site-input]").forEach(function (input) { total += unitsOf(input); });
        total = round2(total);
        totals[group.getAttribute("data-area")] = total;
        session += total;
      });
      groups.forEach(function (group) {
        var out = group.querySelector("[data-area-total]");
        var shown = fmt(totals[group.getAttribute("data-area")]);
        if (out && out.textContent !== shown) out.textContent = shown;
        var messages = areaWarnings(group, totals, p);
        setWarnings(group.querySelector("[data-area-warning]"), messages.warnings);
        setWarnings(group.querySelector("[data-area-info]"), messages.notes, "fc-info");
        group.classList.toggle("is-off", messages.warnings.length > 0);
      });
      session = round2(session);
      if (sessionOut && sessionOut.textContent !== fmt(session)) sessionOut.textContent = fmt(session);
      setWarnings(sessionWarn, p.cap && session > p.cap
        ? ["Session total: " + fmt(session) + " U given; the maximum is " + p.cap + " U in 3 months."]
        : []);
    }

    function setUnits(code, n) {
      var input = inputs[code];
      input.value = n > 0 ? fmt(Math.min(MAX_SITE, n)) : "";
      showSite(code);
      showTotals();
    }

    // The status line under the chart: what a tap did, for touch users (whose keyboard
    // stays closed) and screen readers.
    var status = document.createElement("p");
    status.className = "fc-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    (root.querySelector(".fc-legend-wrap") || root).appendChild(status);

    function announce(code) {
      var n = round2(unitsOf(inputs[code]));
      var name = dots[code] ? dots[code].getAttribute("data-name") : code;
      status.textContent = name + ": " + fmt(n) + " " + unitWord(n) + ". Change it with \u2212 and + in the table.";
    }

    // touch: the tap came from a finger or a pen, not a mouse or the keyboard.
    function activate(code, touch) {
      var input = inputs[code];
      if (!input) return;
      if (input.value.trim() === "") setUnits(code, parseFloat(dots[code].getAttribute("data-tap-units")) || 2);
      if (touch) {
        announce(code);
        return;
      }
      var row = rowOf(code);
      input.focus({ preventScroll: true });
      if (row && row.scrollIntoView) row.scrollIntoView({ block: "nearest", inline: "nearest" });
      try { input.select(); } catch (e) { /* some browsers refuse select() on number inputs */ }
    }

    // The dot nearest the pointer, so overlapping touch targets go to the closest site.
    function siteAt(event) {
      var own = event.target.closest && event.target.closest("[data-site]");
      var ctm = svg.getScreenCTM && svg.getScreenCTM();
      if (!ctm || !event.clientX && !event.clientY) return own;
      var pt = new DOMPoint(event.clientX, event.clientY).matrixTransform(ctm.inverse());
      var best = null;
      var bestD = HIT_RADIUS;
      Object.keys(dots).forEach(function (code) {
        var m = /translate\(\s*([-\d.]+)[ ,]+([-\d.]+)/.exec(dots[code].getAttribute("transform") || "");
        if (!m) return;
        var d = Math.hypot(pt.x - parseFloat(m[1]), pt.y - parseFloat(m[2]));
        if (d <= bestD) { best = dots[code]; bestD = d; }
      });
      return best || own;
    }

    // The pointer that started the click (click events carry pointerType in current
    // browsers; pointerdown covers the others).
    var lastPointer = "";
    svg.addEventListener("pointerdown", function (event) { lastPointer = event.pointerType || ""; });
    svg.addEventListener("click", function (event) {
      var g = siteAt(event);
      if (!g) return;
      var pointer = event.pointerType || lastPointer;
      activate(g.getAttribute("data-site"), pointer === "touch" || pointer === "pen");
    });
    // The site's position in the chart (its translate()).
    function at(g) {
      var m = /translate\(\s*([-\d.]+)[ ,]+([-\d.]+)/.exec(g.getAttribute("transform") || "");
      return m ? { x: parseFloat(m[1]), y: parseFloat(m[2]) } : { x: 0, y: 0 };
    }
    var ARROWS = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
    // The nearest site in the arrow's direction (distance across the direction counts
    // double, so Right stays on a row); none there: the next/previous site in the table.
    function neighbour(g, key) {
      var order = Array.prototype.slice.call(svg.querySelectorAll("[data-site]"));
      if (key === "Home") return order[0];
      if (key === "End") return order[order.length - 1];
      var dir = ARROWS[key];
      var from = at(g);
      var best = null;
      var bestScore = Infinity;
      order.forEach(function (other) {
        if (other === g) return;
        var p = at(other);
        var along = (p.x - from.x) * dir[0] + (p.y - from.y) * dir[1];
        if (along <= 0) return;
        var across = Math.abs((p.x - from.x) * dir[1] + (p.y - from.y) * dir[0]);
        var score = along + 2 * across;
        if (score < bestScore) { best = other; bestScore = score; }
      });
      if (best) return best;
      var i = order.indexOf(g) + (dir[0] + dir[1] > 0 ? 1 : -1);
      return order[(i + order.length) % order.length];
    }

    svg.addEventListener("keydown", function (event) {
      var g = event.target.closest && event.target.closest("[data-site]");
      if (!g) return;
      if (ARROWS[event.key] || event.key === "Home" || event.key === "End") {
        event.preventDefault();
        var next = neighbour(g, event.key);
        if (next) next.focus();
        return;
      }
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      activate(g.getAttribute("data-site"), false);
    });

    root.addEventListener("input", function (event) {
      var code = event.target.getAttribute && event.target.getAttribute("data-site-input");
      if (!code) return;
      showSite(code);
      showTotals();
    });

    // The table row and its dot light up together while the row has focus.
    function mark(event, on) {
      var row = event.target.closest && event.target.closest("[data-site-row]");
      if (!row) return;
      var code = row.getAttribute("data-site-row");
      row.classList.toggle("is-active", on);
      if (dots[code]) dots[code].classList.toggle("is-active", on);
    }
    root.addEventListener("focusin", function (event) { mark(event, true); });
    root.addEventListener("focusout", function (event) { mark(event, false); });

    Object.keys(inputs).forEach(function (code) {
      var input = inputs[code];
      var name = dots[code] ? dots[code].getAttribute("data-name") : code;
      function button(label, text, delta) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "fc-step";
        b.textContent = text;
        b.setAttribute("aria-label", name + ": " + label);
        b.addEventListener("click", function () { setUnits(code, round2(unitsOf(input) + delta)); });
        return b;
      }
      var field = input.parentNode;
      field.appendChild(button("1 unit less", "\u2212", -STEP));
      field.appendChild(button("1 unit more", "+", STEP));
    });

    if (select) {
      select.addEventListener("change", function () {
        showProduct(product());
        showTotals();
      });
    }

    showProduct(product());
    Object.keys(inputs).forEach(showSite);
    showTotals();
  }

  document.querySelectorAll("[data-facechart]").forEach(init);
})();
