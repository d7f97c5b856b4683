// Check-in page enhancements. The page works without them: the search is a GET form and the
// code form accepts pasted codes. CSP allows only this file: no inline handlers, data-* hooks.
(function () {
  "use strict";

  // 1. Filter the list while typing (the server-side ?q= search stays the fallback).
  var search = document.querySelector("[data-filter-list]");
  if (search) {
    var list = document.getElementById(search.getAttribute("data-filter-list"));
    var none = document.getElementById(search.getAttribute("data-filter-empty"));
    var filter = function () {
      var needle = search.value.trim().toLocaleLowerCase();
      var shown = 0;
      list.querySelectorAll("li[data-search]").forEach(function (item) {
        var match = item.getAttribute("data-search").indexOf(needle) !== -1;
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      if (none) { none.hidden = shown > 0 || !list.querySelector("li[data-search]"); }
    };
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { search.value = ""; filter(); }
    });
  }

  // 2. Scan QR codes with the camera where the browser has BarcodeDetector.
  var start = document.querySelector("[data-scan-start]");
  var panel = document.querySelector("[data-scanner]");
  var form = document.getElementById("code-form");
  if (!start || !panel || !form || !("BarcodeDetector" in window) ||
      !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var video = panel.querySelector("video");
  var status = panel.querySelector("[data-scanner-status]");
  var stopButton = panel.querySelector("[data-scan-stop]");
  var input = form.querySelector("input[name=code]");
  var stream = null;
  var timer = null;

  var stop = function () {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    panel.hidden = true;
    start.hidden = false;
  };

  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) { return; }
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    start.hidden = false;

    var scan = function () {
      if (!stream) { return; }
      detector.detect(video).then(function (codes) {
        if (codes.length && codes[0].rawValue) {
          input.value = codes[0].rawValue;
          status.textContent = panel.getAttribute("data-label-read") || "Code read: checking in…";
          stop();
          form.requestSubmit();
          return;
        }
        timer = setTimeout(scan, 250);
      }).catch(function () { timer = setTimeout(scan, 500); });
    };

    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.hidden = false;
          video.srcObject = s;
          panel.hidden = false;
          start.hidden = true;
          return video.play();
        })
        .then(scan)
        .catch(function (err) {
          stop();
          status.textContent = (panel.getAttribute("data-label-no-camera") ||
            "The camera is not available ({reason}): paste the code instead.").replace("{reason}", err.name);
          panel.hidden = false;
          video.hidden = true;
        });
    });
    stopButton.addEventListener("click", stop);
  }).catch(function () { /* no scanning: the paste form remains */ });
})();
