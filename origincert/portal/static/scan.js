/* Camera QR scanning with the vendored jsQR: frames are decoded on this device, offline. */
(function () {
  "use strict";
  var video = document.getElementById("scan-video");
  var canvas = document.getElementById("scan-canvas");
  var status = document.getElementById("scan-status");
  var form = document.getElementById("scan-form");
  var payload = document.getElementById("scan-payload");
  if (!video || !canvas || !form) { return; }
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var lastScan = 0;
  var MAX_SIDE = 1000; // pixels decoded per frame: enough for a dense code, cheap enough for a phone

  var scanner = document.getElementById("scanner");
  var WORDS = JSON.parse((scanner && scanner.getAttribute("data-words")) || "{}");

  function t(text) { return WORDS[text] || text; }

  function say(text) { status.textContent = t(text); }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
  }

  function found(text) {
    stop();
    say("QR code read. Verifying\u2026");
    payload.value = text;
    form.submit();
  }

  function tick(now) {
    if (!stream) { return; }
    if (video.readyState >= video.HAVE_ENOUGH_DATA && now - lastScan > 120) {
      lastScan = now;
      // decode the centre square, where the frame is drawn, at up to MAX_SIDE pixels
      var side = Math.floor(Math.min(video.videoWidth, video.videoHeight) * 0.9);
      var target = Math.min(side, MAX_SIDE);
      canvas.width = target;
      canvas.height = target;
      context.drawImage(video, (video.videoWidth - side) / 2, (video.videoHeight - side) / 2, side, side, 0, 0, target, target);
      var image = context.getImageData(0, 0, target, target);
      var code = window.jsQR(image.data, target, target, { inversionAttempts: "attemptBoth" });
      if (code && code.data) { found(code.data); return; }
    }
    window.requestAnimationFrame(tick);
  }

  if (typeof window.jsQR !== "function") {
    say("The QR decoder did not load. Take a photo of the QR code instead.");
    return;
  }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say("This browser cannot use the camera here (the portal must be opened over HTTPS). Take a photo of the QR code instead.");
    return;
  }
  var constraints = { facingMode: "environment", width: { ideal: 1920 }, height: { ideal: 1080 } };
  navigator.mediaDevices.getUserMedia({ video: constraints, audio: false })
    .then(function (s) {
      stream = s;
      video.srcObject = s;
      return video.play();
    })
    .then(function () {
      say("Looking for a QR code\u2026");
      window.requestAnimationFrame(tick);
    })
    .catch(function (error) {
      say(error && error.name === "NotAllowedError"
        ? "Camera access was refused. Allow it in the browser's settings, or take a photo of the QR code instead."
        : "No camera could be started on this device. Take a photo of the QR code instead.");
    });
  window.addEventListener("pagehide", stop);
}());
