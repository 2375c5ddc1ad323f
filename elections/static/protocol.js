// Protocol entry: shows the control relations live and keeps typed figures in this
// browser until the server confirms the save, so a dropped connection loses nothing.
(function () {
  "use strict";
  var form = document.getElementById("protocol-form");
  if (!form) { return; }
  var key = "draft:" + form.dataset.draftKey;
  var saved = document.querySelector("[data-saved-version]");
  var hint = document.querySelector("[data-label-holds]");
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-line]"));

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

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

  function show(name, left, right, holds) {
    // The live list only: the server's error list names its failed relations the same way.
    var item = form.querySelector('#relations [data-relation="' + name + '"]');
    if (!item) { return; }
    var out = item.querySelector("output");
    if (left === null || right === null) {
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
  }

  function saveDraft() {
    var store = storage();
    if (!store) { return; }
    var figures = {};
    inputs.forEach(function (input) { figures[input.name] = input.value; });
    store.setItem(key, JSON.stringify({ base: form.dataset.baseVersion, figures: figures }));
  }

  function restoreDraft() {
    var store = storage();
    if (!store) { return; }
    var raw = store.getItem(key);
    if (!raw) { return; }
    try {
      var draft = JSON.parse(raw);
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
    } catch (e) { store.removeItem(key); }
  }

  restoreDraft();
  check();
  inputs.forEach(function (input) {
    input.addEventListener("input", function () { check(); saveDraft(); });
  });
  form.addEventListener("submit", saveDraft);
})();
