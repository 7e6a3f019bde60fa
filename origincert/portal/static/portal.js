/* Drag and drop, auto-submit and print buttons. Loaded as a file: the CSP allows no inline script. */
(function () {
  "use strict";

  function markBusy(form) {
    form.classList.add("busy");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.textContent = "Verifying\u2026"; }
  }

  document.querySelectorAll("form.js-autosubmit").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var name = form.querySelector(".js-filename");
    if (!input) { return; }
    input.addEventListener("change", function () {
      if (!input.files || !input.files.length) { return; }
      if (name) {
        name.textContent = input.files.length > 1 ? input.files.length + " files" : input.files[0].name;
      }
      markBusy(form);
      form.submit();
    });
  });

  document.querySelectorAll(".js-dropzone").forEach(function (zone) {
    var input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("dragover");
      });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("dragover"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dragover");
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      input.files = event.dataTransfer.files;
      input.dispatchEvent(new Event("change"));
    });
  });

  // A file dropped beside the drop zone must not make the browser open it and leave the portal.
  ["dragover", "drop"].forEach(function (type) {
    window.addEventListener(type, function (event) {
      if (!event.target.closest || !event.target.closest(".js-dropzone")) { event.preventDefault(); }
    });
  });

  document.querySelectorAll(".js-print").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  document.querySelectorAll("form").forEach(function (form) {
    if (form.classList.contains("js-autosubmit")) { return; }
    form.addEventListener("submit", function () {
      if (form.method.toLowerCase() === "post" && form.querySelector("button[type=submit]")) {
        window.setTimeout(function () { markBusy(form); }, 0);
      }
    });
  });
}());
