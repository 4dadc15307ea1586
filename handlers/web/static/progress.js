/* «Рассылки»: live progress of one broadcast (polls its JSON every 2 s while it is scheduled
   or sending, then reloads once for the final delivery table), and forms with data-once that
   cannot be submitted twice by a double click; a file input with data-max-bytes refuses a file
   over the limit before a 10 MB upload starts. No framework, no build step. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "yes") { event.preventDefault(); return; }
      form.dataset.sent = "yes";
    });
  });
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var big = file && file.size > Number(input.dataset.maxBytes);
      input.setCustomValidity(big ? input.dataset.tooBig : "");
      if (big) { input.reportValidity(); }
    });
  });
  var box = document.getElementById("progress");
  if (!box || box.dataset.live !== "yes") { return; }
  function tick() {
    fetch(box.dataset.url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        box.querySelectorAll("[data-field]").forEach(function (el) {
          var value = data[el.dataset.field];
          if (value !== undefined) { el.textContent = String(value); }
        });
        if (!data.live) { window.location.replace(window.location.pathname); return; }
        window.setTimeout(tick, 2000);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 1000);
})();
