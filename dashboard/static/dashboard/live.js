// The page's live link: one websocket to /ws/feed, reconnecting with back-off.
// After every (re)connect it asks for what it missed since the last message id
// it saw, so a page that slept or lost the network catches up from the database.
// Pages listen for "shopcrier:<type>" events on window.
(function () {
  "use strict";
  var status = document.getElementById("live-status");
  var delay = 500;
  var socket = null;
  var state = window.ShopCrier = window.ShopCrier || {};
  state.lastId = state.lastId || 0;
  state.connected = false;

  function shownIds() {
    return Array.prototype.map.call(document.querySelectorAll("[data-id]"), function (el) {
      return parseInt(el.getAttribute("data-id"), 10);
    }).filter(function (n) { return !isNaN(n); }).slice(0, 500);
  }

  function show(connected) {
    state.connected = connected;
    if (!status) return;
    status.hidden = false;
    status.textContent = connected ? status.dataset.connected : status.dataset.disconnected;
    status.className = "live-status " + (connected ? "on" : "off");
  }

  function catchup() {
    if (socket && socket.readyState === 1) {
      // pages without a feed ask only about the rows they show (since -1: nothing newer)
      socket.send(JSON.stringify({type: "catchup", since: state.follow ? state.lastId : -1, shown: shownIds(),
                                  grouped: state.grouped === true}));
    }
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/ws/feed");
    socket.onopen = function () { delay = 500; show(true); catchup(); };
    socket.onmessage = function (e) {
      var data;
      try { data = JSON.parse(e.data); } catch (err) { return; }
      if (data.type === "message" && data.id > state.lastId) state.lastId = data.id;
      // id → how many times the live news told of it (catch-up answers may repeat it, harmlessly)
      state.heard = state.heard || {};
      if (data.type === "message" && !data.catchup) state.heard[data.id] = (state.heard[data.id] || 0) + 1;
      if (data.type === "resync") { catchup(); return; }
      if (data.type === "alerts") refreshBanner();
      window.dispatchEvent(new CustomEvent("shopcrier:" + data.type, {detail: data}));
    };
    socket.onclose = function (e) {
      show(false);
      if (e.code === 4401) { location.reload(); return; }  // the session ended: the login page
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 15000);
    };
  }

  function refreshBanner() {
    var banner = document.getElementById("alert-banner");
    if (!banner) return;
    fetch(banner.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (html) { banner.innerHTML = html; }).catch(function () {});
  }

  state.csrf = function () {
    var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  };
  state.post = function (url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin", body: body,
      headers: {"X-CSRFToken": state.csrf(), "Accept": "application/json"}});
  };
  document.addEventListener("visibilitychange", function () { if (!document.hidden) catchup(); });
  // States also change with time alone (expired) or in the worker (escalated): re-read the shown rows each minute.
  setInterval(catchup, 60000);
  // on a phone the header's nav is one line that scrolls sideways: bring the current page's link into it
  var current = document.querySelector(".top nav a[aria-current]");
  if (current && current.parentNode.scrollWidth > current.parentNode.clientWidth) {
    current.parentNode.scrollLeft = current.offsetLeft + current.offsetWidth - current.parentNode.clientWidth
                                    - current.parentNode.offsetLeft + 12;
  }
  connect();
})();
