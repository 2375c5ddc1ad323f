// A table wider than its box (.table-scroll) scrolls inside it; this says so above the
// table, in the page's language (the body's data-scroll-hint), and lets the keyboard
// scroll it. Without JavaScript the shadows at the box's edges are the cue.
(function () {
  "use strict";
  var hint = document.body.getAttribute("data-scroll-hint");
  if (!hint) return;
  function mark() {
    var boxes = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < boxes.length; i += 1) {
      var box = boxes[i];
      var wide = box.scrollWidth > box.clientWidth + 1;
      var note = box.previousElementSibling;
      var noted = note !== null && note.classList.contains("scroll-hint");
      if (wide && !noted) {
        note = document.createElement("p");
        note.className = "scroll-hint no-print";
        note.textContent = hint;
        box.parentNode.insertBefore(note, box);
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", hint);
      } else if (!wide && noted) {
        note.parentNode.removeChild(note);
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  }
  mark();
  window.addEventListener("resize", mark);
})();
