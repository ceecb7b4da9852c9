// The sales board (销售管道). Dragging a card (SortableJS) or choosing a stage in its "Move to…" menu
// posts to the board's move endpoint with the card's version; dropping on Won or Lost (or the
// menu's "Close as…") opens a dialog that posts to the close endpoint. Every rule (the stage-task
// gate, closing reasons, versions) is decided by the server: this file only shows its answer.
(function () {
  "use strict";
  var texts = {};
  var pending = null; // the card a Won/Lost dialog is about

  function board() { return document.getElementById("board"); }

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function urlFor(kind, id) {
    return board().dataset[kind + "Url"].replace("/0/", "/" + encodeURIComponent(id) + "/");
  }

  function say(kind, message, items) {
    var region = document.getElementById("board-status");
    if (!region) return;
    var box = document.createElement("div");
    box.className = "alert alert-" + kind + " alert-dismissible py-2 mb-0";
    box.setAttribute("role", kind === "danger" ? "alert" : "status");
    box.dataset.testid = "board-message";
    var text = document.createElement("div");
    text.textContent = message || "";
    box.appendChild(text);
    if (items && items.length) {
      var list = document.createElement("ul");
      list.className = "mb-0 small";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item;
        list.appendChild(li);
      });
      box.appendChild(list);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", texts.close || "Close");
    box.appendChild(close);
    region.replaceChildren(box);
  }

  function fieldMessages(data) {
    var out = [];
    Object.keys(data.fields || {}).forEach(function (name) {
      (data.fields[name] || []).forEach(function (m) {
        if ((data.message || "").indexOf(m) < 0 && out.indexOf(m) < 0) out.push(m);
      });
    });
    return out;
  }

  function post(url, values) {
    var body = new URLSearchParams(values);
    body.set("query", board().dataset.query || "");
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: body,
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: texts.failed };
      }).then(function (data) {
        data.status = response.status;
        return data;
      });
    });
  }

  // Redraw what the server sent back: every column header, the summary, the card (or remove it).
  function apply(data, id) {
    Object.keys(data.headers || {}).forEach(function (stage) {
      var head = document.getElementById("column-head-" + stage);
      if (head) head.innerHTML = data.headers[stage];
    });
    var summary = document.getElementById("board-summary");
    if (summary && data.summary) summary.outerHTML = data.summary;
    var card = document.getElementById("card-" + id);
    if (!card) return;
    if (data.card) {
      card.outerHTML = data.card;
    } else {
      card.remove();
    }
  }

  function reloadColumn(stage) {
    var root = board();
    if (!root || !document.getElementById("column-" + stage)) return;
    var url = root.dataset.boardUrl + "?" + root.dataset.query + "&stage=" + encodeURIComponent(stage);
    window.htmx.ajax("GET", url, { target: "#column-" + stage, swap: "outerHTML" });
  }

  function putBack(card, from, index) {
    if (!from) return;
    from.insertBefore(card, from.children[index] || null);
  }

  function cardsOf(stage) {
    return document.querySelector('.board-cards[data-stage="' + stage + '"]');
  }

  // from/index: where a dragged card came from (null for the menu: the card has not moved yet).
  function move(card, stage, from, index) {
    var id = card.dataset.id;
    var source = card.dataset.stage;
    card.setAttribute("aria-busy", "true");
    return post(urlFor("move", id), { stage: stage, version: card.dataset.version }).then(function (data) {
      card.removeAttribute("aria-busy");
      if (data.ok) {
        if (!from) {
          var target = cardsOf(stage);
          if (target) target.insertBefore(card, target.firstChild);
        }
        var list = cardsOf(stage);
        var empty = list && list.querySelector(".board-empty");
        if (empty) empty.remove();
        apply(data, id);
        say(data.warnings && data.warnings.length ? "warning" : "success", data.message, data.warnings);
        return;
      }
      putBack(card, from, index);
      if (data.code === "stale_version") {
        reloadColumn(source);
        reloadColumn(stage);
        say("warning", texts.stale);
        return;
      }
      say("danger", data.message || texts.failed, fieldMessages(data));
    }).catch(function () {
      card.removeAttribute("aria-busy");
      putBack(card, from, index);
      say("danger", texts.failed);
    });
  }

  function dialogFor(kind) { return document.getElementById("board-" + kind); }

  function openClose(kind, card) {
    var modal = dialogFor(kind);
    if (!modal || !card) return;
    pending = card;
    var form = modal.querySelector("form");
    form.reset();
    form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
    form.querySelectorAll(".invalid-feedback").forEach(function (el) { el.textContent = ""; });
    var error = form.querySelector("[data-board-dialog-error]");
    error.classList.add("d-none");
    error.textContent = "";
    form.querySelector("[data-board-card-label]").textContent = card.dataset.code + " · " + card.dataset.name;
    window.bootstrap.Modal.getOrCreateInstance(modal).show();
  }

  function closeSubmit(form) {
    var kind = form.dataset.boardCloseForm;
    var card = pending;
    if (!card) return;
    var values = { outcome: kind, version: card.dataset.version };
    ["reason", "competitor", "note"].forEach(function (name) {
      if (form.elements[name]) values[name] = form.elements[name].value;
    });
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    post(urlFor("close", card.dataset.id), values).then(function (data) {
      button.disabled = false;
      var modal = window.bootstrap.Modal.getOrCreateInstance(dialogFor(kind));
      if (data.ok) {
        modal.hide();
        pending = null;
        apply(data, card.dataset.id);
        say("success", data.message);
        return;
      }
      if (data.code === "stale_version") {
        modal.hide();
        reloadColumn(card.dataset.stage);
        say("warning", texts.stale);
        return;
      }
      var shown = [];
      Object.keys(data.fields || {}).forEach(function (name) {
        var input = form.elements[name];
        var feedback = form.querySelector('.invalid-feedback[data-field="' + name + '"]');
        if (input && feedback) {
          input.classList.add("is-invalid");
          feedback.textContent = data.fields[name].join(" ");
          shown.push(name);
        }
      });
      var error = form.querySelector("[data-board-dialog-error]");
      var rest = [];
      Object.keys(data.fields || {}).forEach(function (name) {
        if (shown.indexOf(name) < 0) rest = rest.concat(data.fields[name]);
      });
      error.textContent = [data.message || texts.failed].concat(rest.filter(function (m) {
        return (data.message || "").indexOf(m) < 0;
      })).join(" ");
      error.classList.remove("d-none");
      var invalid = form.querySelector(".is-invalid");
      if (invalid) invalid.focus();
    }).catch(function () {
      button.disabled = false;
      say("danger", texts.failed);
    });
  }

  function init() {
    var textsNode = document.getElementById("board-texts");
    if (textsNode) texts = JSON.parse(textsNode.textContent);
    if (!window.Sortable || !board()) return;
    document.querySelectorAll(".board-cards:not([data-sortable])").forEach(function (list) {
      list.dataset.sortable = "1";
      window.Sortable.create(list, {
        group: { name: "board", pull: true, put: true },
        sort: false,
        draggable: ".board-card",
        filter: ".dropdown, .dropdown-menu, .board-more",
        preventOnFilter: false,
        forceFallback: true,
        fallbackTolerance: 4,
        delay: 180,
        delayOnTouchOnly: true,
        onEnd: function (evt) {
          if (evt.to === evt.from || evt.to.dataset.zone) return;
          move(evt.item, evt.to.dataset.stage, evt.from, evt.oldIndex);
        },
      });
    });
    document.querySelectorAll(".board-zone:not([data-sortable])").forEach(function (zone) {
      zone.dataset.sortable = "1";
      window.Sortable.create(zone, {
        group: { name: "board", pull: false, put: true },
        sort: false,
        draggable: ".board-card",
        onAdd: function (evt) {
          putBack(evt.item, evt.from, evt.oldIndex);
          openClose(zone.dataset.zone, evt.item);
        },
      });
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches("[data-board-move-form]")) {
      var button = event.submitter;
      if (!button || !button.value) return;
      event.preventDefault();
      move(form.closest(".board-card"), button.value, null, 0);
    } else if (form.matches("[data-board-close-form]")) {
      event.preventDefault();
      closeSubmit(form);
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-board-close]");
    if (!button) return;
    event.preventDefault();
    openClose(button.dataset.boardClose, button.closest(".board-card"));
  });
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
