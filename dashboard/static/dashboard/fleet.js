// The fleet page: commands go over HTTP, the speaker's reply comes back over the socket;
// the table refreshes itself when a speaker's state changes (and every 15 s, from the database).
(function () {
  "use strict";
  var box = document.getElementById("fleet");
  if (!box) return;
  var S = window.ShopCrier = window.ShopCrier || {};
  var pending = {};

  function refresh() {
    if (document.querySelector("#fleet input:focus")) return;  // never under someone's typing
    fetch(box.dataset.url, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) box.innerHTML = html; }).catch(function () {});
  }

  box.addEventListener("submit", function (e) {
    var form = e.target.closest("form.cmd");
    if (!form) return;
    e.preventDefault();
    var out = form.parentElement.querySelector("output.reply");
    S.post(form.dataset.url, new FormData(form)).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { out.textContent = body.error || r.statusText; out.className = "reply error"; return; }
        pending[body.id] = out;
        out.textContent = box.dataset.sent; out.className = "reply";
      });
    }).catch(function (err) { out.textContent = String(err); out.className = "reply error"; });
  });

  window.addEventListener("shopcrier:reply", function (e) {
    var d = e.detail, out = pending[d.id];
    if (!out) return;
    out.textContent = (d.ok ? box.dataset.ok : box.dataset.failed) + (d.detail ? " (" + d.detail + ")" : "");
    out.className = "reply " + (d.ok ? "ok" : "error");
    delete pending[d.id];
  });
  window.addEventListener("shopcrier:fleet", refresh);
  setInterval(refresh, 15000);
})();
