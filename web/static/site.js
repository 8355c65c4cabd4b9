/* Progressive enhancement only: every page works without it.
 * Compare: suggests model ids as one types, from GET /v1/models?q=. */
(function () {
  "use strict";
  var list = document.getElementById("model-ids");
  if (!list || !window.fetch) return;
  var timer = null;
  function suggest(q) {
    fetch("/v1/models?limit=8&q=" + encodeURIComponent(q))
      .then(function (r) { return r.ok ? r.json() : { models: [] }; })
      .then(function (d) {
        while (list.firstChild) list.removeChild(list.firstChild);
        (d.models || []).forEach(function (m) {
          var o = document.createElement("option");
          o.value = m.org + "/" + m.model;
          o.textContent = m.name || o.value;
          list.appendChild(o);
        });
      })
      .catch(function () {});
  }
  document.querySelectorAll("input[data-suggest]").forEach(function (el) {
    el.addEventListener("input", function () {
      var q = el.value.trim();
      clearTimeout(timer);
      if (q.length >= 2 && q.indexOf("/") < 0)
        timer = setTimeout(function () { suggest(q); }, 200);
    });
  });
})();
