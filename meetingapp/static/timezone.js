// Toggle the timetable between the event's zone and the viewer's own zone.
(function () {
  "use strict";
  var button = document.querySelector(".zone-toggle");
  if (!button || !window.Intl) return;
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var eventZone = button.getAttribute("data-event-zone");
  if (!mine || mine === eventZone) return;
  // Labels come translated from the page (data-label-*); "{zone}" marks where the zone goes.
  function text(name, fallback, zoneText) {
    return (button.getAttribute("data-label-" + name) || fallback).replace("{zone}", zoneText);
  }
  button.hidden = false;
  button.textContent = text("mine", "Show in my time zone ({zone})", mine);
  var showingMine = false;
  var clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hour12: false });
  var zoneName = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" });
  function label(date) {
    var part = zoneName.formatToParts(date).find(function (p) { return p.type === "timeZoneName"; });
    return text("yours", "your time, {zone}", part ? part.value : mine);
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
    button.textContent = showingMine ? text("event", "Show in the event's time zone ({zone})", eventZone)
                                     : text("mine", "Show in my time zone ({zone})", mine);
    button.setAttribute("aria-pressed", showingMine ? "true" : "false");
  });
}());
