// A form sent back with errors: keyboard focus goes to the first field in error, whose
// message is tied to it (aria-describedby), so nobody has to hunt for what to fix.
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector('main [aria-invalid="true"]');
  if (first && !document.activeElement?.matches("input, select, textarea")) {
    first.focus({ preventScroll: false });
  }
});
