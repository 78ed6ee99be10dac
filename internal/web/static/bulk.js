// Live progress of a bulk job: polls the job's progress.json every second
// and updates the numbers on the page. Without JavaScript the page
// refreshes itself (a meta refresh inside <noscript>).
(function () {
  "use strict";
  var box = document.getElementById("bulk-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var moving = { running: true, validating: true };
  function set(name, text) {
    var el = box.querySelector('[data-field="' + name + '"]');
    if (el) { el.textContent = text; }
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (p) {
        set("state", p.state);
        set("done", p.done);
        set("total", p.total);
        set("failed", p.failed);
        set("rate", Math.round(p.rate_per_s));
        set("eta", Math.round(p.eta_seconds));
        var bar = box.querySelector('[data-field="bar"]');
        if (bar) { bar.value = Math.round(p.percent); bar.textContent = Math.round(p.percent) + "%"; }
        if (moving[p.state]) {
          setTimeout(poll, 1000);
        } else if (box.getAttribute("data-state-seen") !== p.state) {
          // The job stopped: reload once so the buttons match its state.
          box.setAttribute("data-state-seen", p.state);
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  var state = box.querySelector('[data-field="state"]');
  if (state && moving[state.textContent]) { setTimeout(poll, 1000); }
})();
