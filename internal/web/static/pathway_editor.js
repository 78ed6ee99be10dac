// The pathway and credit scheme editor works without this script; with
// it, a link in the error summary moves the focus to its field (opening
// the "More options" it is folded in), and of the three ways to name a
// credential only the chosen one's fields are shown.
(function () {
  "use strict";
  function focusField(id) {
    var el = document.getElementById(id);
    if (!el) return;
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    if (el.matches("fieldset")) {
      var first = el.querySelector("input:checked, input, select, textarea");
      if (first) el = first;
    }
    el.focus();
  }
  function sources(fs) {
    var checked = fs.querySelector("input[data-source]:checked");
    fs.querySelectorAll(".source-fields").forEach(function (div) {
      div.hidden = !!checked && div.getAttribute("data-for") !== checked.value;
    });
  }
  function init() {
    document.querySelectorAll("#error-summary a[data-focus]").forEach(function (a) {
      a.addEventListener("click", function (e) {
        e.preventDefault();
        focusField(a.getAttribute("data-focus"));
      });
    });
    document.querySelectorAll("form.editor fieldset.match").forEach(function (fs) {
      sources(fs);
      fs.addEventListener("change", function (e) {
        if (e.target.matches("input[data-source]")) sources(fs);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
