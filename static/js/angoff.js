/* Angoff ratings: each rating is saved as soon as it changes (the same post as the
   "Save all ratings" button, for one item, answered in JSON). Without this script the
   button saves them all. */
(function () {
  var form = document.querySelector("form[data-angoff-autosave]");
  if (!form || !window.fetch) { return; }
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.name || input.name.indexOf("rating_") !== 0) { return; }
    var status = input.parentNode.querySelector("[data-status]");
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    body.append(input.name, input.value);
    status.textContent = form.dataset.saving;
    fetch(form.action || window.location.href, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        status.textContent = form.dataset.saved;
        input.removeAttribute("aria-invalid");
      } else {
        status.textContent = result.data.error || form.dataset.offline;
        input.setAttribute("aria-invalid", "true");
      }
    }).catch(function () {
      status.textContent = form.dataset.offline;
    });
  });
}());
