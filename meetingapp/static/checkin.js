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

  // 2. Scan QR codes with the camera: BarcodeDetector where the browser has it, otherwise the
  //    vendored jsQR decoder (static/vendor/jsqr), loaded only then.
  var start = document.querySelector("[data-scan-start]");
  var panel = document.querySelector("[data-scanner]");
  var form = document.getElementById("code-form");
  if (!start || !panel || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  var video = panel.querySelector("video");
  var status = panel.querySelector("[data-scanner-status]");
  var stopButton = panel.querySelector("[data-scan-stop]");
  var input = form.querySelector("input[name=code]");
  var canvas = document.createElement("canvas");
  var stream = null;
  var timer = null;

  var stop = function () {
    if (timer) { clearTimeout(timer); timer = null; }
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    video.srcObject = null;
    panel.hidden = true;
    start.hidden = false;
  };

  var found = function (text) {
    input.value = text;
    status.textContent = panel.getAttribute("data-label-read") || "Code read: checking in…";
    stop();
    form.requestSubmit();
  };

  // A reader takes the video and answers a promise of the code's text (or null).
  var withDetector = function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return function () {
      return detector.detect(video).then(function (codes) {
        return codes.length && codes[0].rawValue ? codes[0].rawValue : null;
      });
    };
  };
  var withJsQR = function () {
    return function () {
      var w = video.videoWidth, h = video.videoHeight;
      if (!w || !h) { return Promise.resolve(null); }
      canvas.width = w; canvas.height = h;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, w, h);
      var code = window.jsQR(context.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
      return Promise.resolve(code && code.data ? code.data : null);
    };
  };

  var ready = function (read) {
    start.hidden = false;
    var scan = function () {
      if (!stream) { return; }
      read().then(function (text) {
        if (text) { found(text); return; }
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
  };

  var loadJsQR = function () {
    var script = document.createElement("script");
    script.src = panel.getAttribute("data-jsqr");
    script.onload = function () { if (window.jsQR) { ready(withJsQR()); } };
    document.head.appendChild(script);
  };

  if ("BarcodeDetector" in window) {
    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") === -1) { loadJsQR(); } else { ready(withDetector()); }
    }).catch(loadJsQR);
  } else {
    loadJsQR();
  }
})();
