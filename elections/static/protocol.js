// Protocol entry: shows the control relations live, keeps typed figures in this browser
// until the server confirms the save, and sends the form through fetch so that a dropped
// connection is said in the page (not the browser's error page). Without JavaScript the
// form is a plain POST and every answer is a whole page; with it, the answer's <main>
// takes the place of this one.
//
// A send that got no answer may still have landed. Its Idempotency-Key is kept on this
// device ("pending:..."), and the next load asks the server whether a save with that key
// arrived (if not yet, once more a few seconds later: it may still be on its way); a send
// again carries the same key, so the server replays the first save instead of making a
// second version.
(function () {
  "use strict";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function read(store, key) {
    if (!store) { return null; }
    try { return JSON.parse(store.getItem(key)); } catch (e) { store.removeItem(key); return null; }
  }

  function canFetch() {
    return !!(window.fetch && window.FormData && window.URLSearchParams && window.DOMParser);
  }

  function init() {
    var form = document.getElementById("protocol-form");
    if (!form) { return; }
    var store = storage();
    var key = "draft:" + form.dataset.draftKey;
    var pendingKey = "pending:" + form.dataset.draftKey;
    var saved = document.querySelector("[data-saved-version]");
    var summary = document.getElementById("server-errors");
    var hint = document.querySelector("[data-label-holds]");
    var problem = document.getElementById("send-problem");
    var lastSend = document.getElementById("last-send");
    var button = form.querySelector("button[type=submit]");
    var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-line]"));

    function value(name) {
      var input = form.elements[name];
      if (!input || !/^\d+$/.test(input.value.trim())) { return null; }
      return parseInt(input.value.trim(), 10);
    }

    function candidateVotes() {
      var sum = 0;
      for (var i = 0; i < inputs.length; i++) {
        if (inputs[i].name.indexOf("votes-") === 0) {
          var v = value(inputs[i].name);
          if (v === null) { return null; }
          sum += v;
        }
      }
      return sum;
    }

    function remark() {
      // A line stays marked while one of its messages is shown.
      inputs.forEach(function (input) {
        var row = input.closest("tr");
        var shown = Array.prototype.filter.call(
          row.querySelectorAll(".field-error"), function (m) { return !m.hidden; });
        var ids = shown.map(function (m) { return m.id; }).join(" ");
        row.classList.toggle("has-error", shown.length > 0);
        row.querySelector(".mark").hidden = shown.length === 0;
        if (shown.length) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", ids);
        } else {
          input.removeAttribute("aria-invalid");
          input.removeAttribute("aria-describedby");
        }
      });
    }

    function show(name, left, right, holds) {
      var item = form.querySelector('#relations [data-relation="' + name + '"]');
      if (!item) { return; }
      var out = item.querySelector("output");
      var marks = form.querySelectorAll('[data-relation-mark="' + name + '"]');
      var complete = left !== null && right !== null;
      // The server's mark beside a line goes once the relation holds on what is typed now.
      for (var i = 0; i < marks.length; i++) { marks[i].hidden = complete && holds; }
      if (!complete) {
        out.textContent = hint.dataset.labelIncomplete;
        item.className = "";
        return;
      }
      out.textContent = left + " / " + right + " — " + (holds ? hint.dataset.labelHolds : hint.dataset.labelFails);
      item.className = holds ? "ok" : "bad";
    }

    function plus(a, b) { return a === null || b === null ? null : a + b; }

    function check() {
      var l1 = value("voters_on_list"), l2 = value("ballots_received"), l3 = value("ballots_issued");
      var l4 = value("ballots_cancelled"), l5 = value("ballots_in_boxes"), l6 = value("invalid_ballots");
      var against = value("against_all"), votes = candidateVotes();
      var r1 = plus(l3, l4);
      show("received_equals_issued_plus_cancelled", l2, r1, l2 === r1);
      show("issued_not_above_list", l3, l1, l3 !== null && l1 !== null && l3 <= l1);
      show("in_boxes_not_above_issued", l5, l3, l5 !== null && l3 !== null && l5 <= l3);
      var r4 = plus(plus(l6, votes), against);
      show("in_boxes_equals_invalid_plus_votes", l5, r4, l5 === r4);
      remark();
    }

    function typed() {
      var figures = {};
      inputs.forEach(function (input) { figures[input.name] = input.value; });
      return figures;
    }

    function same(a, b) {
      if (!a || !b) { return false; }
      return inputs.every(function (input) { return a[input.name] === b[input.name]; });
    }

    function saveDraft() {
      if (!store) { return; }
      store.setItem(key, JSON.stringify({ base: form.dataset.baseVersion, figures: typed() }));
    }

    function restoreDraft() {
      var draft = read(store, key);
      if (!draft) { return; }
      // A draft typed before the confirmed save is done; one typed after it (on this same
      // page, then reloaded) is based on the saved version and stays until its own save.
      if (saved && !(Number(draft.base) >= Number(saved.dataset.savedVersion))) {
        store.removeItem(key);
        return;
      }
      var restored = false;
      inputs.forEach(function (input) {
        if (draft.figures && draft.figures[input.name] !== undefined && input.value !== draft.figures[input.name]) {
          input.value = draft.figures[input.name];
          restored = true;
        }
      });
      if (restored) { document.getElementById("draft-note").hidden = false; }
    }

    function say(text) {
      lastSend.querySelector("p").textContent = text;
      lastSend.hidden = false;
    }

    var recheck = null;

    function askWhetherLanded(again) {
      var pending = read(store, pendingKey);
      if (!pending || !pending.key || !window.fetch) { return; }
      if (!again) { say(lastSend.dataset.checking); }
      // A key the server has not seen is "not received yet": the first send may still be on
      // its way. Asked once more after the server's pause, it is "did not arrive: send again".
      var url = form.dataset.sentUrl + "?key=" + encodeURIComponent(pending.key) + (again ? "&again=1" : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (answer) {
          var waiting = !answer.landed && !again && answer.ask_again_after;
          lastSend.dataset.state = answer.state || (answer.landed ? "landed" : "not_arrived");
          lastSend.classList.toggle("flash", !!answer.landed);
          lastSend.classList.toggle("errors", !answer.landed && !waiting);
          say(answer.message);
          if (answer.landed) {
            store.removeItem(pendingKey);
            if (same(read(store, key) && read(store, key).figures, pending.figures)) {
              // What this device kept is what landed: the page shows the server's figures.
              store.removeItem(key);
              inputs.forEach(function (input) { input.value = input.defaultValue; });
              document.getElementById("draft-note").hidden = true;
              check();
            }
            return;
          }
          // Sent again with the same key: should the first send still arrive, it is one save.
          form.elements.idempotency_key.value = pending.key;
          if (waiting) {
            recheck = window.setTimeout(function () { recheck = null; askWhetherLanded(true); },
              Number(answer.ask_again_after) * 1000);
          } else if (button && button.dataset.labelAgain) {
            button.textContent = button.dataset.labelAgain;
          }
        })
        .catch(function () { say(lastSend.dataset.unknown); });
    }

    function showAnswer(response, html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var main = document.getElementById("main");
      var freshMain = fresh.getElementById("main");
      if (!main || !freshMain) { window.location.assign(response.url); return; }
      document.title = fresh.title;
      main.innerHTML = freshMain.innerHTML;  // scripts in it do not run; this one runs again
      if (response.redirected) { window.history.replaceState(null, "", response.url); }
      window.scrollTo(0, 0);
      init();
    }

    function notSent() {
      if (button) {
        button.disabled = false;
        if (button.dataset.labelAgain) { button.textContent = button.dataset.labelAgain; }
      }
      problem.hidden = false;
      problem.focus();
    }

    function send() {
      if (recheck !== null) { window.clearTimeout(recheck); recheck = null; }
      var body = new URLSearchParams(new FormData(form));
      if (store) {
        store.setItem(pendingKey, JSON.stringify({
          key: form.elements.idempotency_key.value, figures: typed()
        }));
      }
      problem.hidden = true;
      lastSend.hidden = true;
      if (button) { button.disabled = true; }
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { Accept: "text/html" }
      })
        .then(function (response) {
          return response.text().then(function (html) { return { response: response, html: html }; });
        })
        .then(function (answer) {
          // The server answered: whatever it said, nothing is left pending.
          if (store) { store.removeItem(pendingKey); }
          showAnswer(answer.response, answer.html);
        }, notSent);
    }

    restoreDraft();
    check();
    inputs.forEach(function (input) {
      input.addEventListener("input", function () { check(); saveDraft(); });
    });
    form.addEventListener("submit", function (event) {
      saveDraft();
      if (!canFetch()) { return; }  // the plain POST
      event.preventDefault();
      send();
    });
    if (summary) {
      summary.focus();
    } else if (saved) {
      saved.focus();
    }
    askWhetherLanded();
  }

  init();
})();
