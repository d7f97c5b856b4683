// Print the UTC instants of every VEVENT in an .ics file as read by ical.js
// (the parser of Thunderbird and many web calendars).
//
//   node icaljs_times.mjs FILE.ics     (or "-" / no argument for stdin)
//
// Output (stdout, JSON):
//   {"parser": "ical.js", "version": "2.2.1",
//    "events": [{"uid": "...", "tzid": "Europe/Vienna",
//                "start": "2024-11-20T12:00:00Z", "end": "..."}]}
//
// Only the VTIMEZONE components inside the file are used: ical.js's
// TimezoneService is left empty, so a TZID without a matching VTIMEZONE is an
// error (exit 2) instead of a silent floating time.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const version = JSON.parse(
  readFileSync(new URL("./node_modules/ical.js/package.json", import.meta.url), "utf8"),
).version;

function fail(message) {
  process.stderr.write(`icaljs_times: ${message}\n`);
  process.exit(2);
}

function instant(event, name) {
  const prop = event.component.getFirstProperty(name);
  if (!prop) {
    fail(`${event.uid}: no ${name.toUpperCase()}`);
  }
  const time = prop.getFirstValue();
  const tzid = prop.getParameter("tzid");
  if (tzid) {
    const zone = time.zone;
    if (!zone || zone.tzid !== tzid || !zone.component) {
      fail(`${event.uid}: ${name.toUpperCase()};TZID=${tzid} has no VTIMEZONE in the file`);
    }
  } else if (time.zone !== ICAL.Timezone.utcTimezone) {
    fail(`${event.uid}: ${name.toUpperCase()} is a floating time`);
  }
  // toUnixTime() converts through the zone's UTC offset at that wall time.
  const iso = new Date(time.toUnixTime() * 1000).toISOString();
  return { tzid: tzid || null, utc: iso.replace(".000Z", "Z") };
}

const path = process.argv[2] && process.argv[2] !== "-" ? process.argv[2] : 0;
let text;
try {
  text = readFileSync(path, "utf8");
} catch (err) {
  fail(`cannot read input: ${err.message}`);
}

let root;
try {
  root = new ICAL.Component(ICAL.parse(text));
} catch (err) {
  fail(`parse error: ${err.message}`);
}

const events = root.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  const start = instant(event, "dtstart");
  const end = instant(event, "dtend");
  return { uid: event.uid, tzid: start.tzid, start: start.utc, end: end.utc };
});

process.stdout.write(
  JSON.stringify({ parser: "ical.js", version, events }) + "\n",
);
