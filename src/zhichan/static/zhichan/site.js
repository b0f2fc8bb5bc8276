// Site-wide behaviour that would otherwise be inline event handlers (the Content-Security-Policy
// allows scripts from this site's files only): [data-print] buttons print the page,
// a change in a [data-autosubmit] field submits its form.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
document.addEventListener("change", function (event) {
  var field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});
