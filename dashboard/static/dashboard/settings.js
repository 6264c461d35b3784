// Settings: drag a rule row to reorder the rules; the whole order is saved at once.
(function () {
  "use strict";
  var table = document.getElementById("rules");
  if (!table) return;
  var body = table.tBodies[0];
  var saved = document.getElementById("rules-saved");
  var dragged = null;

  body.addEventListener("dragstart", function (e) {
    dragged = e.target.closest("tr");
    if (dragged) { dragged.classList.add("dragging"); e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", dragged.dataset.rule); }
  });
  body.addEventListener("dragover", function (e) {
    var over = e.target.closest("tr");
    if (!dragged || !over || over === dragged) return;
    e.preventDefault();
    var after = (e.clientY - over.getBoundingClientRect().top) > over.offsetHeight / 2;
    body.insertBefore(dragged, after ? over.nextSibling : over);
  });
  body.addEventListener("dragend", function () {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    var order = Array.prototype.map.call(body.rows, function (row) { return row.dataset.rule; }).join(",");
    var form = new FormData();
    form.append("order", order);
    window.ShopCrier.post(table.dataset.url, form).then(function (r) {
      return r.json().then(function (data) {
        saved.textContent = r.ok ? table.dataset.saved : data.error;
        saved.className = r.ok ? "reply ok" : "reply error";
      });
    });
  });
})();
