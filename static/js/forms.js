// Forms, site-wide.
//
// 1. A form sent back with errors: keyboard focus goes to the first field in error, whose
//    message is tied to it (aria-describedby), so nobody has to hunt for what to fix.
// 2. A form with data-confirm (or a submit button with its own data-confirm) does
//    something that cannot be undone: ask first, with the sentence stating the
//    consequence, and tell the server the person said yes (core/confirm.py; without
//    scripts the server asks on a page of its own).
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector('main [aria-invalid="true"]');
  if (first && !document.activeElement?.matches("input, select, textarea")) {
    first.focus({ preventScroll: false });
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const submitter = event.submitter;
    const question = submitter?.dataset.confirm || form.dataset.confirm;
    if (!question) return;
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    let flag = form.querySelector('input[name="confirmed"]');
    if (!flag) {
      flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirmed";
      form.appendChild(flag);
    }
    flag.value = "yes";
  });
});
