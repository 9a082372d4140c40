/* The "My tasks" count in the navigation, read after the page has loaded (so no page pays for
 * counting while it renders). */
(function () {
  "use strict";
  var link = document.getElementById("nav-tasks");
  var badge = document.getElementById("task-badge");
  if (!link || !badge || !window.fetch) { return; }
  fetch(link.dataset.countUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || typeof data.count !== "number") { return; }
      badge.textContent = data.count > 99 ? "99+" : String(data.count);
      badge.classList.toggle("d-none", data.count === 0);
    })
    .catch(function () { /* the badge is a convenience: the page works without it */ });
})();
