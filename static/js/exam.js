// Written exam, on every page of an open attempt (a page of the paper, the summary):
// keep the countdown to the server's deadline and announce 10 and 1 minutes left; on a
// page of the paper, autosave each answer and flag as it changes and keep the navigator's
// states; ask before submitting with unanswered questions. Without JavaScript the page's
// buttons post the page's answers and move on; the server keeps the deadline either way.
(function () {
  "use strict";
  const bar = document.querySelector("[data-exam]");
  if (!bar) return;
  const announce = bar.querySelector("[data-announce]");
  const WARNINGS = [[600, "10 minutes left."], [60, "1 minute left."]];

  // Confirmation before submitting with unanswered questions: data-confirm, asked by the
  // site-wide static/js/forms.js (a second handler here asked twice).

  function format(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = String(seconds % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
  }

  const countdown = bar.querySelector("[data-countdown]");
  if (countdown && !bar.hasAttribute("data-paused")) {
    // Seconds left as the server counted them when it sent the page: no trust in the
    // device's clock, only in its passing.
    const endsAt = Date.now() + parseInt(bar.dataset.deadlineSeconds, 10) * 1000;
    const timer = bar.querySelector(".timer");
    const announced = {};
    const tick = function () {
      const remaining = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      countdown.textContent = format(remaining);
      timer.classList.toggle("is-low", remaining <= 600);
      WARNINGS.forEach(function (pair) {
        // Announced once, when crossed (not when a page opens long after).
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
    };
    tick();
  }

  const form = document.querySelector(".exam-form");
  const url = bar.dataset.autosaveUrl;
  if (!form || !url) return;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const state = bar.querySelector("[data-save-state]");
  const answered = bar.querySelector("[data-answered]");
  const LABELS = { answered: "answered", unanswered: "unanswered", flagged: "flagged" };

  // The navigator's entry for a question: its class and its words (not colour alone).
  function mark(position, isAnswered, isFlagged) {
    const button = form.querySelector('[data-nav="' + position + '"]');
    if (!button) return;
    const wasAnswered = button.classList.contains("is-answered");
    if (isAnswered !== null) button.classList.toggle("is-answered", isAnswered);
    if (isFlagged !== null) button.classList.toggle("is-flagged", isFlagged);
    const words = button.classList.contains("is-answered") ? LABELS.answered : LABELS.unanswered;
    button.querySelector("[data-nav-state]").textContent =
      words + (button.classList.contains("is-flagged") ? ", " + LABELS.flagged : "");
    if (isAnswered !== null && isAnswered !== wasAnswered) {
      answered.textContent = String(parseInt(answered.textContent, 10) + (isAnswered ? 1 : -1));
    }
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

  // Saves sent and not yet answered, and whether one on this page failed: moving to
  // another page goes straight there (a GET) only when every change is saved.
  let inFlight = 0;
  let unsaved = false;

  function send(payload) {
    state.textContent = "Saving…";
    inFlight += 1;
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
        inFlight -= 1;
        if (result.status === 429) {
          unsaved = true;
          state.textContent = result.data.error || "Saving again in a few seconds.";
          retryLater(payload, result.data.retry_after);
        } else if (result.data.ok) {
          state.textContent = "Saved question " + result.data.position + ".";
          mark(result.data.position, result.data.keys.length > 0, result.data.flagged);
        } else if (result.data.closed) {
          window.location.href = result.data.result_url;
        } else {
          unsaved = true;
          state.textContent = result.data.error;
        }
      })
      .catch(function () {
        inFlight -= 1;
        unsaved = true;
        state.textContent = "Not saved: check your connection. The page's buttons save your answers too.";
      });
  }

  // Where a page button leads (as the server's exams.views._target would send it).
  function target(go) {
    const page = parseInt(form.dataset.page, 10);
    const pages = parseInt(form.dataset.pages, 10);
    const pageUrl = function (n) {
      return n === 1 ? form.dataset.firstUrl : form.dataset.pageUrl.replace(/\/0\/$/, "/" + n + "/");
    };
    if (go === "summary" || (go === "next" && page >= pages)) return form.dataset.summaryUrl;
    if (go === "next") return pageUrl(page + 1);
    if (go === "prev") return pageUrl(Math.max(page - 1, 1));
    const chosen = /^page-(\d+)$/.exec(go);
    if (chosen && chosen[1] >= 1 && chosen[1] <= pages) return pageUrl(parseInt(chosen[1], 10));
    return null;
  }

  // Every answer on the page is already saved: go to the page asked for without posting
  // them again (one request instead of a post and its redirect). Anything not saved, or
  // a save still on its way, and the form posts the page's answers as without scripts.
  form.addEventListener("submit", function (event) {
    const button = event.submitter;
    if (!button || button.name !== "go" || inFlight > 0 || unsaved || Object.keys(waiting).length) return;
    const href = target(button.value);
    if (!href) return;
    event.preventDefault();
    window.location.assign(href);
  });

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
  });
})();
