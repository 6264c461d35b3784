// The live feed: rows arrive and change over the socket (live.js); sound and
// desktop notifications after one click; acknowledge one or all of mine.
(function () {
  "use strict";
  var feed = document.getElementById("feed");
  if (!feed) return;
  var rows = document.getElementById("rows");
  var S = window.ShopCrier = window.ShopCrier || {};
  S.lastId = Math.max(S.lastId || 0, parseInt(feed.dataset.lastId, 10) || 0);
  S.follow = true;
  S.sound = {enabled: false, played: [], errors: []};
  var soundNames = JSON.parse(document.getElementById("sound-names").textContent);
  var openCount = parseInt(feed.dataset.open, 10) || 0;
  var live = feed.dataset.live === "1";
  var f = feed.dataset;
  var baseTitle = document.title.replace(/^\(\d+\+?\)\s*/, "");
  var favicon = document.getElementById("favicon");
  var iconHref = favicon ? favicon.href : "";

  function isOpen(state) { return state === "new" || state === "escalated"; }

  function paintCount() {
    document.title = (openCount > 0 ? "(" + openCount + ") " : "") + baseTitle;
    S.openCount = openCount;
    if (!favicon) return;
    if (openCount <= 0) { favicon.href = iconHref; return; }
    var img = new Image();
    img.onload = function () {
      var c = document.createElement("canvas"); c.width = c.height = 64;
      var g = c.getContext("2d");
      g.drawImage(img, 0, 0, 64, 64);
      g.fillStyle = "#dc2626"; g.beginPath(); g.arc(44, 20, 20, 0, 2 * Math.PI); g.fill();
      g.fillStyle = "#fff"; g.font = "bold 26px sans-serif"; g.textAlign = "center"; g.textBaseline = "middle";
      g.fillText(openCount > 99 ? "99" : String(openCount), 44, 21);
      favicon.href = c.toDataURL("image/png");
    };
    img.src = iconHref;
  }

  function matches(d) {
    if (f.filterCategory && d.category !== f.filterCategory) return false;
    if (f.filterPriority && d.priority !== f.filterPriority) return false;
    if (f.filterState && d.state !== f.filterState) return false;
    if (f.filterScope && f.filterScope !== "all" && d.scopes.indexOf(f.filterScope) < 0) return false;
    if (f.filterDay && d.day !== f.filterDay) return false;
    if (f.filterQ) {
      var q = f.filterQ.toLowerCase();
      if ((d.text + " " + d.user).toLowerCase().indexOf(q) < 0) return false;
    }
    return true;
  }

  function toNode(html) {
    var t = document.createElement("template");
    t.innerHTML = html.trim();
    return t.content.firstElementChild;
  }

  function insert(node, id) {
    var empty = rows.querySelector(".empty");
    if (empty) empty.remove();
    var items = rows.querySelectorAll(":scope > li[data-id]");  // top-level entries, not a group's members
    for (var i = 0; i < items.length; i++) {
      if (parseInt(items[i].dataset.id, 10) < id) { rows.insertBefore(node, items[i]); return; }
    }
    rows.appendChild(node);
  }

  var lastSoundAt = 0;
  function playSound(d) {
    // one sound at a time: a burst (or a catch-up after a long disconnect) is one chime, not fifty
    if (!S.sound.enabled || Date.now() - lastSoundAt < 1500) return;
    lastSoundAt = Date.now();
    var name = soundNames[d.category + ":" + d.priority] || ("other-" + d.priority);
    var audio = new Audio(f.soundBase + name + ".wav");
    audio.play().then(function () { S.sound.played.push({id: d.id, src: audio.src}); })
      .catch(function (e) { S.sound.errors.push(String(e)); });
  }

  function notify(d) {
    if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) return;
    try { new Notification(baseTitle, {body: d.text, tag: "m" + d.id, icon: iconHref}); } catch (e) { /* not allowed here */ }
  }

  // -- the grouped feed (dashboard/groups.py): an entry is a group row or one message's row -----
  var grouped = f.grouped === "1";
  S.grouped = grouped;  // told to the socket with each catch-up (live.js)
  S.arrived = S.arrived || {};  // message id → when this page showed it (the latency benchmark reads it)

  function entryFor(gid) { return gid ? rows.querySelector(':scope > li[data-group="' + gid + '"]') : null; }

  function openOf(entry) {
    if (!entry) return 0;
    if (entry.classList.contains("group")) return parseInt(entry.dataset.open, 10) || 0;
    return isOpen(entry.dataset.state) ? 1 : 0;
  }

  // The group's new row takes the place of whatever showed the group; an expanded group stays expanded.
  function showGroup(d) {
    var old = entryFor(d.group);
    var node = toNode(d.group_html);
    var delta = openOf(node) - openOf(old);
    if (old) {
      var list = old.querySelector(":scope > ul.members");
      if (list && !list.hidden) {
        node.replaceChild(list, node.querySelector(":scope > ul.members"));
        node.querySelector("button.expand").setAttribute("aria-expanded", "true");
        // (looked up in the list itself: it is out of the document until the new row goes in)
        if (!list.querySelector("#m" + d.id)) list.insertBefore(toNode(d.html), list.firstElementChild);
      }
      old.remove();
    }
    insert(node, parseInt(node.dataset.id, 10));
    return delta;
  }

  window.addEventListener("shopcrier:message", function (e) {
    var d = e.detail;
    var existing = document.getElementById("m" + d.id);
    if (grouped && d.group_size > 1 && (entryFor(d.group) || (live && matches(d)))) {
      if (existing) existing.replaceWith(toNode(d.html));
      openCount += showGroup(d);
      if (existing) { paintCount(); return; }
    } else if (existing) { existing.replaceWith(toNode(d.html)); return; }
    else if (!live || !matches(d)) return;
    else { insert(toNode(d.html), d.id); if (isOpen(d.state)) openCount += 1; }
    S.arrived[d.id] = Date.now();
    if (d.timing) { S.timing = S.timing || {}; S.timing[d.id] = {heard: d.timing.heard, sent: d.timing.sent, shown: Date.now()}; }
    paintCount();
    if (isOpen(d.state)) { playSound(d); notify(d); }
  });

  window.addEventListener("shopcrier:changed", function (e) {
    var d = e.detail;
    var existing = document.getElementById("m" + d.id);
    if (grouped && d.group_size > 1 && entryFor(d.group)) {
      if (existing) existing.replaceWith(toNode(d.html));
      openCount = Math.max(0, openCount + showGroup(d));
      paintCount();
      return;
    }
    if (!existing) return;
    var top = existing.parentNode === rows;
    if (top && isOpen(existing.dataset.state) && !isOpen(d.state)) { openCount = Math.max(0, openCount - 1); paintCount(); }
    existing.replaceWith(toNode(d.html));
  });

  rows.addEventListener("click", function (e) {
    var expand = e.target.closest("button.expand");
    if (expand) {
      var list = expand.closest("li.group").querySelector(":scope > ul.members");
      var opening = list.hidden;
      list.hidden = !opening;
      expand.setAttribute("aria-expanded", opening ? "true" : "false");
      if (opening) {
        fetch(expand.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.text() : ""; })
          .then(function (html) { list.innerHTML = html; }).catch(function () {});
      }
      return;
    }
    var group = e.target.closest("button.ack-group");
    if (group) {
      if (!window.confirm(feed.dataset.ackGroupConfirm)) return;
      group.disabled = true;
      S.post(group.dataset.url).then(function (r) { if (!r.ok) group.disabled = false; })
        .catch(function () { group.disabled = false; });
      return;
    }
    var button = e.target.closest("button.ack");
    if (!button) return;
    button.disabled = true;
    S.post(button.dataset.url).then(function (r) { if (!r.ok) button.disabled = false; })
      .catch(function () { button.disabled = false; });
  });

  var ackMine = document.getElementById("ack-mine");
  if (ackMine) ackMine.addEventListener("click", function () {
    if (!window.confirm(ackMine.dataset.confirm)) return;
    ackMine.disabled = true;
    S.post(feed.dataset.ackMineUrl).finally(function () { ackMine.disabled = false; });
  });

  var enable = document.getElementById("enable-sound");
  enable.addEventListener("click", function () {
    S.sound.enabled = true;
    enable.textContent = enable.dataset.on;
    enable.classList.add("on");
    enable.setAttribute("aria-pressed", "true");
    if ("Notification" in window && Notification.permission === "default") {
      Notification.requestPermission().then(function (p) { if (p === "granted") subscribePush(); });
    } else subscribePush();
  });

  // Web Push (docs/channels.md): this browser's subscription goes to the hub, so the phone in a pocket hears too.
  function subscribePush() {
    if (!feed.dataset.pushKeyUrl || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    S.push = {state: "subscribing"};
    navigator.serviceWorker.ready.then(function (reg) {
      return fetch(feed.dataset.pushKeyUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (k) { return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: bytes(k.key)}); })
        .then(function (sub) { return S.post(feed.dataset.pushSubscribeUrl, JSON.stringify(sub)); })
        .then(function (r) { S.push = {state: r.ok ? "subscribed" : "refused"}; });
    }).catch(function (e) { S.push = {state: "failed", error: String(e)}; });
  }

  function bytes(base64url) {
    var b64 = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
  }
  // wide screens show the filters; a phone keeps them folded until asked
  var box = document.getElementById("filter-box");
  if (box && window.matchMedia("(min-width: 760px)").matches) box.open = true;
  paintCount();
})();
