// Written exam: autosave each answer as it changes, keep a countdown, announce the last
// minutes to screen readers. Without JavaScript the page's "Save answers" button posts
// everything; the server keeps the deadline either way.
(function () {
  "use strict";
  const bar = document.querySelector("[data-exam]");
  const form = document.querySelector(".exam-form");
  if (!bar || !form) return;
  const url = bar.dataset.autosaveUrl;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const state = bar.querySelector("[data-save-state]");
  const countdown = bar.querySelector("[data-countdown]");
  const announce = bar.querySelector("[data-announce]");
  const answered = bar.querySelector("[data-answered]");
  let remaining = parseInt(bar.dataset.deadlineSeconds, 10);
  const endsAt = Date.now() + remaining * 1000;
  const announced = {};

  function format(seconds) {
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    return m + ":" + String(s).padStart(2, "0");
  }

  function tick() {
    remaining = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    countdown.textContent = format(remaining);
    bar.querySelector(".timer").classList.toggle("is-low", remaining <= 300);
    [[300, "5 minutes left."], [60, "1 minute left."]].forEach(function (pair) {
      if (remaining <= pair[0] && remaining > pair[0] - 30 && !announced[pair[0]]) {
        announced[pair[0]] = true;
        announce.textContent = pair[1];
      }
    });
    if (remaining === 0) {
      // The server closes and grades the attempt; reloading shows the result.
      window.location.reload();
      return;
    }
    window.setTimeout(tick, 1000);
  }

  function countAnswered() {
    const done = new Set();
    form.querySelectorAll(".question").forEach(function (fs) {
      if (fs.querySelector(".options input:checked")) done.add(fs.dataset.position);
    });
    answered.textContent = done.size;
  }

  // Answers the server asked us to send again later (429: saving too often), by
  // position, the latest state of each; sent again once the wait is over.
  const waiting = {};
  let retryTimer = null;

  function retryLater(payload, seconds) {
    waiting[payload.position] = Object.assign(waiting[payload.position] || {}, payload);
    if (retryTimer) return;
    const wait = Math.max(1, seconds || 5) * 1000 + Math.floor(Math.random() * 1000);
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      Object.keys(waiting).forEach(function (position) {
        const again = waiting[position];
        delete waiting[position];
        send(again);
      });
    }, wait);
  }

  function save(fieldset, payload) {
    payload.position = parseInt(fieldset.dataset.position, 10);
    if (waiting[payload.position]) {
      // A newer change to a question still waiting: it goes out with the retry.
      retryLater(payload, 0);
      return;
    }
    send(payload);
  }

  function send(payload) {
    state.textContent = "Saving…";
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(payload),
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        if (result.status === 429) {
          state.textContent = result.data.error || "Saving again in a few seconds.";
          retryLater(payload, result.data.retry_after);
        } else if (result.data.ok) {
          state.textContent = "Saved question " + result.data.position + ".";
        } else if (result.data.closed) {
          window.location.href = result.data.result_url;
        } else {
          state.textContent = result.data.error;
        }
      })
      .catch(function () {
        state.textContent = "Not saved: check your connection. Use “Save answers” to retry.";
      });
  }

  form.addEventListener("change", function (event) {
    const input = event.target;
    const fieldset = input.closest(".question");
    if (!fieldset) return;
    if (input.hasAttribute("data-flag")) {
      save(fieldset, { flagged: input.checked });
      return;
    }
    const keys = Array.from(fieldset.querySelectorAll(".options input:checked")).map(function (i) { return i.value; });
    save(fieldset, { keys: keys });
    countAnswered();
  });

  tick();
})();
