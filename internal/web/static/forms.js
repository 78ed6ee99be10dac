// Ties form errors to their fields for assistive technology: each field
// with an error gets aria-invalid and aria-describedby pointing at its
// message, and the error summary names each field by its label, as a link
// to the field, and takes the focus so a screen reader announces it.
// Without JavaScript the summary and the messages are still shown.
(function () {
  "use strict";
  var controls = "input:not([type=hidden]), select, textarea";
  function fieldFor(name) {
    if (!name) return null;
    var el = document.getElementById(name);
    if (el && el.matches(controls)) return el;
    return document.querySelector("main form [name=\"" + CSS.escape(name) + "\"]");
  }
  function labelOf(el) {
    var text = "";
    if (el.labels && el.labels.length) text = el.labels[0].textContent;
    else if (el.getAttribute("aria-label")) text = el.getAttribute("aria-label");
    else {
      var fs = el.closest("fieldset");
      if (fs && fs.querySelector("legend")) text = fs.querySelector("legend").textContent;
    }
    return text.replace(/\s+/g, " ").replace(/\s*\(optional\)\s*$/, "").trim();
  }
  function describe(el, id) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(id) < 0) ids.push(id);
    el.setAttribute("aria-describedby", ids.join(" "));
    el.setAttribute("aria-invalid", "true");
  }
  function init() {
    // Each message follows its field: find the nearest control before it.
    var n = 0;
    document.querySelectorAll("main .field-error").forEach(function (msg) {
      if (!msg.id) msg.id = "field-error-" + (++n);
      var scope = msg.parentElement, el = null;
      while (scope && !el) {
        var all = Array.prototype.filter.call(scope.querySelectorAll(controls), function (c) {
          return c.compareDocumentPosition(msg) & Node.DOCUMENT_POSITION_FOLLOWING;
        });
        el = all.length ? all[all.length - 1] : null;
        if (scope.tagName === "FORM") break;
        scope = scope.parentElement;
      }
      if (el) describe(el, msg.id);
    });
    var summary = document.getElementById("error-summary");
    if (!summary) return;
    summary.querySelectorAll("li[data-field]").forEach(function (li) {
      var el = fieldFor(li.getAttribute("data-field"));
      var name = li.querySelector(".field-name");
      if (!el || !name) return;
      if (!el.id) el.id = "field-" + li.getAttribute("data-field").replace(/[^A-Za-z0-9_-]/g, "-");
      var a = document.createElement("a");
      a.href = "#" + el.id;
      a.textContent = labelOf(el) || li.getAttribute("data-field");
      a.addEventListener("click", function (e) { e.preventDefault(); el.focus(); });
      name.replaceWith(a);
      el.setAttribute("aria-invalid", "true");
    });
    summary.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
