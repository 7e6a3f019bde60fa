// Drafts save themselves: the form is posted to its autosave address on every change and every
// few seconds while typing; the answer's problems (the rules of `origincert validate`) are shown
// at their fields. Without this script the Save draft button does the same.
(function () {
  "use strict";
  var form = document.getElementById("application-form");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var dirty = false, busy = false;

  function errorSlot(field) {
    var path = field;
    while (true) {
      var el = document.getElementById("err-" + path);
      if (el) return el;
      var cut = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
      if (cut <= 0) return document.getElementById("err-");
      path = path.slice(0, cut);
    }
  }

  function summary(problems) {
    // the list above the form (drawn by the last full page) now says what autosave found
    var list = document.getElementById("problems");
    if (!list) return;
    list.textContent = "";
    (problems || []).forEach(function (p) {
      var li = document.createElement("li");
      var strong = document.createElement("strong");
      strong.textContent = p.field;
      li.appendChild(strong);
      li.appendChild(document.createTextNode(": " + p.message));
      list.appendChild(li);
    });
    list.parentElement.hidden = !(problems && problems.length);
  }

  function show(problems) {
    summary(problems);
    form.querySelectorAll("[data-live]").forEach(function (el) { el.textContent = ""; });
    form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    (problems || []).forEach(function (p) {
      var el = errorSlot(p.field);
      if (!el) return;
      el.textContent = (el.textContent ? el.textContent + "; " : "") + p.message;
      if (el.parentElement && el.parentElement.classList.contains("field")) {
        el.parentElement.classList.add("has-error");
      }
    });
  }

  function save() {
    if (busy) return;
    busy = true;
    dirty = false;
    var body = new FormData(form);
    fetch(form.dataset.autosave, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": body.get("csrf_token") || "" },
    })
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        show(answer.problems);
        status.textContent = answer.saved
          ? form.dataset.saved + " " + answer.at
          : form.dataset.unsaved + " " + (answer.message || "");
        status.dataset.state = answer.saved ? "saved" : "unsaved";
      })
      .catch(function () {
        status.textContent = form.dataset.offline;
        status.dataset.state = "offline";
        dirty = true;
      })
      .finally(function () { busy = false; });
  }

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function (event) {
    if (event.target.matches("select[data-product]")) {
      form.requestSubmit(document.getElementById("save"));  // the product's fields fill the item
      return;
    }
    dirty = true;
    save();
  });
  setInterval(function () { if (dirty) save(); }, 4000);
})();
