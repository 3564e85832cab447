// A page that comes back with form errors moves the focus to the error summary
// (templates/partials/_form_errors.html), so a screen reader reads it first and the
// keyboard starts there; each line of the summary links to its field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-form-errors]");
  if (summary) {
    summary.focus();
  }
});
