// "Copy" buttons: <button data-copy="input-id">; the result is announced in [data-copy-status].
document.querySelectorAll("[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var input = document.getElementById(button.dataset.copy);
    var status = document.querySelector("[data-copy-status]");
    var done = function () { if (status) { status.textContent = status.dataset.copied; } };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
});
