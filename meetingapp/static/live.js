// The live clock on the console, the room board and the phone: counts down from the last state
// the server sent, on the server's time (the offset measured at every event, not the device's
// clock), runs the phases on by itself when the connection drops, and catches up on reconnect.
(function () {
  "use strict";
  var root = document.querySelector("[data-live]");
  if (!root) { return; }
  var dataNode = document.getElementById("live-clock");
  var state = JSON.parse(dataNode.textContent);
  var seatsNode = document.getElementById("live-seats");
  var seats = seatsNode ? JSON.parse(seatsNode.textContent) : null;
  var offset = Date.parse(state.server_time) - Date.now();
  var planVersion = state.plan_version;
  root.setAttribute("data-plan-version", String(planVersion));
  var labels = JSON.parse(document.getElementById("live-labels").textContent);
  var lastPhase = state.state + ":" + state.round;
  var page = 0;
  var pageTurn = Date.now();

  function serverNow() { return Date.now() + offset; }

  // The same rules as meetingapp/domain/live.py: phases run out one after the other.
  function advance(s) {
    var guard = 0;
    while ((s.state === "talking" || s.state === "moving") && s.phase_ends_at &&
           serverNow() >= Date.parse(s.phase_ends_at) && guard++ < 100) {
      var ended = Date.parse(s.phase_ends_at);
      if (s.state === "moving") {
        s = copy(s, "talking", s.round, ended + s.round_seconds * 1000);
      } else if (s.round >= s.rounds) {
        s = copy(s, "finished", s.round, null);
      } else if (s.move_seconds > 0) {
        s = copy(s, "moving", s.round + 1, ended + s.move_seconds * 1000);
      } else {
        s = copy(s, "talking", s.round + 1, ended + s.round_seconds * 1000);
      }
    }
    return s;
  }

  function copy(s, phase, round, ends) {
    var out = {};
    for (var key in s) { if (Object.prototype.hasOwnProperty.call(s, key)) { out[key] = s[key]; } }
    out.state = phase;
    out.round = round;
    out.phase_ends_at = ends === null ? null : new Date(ends).toISOString();
    return out;
  }

  function secondsLeft(s) {
    if (s.state === "paused") { return s.seconds_left; }
    if (!s.phase_ends_at) { return null; }
    return Math.max(0, Math.ceil((Date.parse(s.phase_ends_at) - serverNow()) / 1000));
  }

  function clockText(seconds) {
    if (seconds === null || seconds === undefined) { return "–:––"; }
    var m = Math.floor(seconds / 60);
    var s = seconds % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }

  function setText(selector, text) {
    var nodes = root.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) { if (nodes[i].textContent !== text) { nodes[i].textContent = text; } }
  }

  // The round whose seats hold now (while moving, the round people move to) and the next one.
  function seatedRound(s) { return s.state === "waiting" ? 1 : s.round; }

  function renderSeats(s) {
    if (!seats) { return; }
    var now = seatedRound(s);
    var next = now !== null && now < s.rounds ? now + 1 : null;
    if (seats.mine) {
      renderStop("now", seats.mine[String(now)]);
      renderStop("next", next !== null ? seats.mine[String(next)] : null);
    }
    if (seats.board) {
      var shown = s.state === "talking" && next !== null ? next : now;
      renderBoard(seats.board[String(shown)] || [], shown);
    }
    if (seats.hosted) {
      toggleRounds(now, next);
    }
  }

  function renderStop(which, stop) {
    var box = root.querySelector("[data-stop='" + which + "']");
    if (!box) { return; }
    box.hidden = !stop;
    if (!stop) { return; }
    setText("[data-stop='" + which + "'] [data-table]", stop.code);
    setText("[data-stop='" + which + "'] [data-topic]", stop.topic);
    setText("[data-stop='" + which + "'] [data-host]", stop.host || "");
    var hostLine = box.querySelector("[data-host-line]");
    if (hostLine) { hostLine.hidden = !stop.host; }
  }

  function toggleRounds(now, next) {
    var blocks = root.querySelectorAll("[data-host-round]");
    for (var i = 0; i < blocks.length; i++) {
      var r = Number(blocks[i].getAttribute("data-host-round"));
      blocks[i].hidden = !(r === now || r === next);
    }
  }

  function renderBoard(list, round) {
    var box = root.querySelector("[data-board-list]");
    if (!box) { return; }
    var perPage = Number(box.getAttribute("data-per-page")) || 24;
    var pages = Math.max(1, Math.ceil(list.length / perPage));
    if (Date.now() - pageTurn > 8000) { page = (page + 1) % pages; pageTurn = Date.now(); }
    if (page >= pages) { page = 0; }
    var slice = list.slice(page * perPage, (page + 1) * perPage);
    var key = planVersion + ":" + round + ":" + page + ":" + list.length;
    if (box.getAttribute("data-key") !== key) {
      box.setAttribute("data-key", key);
      while (box.firstChild) { box.removeChild(box.firstChild); }
      for (var i = 0; i < slice.length; i++) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.className = "board-name";
        name.textContent = slice[i][0];
        var table = document.createElement("span");
        table.className = "board-table";
        table.textContent = slice[i][1];
        li.appendChild(name);
        li.appendChild(table);
        box.appendChild(li);
      }
    }
    setText("[data-board-round]", round ? labels.board_round.replace("{n}", round) : "");
    setText("[data-board-page]", pages > 1 ? labels.page.replace("{n}", page + 1).replace("{of}", pages) : "");
  }

  function beep() {
    var sound = root.querySelector("[data-sound]");
    if (!sound || !sound.checked) { return; }
    try {
      var AudioCtx = window.AudioContext || window.webkitAudioContext;
      var ctx = new AudioCtx();
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = 880;
      osc.connect(gain);
      gain.connect(ctx.destination);
      gain.gain.setValueAtTime(0.25, ctx.currentTime);
      osc.start();
      osc.stop(ctx.currentTime + 0.6);
    } catch (e) { /* no audio here: the board still shows "move now" */ }
  }

  function render() {
    var s = advance(state);
    var left = secondsLeft(s);
    var warn = s.state === "talking" && left !== null && left <= state.warning_seconds;
    root.setAttribute("data-state", s.state);
    root.classList.toggle("live-warning", warn);
    setText("[data-clock]", clockText(left));
    setText("[data-phase]", warn ? labels.warning : (labels[s.state] || s.state));
    setText("[data-round]", s.round ? labels.round.replace("{n}", s.round).replace("{of}", s.rounds) : "");
    var phase = s.state + ":" + s.round;
    if (phase !== lastPhase) {
      if (s.state === "moving" || s.state === "finished") { beep(); }
      lastPhase = phase;
    }
    renderSeats(s);
  }

  // The connection: EventSource reconnects by itself after a dropped stream, but not after an
  // error answer (a proxy's 502 during a deploy), and a phone that lost its network may not
  // notice for minutes. So: offline at once when the browser says so, back when it is online,
  // a new connection when nothing (not even a heartbeat) has come for three heartbeats, and
  // our own retries, spaced out, when EventSource gives up.
  var source = null;
  var leaving = false;
  var lastHeard = Date.now();
  var retryDelay = 2000;
  var retryTimer = null;
  var silentMs = 3 * 1000 * (state.heartbeat_seconds || 15) + 5000;

  function offline() { root.classList.add("live-offline"); }

  function onLive(event) {
    lastHeard = Date.now();
    if (leaving) { return; }
    var next = JSON.parse(event.data);
    offset = Date.parse(next.server_time) - Date.now();
    keepTimings(next);
    state = next;
    retryDelay = 2000;
    root.classList.remove("live-offline");
    render();
    if (next.plan_version !== planVersion) { newPlan(next.plan_version); }
  }

  function keepTimings(next) {
    next.round_seconds = state.round_seconds;
    next.move_seconds = state.move_seconds;
    next.warning_seconds = state.warning_seconds;
    next.heartbeat_seconds = state.heartbeat_seconds;
  }

  // A re-plan: the board and a participant's phone fetch their seats (JSON from the same
  // address) and stay; the console and a host's phone, with their forms, load again.
  var fetching = null;
  function newPlan(version) {
    var inPlace = seats && window.fetch && (seats.board ||
      (seats.mine && !seats.hosted && root.querySelector("[data-stop]")));
    if (!inPlace) { leave(); window.location.reload(); return; }
    if (fetching === version) { return; }
    fetching = version;
    window.fetch(window.location.pathname, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }, function () {
        // No network (the phone went offline meanwhile): a reload would lose the page and its
        // clock, so keep counting and ask again once the stream is back.
        fetching = null;
        return null;
      })
      .then(function (data) {
        if (data === null) { return; }
        fetching = null;
        var mine = data.seats.mine;
        if (mine && Object.keys(mine).length === 0) { leave(); window.location.reload(); return; }
        seats = data.seats;
        planVersion = data.clock.plan_version;
        if (data.clock.version >= state.version) {  // not older than an event heard meanwhile
          keepTimings(data.clock);
          state = data.clock;
          offset = Date.parse(state.server_time) - Date.now();
        }
        render();
        root.setAttribute("data-plan-version", String(planVersion));
      })
      .catch(function () { leave(); window.location.reload(); });
  }

  function leave() {
    leaving = true;
    if (source) { source.close(); }
  }

  function retryLater() {
    if (retryTimer || leaving) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; connect(); },
                                   retryDelay + Math.random() * 1000);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function connect() {
    if (!window.EventSource || leaving) { return; }
    if (source) { source.close(); }
    lastHeard = Date.now();
    source = new EventSource(root.getAttribute("data-stream"));
    source.addEventListener("live", onLive);
    source.addEventListener("ping", function () { lastHeard = Date.now(); });
    source.addEventListener("error", function (event) {
      offline();
      if (event.target === source && source.readyState === EventSource.CLOSED) { retryLater(); }
    });
  }

  function watchdog() {
    if (source && !leaving && navigator.onLine !== false && Date.now() - lastHeard > silentMs) {
      offline();
      connect();
    }
  }

  // A form sent from this page (the console's buttons) loads the next page itself: a reload
  // for the event that form caused would race it.
  document.addEventListener("submit", leave);
  window.addEventListener("offline", function () {
    offline();
    if (source) { source.close(); }
  });
  window.addEventListener("online", connect);

  render();
  window.setInterval(function () { render(); watchdog(); }, 250);
  connect();
}());
