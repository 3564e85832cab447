// Adds a blank site row from the formset's empty form; without JavaScript one blank row
// is always offered after saving. (A static file: the Content-Security-Policy forbids inline
// scripts.)
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("add-site");
  if (!button) return;
  button.addEventListener("click", function () {
    var total = document.getElementById("id_sites-TOTAL_FORMS");
    var html = document.getElementById("site-template").innerHTML.replace(/__prefix__/g, total.value);
    document.getElementById("site-rows").insertAdjacentHTML("beforeend", html);
    total.value = parseInt(total.value, 10) + 1;
  });
});
