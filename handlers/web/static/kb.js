// The knowledge-base editor's live check: after a pause in typing, the form goes to
// /web/kb/check (the same checker as «Проверить» and `faq check`); errors are shown next to
// their fields as text, the preview is HTML the server rebuilt from escaped pieces.
(function () {
  "use strict";
  var form = document.getElementById("kb-editor");
  if (!form || !window.fetch) { return; }
  var state = document.getElementById("check-state");
  var timer = null;
  var asked = 0;

  function fill(id, items) {
    var list = document.getElementById(id);
    if (!list) { return; }
    list.textContent = "";
    (items || []).forEach(function (text) {
      var item = document.createElement("li");
      item.textContent = text;
      list.appendChild(item);
    });
  }

  function show(result) {
    ["form", "category", "title", "answer", "questions", "links", "related"].forEach(function (name) {
      fill("err-" + name, result.errors[name]);
    });
    fill("warnings", result.warnings);
    fill("preview-buttons", result.buttons);
    document.getElementById("preview").innerHTML = result.preview;
    var count = Object.keys(result.errors).length;
    state.textContent = count ? "Есть ошибки — сохранить не получится." : "Проверено: ошибок нет.";
  }

  function check() {
    var mine = ++asked;
    state.textContent = "Проверяю…";
    fetch("/web/kb/check", { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (result) { if (mine === asked) { show(result); } })
      .catch(function () { state.textContent = "Не удалось проверить — нажмите «Проверить»."; });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 700);
  });
})();
