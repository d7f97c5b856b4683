// Toggle the timetable between the event's zone and the viewer's own zone.
(function () {
  "use strict";
  var button = document.querySelector(".zone-toggle");
  if (!button || !window.Intl) return;
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var eventZone = button.getAttribute("data-event-zone");
  if (!mine || mine === eventZone) return;
  button.hidden = false;
  button.textContent = "Show in my time zone (" + mine + ")";
  var showingMine = false;
  var clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
  var zoneName = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" });
  function label(date) {
    var part = zoneName.formatToParts(date).find(function (p) { return p.type === "timeZoneName"; });
    return "your time, " + (part ? part.value : mine);
  }
  button.addEventListener("click", function () {
    showingMine = !showingMine;
    document.querySelectorAll("[data-utc]").forEach(function (el) {
      if (!el.dataset.eventText) el.dataset.eventText = el.textContent;
      el.textContent = showingMine ? clock.format(new Date(el.dataset.utc)) : el.dataset.eventText;
    });
    document.querySelectorAll("[data-utc-zone]").forEach(function (el) {
      if (!el.dataset.eventText) el.dataset.eventText = el.textContent;
      el.textContent = showingMine ? label(new Date(el.dataset.utcZone)) : el.dataset.eventText;
    });
    button.textContent = showingMine ? "Show in the event's time zone (" + eventZone + ")"
                                     : "Show in my time zone (" + mine + ")";
    button.setAttribute("aria-pressed", showingMine ? "true" : "false");
  });
}());
