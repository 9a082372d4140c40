/* A form sent back with errors is shown where the person was: the first error is scrolled into
 * view (its <details> opened) and its field focused, instead of the page reloading at the top. */
document.addEventListener("DOMContentLoaded", function () {
  var error = document.querySelector("main .invalid-feedback.d-block, main .is-invalid, main form .alert-danger, main .errorlist");
  if (!error) return;
  var details = error.closest("details");
  if (details) details.open = true;
  var block = error.closest(".col-12, [class*='col-'], .mb-3, form") || error;
  var field = block.querySelector("input:not([type=hidden]), select, textarea");
  block.scrollIntoView({ block: "center" });
  if (field && field.focus) field.focus({ preventScroll: true });
});
