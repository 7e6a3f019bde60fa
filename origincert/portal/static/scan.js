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
  var MAX_WIDTH = 960;

  function say(text) { status.textContent = text; }

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
      var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
      var width = Math.round(video.videoWidth * scale);
      var height = Math.round(video.videoHeight * scale);
      canvas.width = width;
      canvas.height = height;
      context.drawImage(video, 0, 0, width, height);
      var image = context.getImageData(0, 0, width, height);
      var code = window.jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" });
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
  navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
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
      say("The camera could not be started (" + error.name + "). Allow camera access, or take a photo of the QR code instead.");
    });
  window.addEventListener("pagehide", stop);
}());
