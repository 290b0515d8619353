// Keyboard shortcuts. An element marked data-shortcut="x" is focused (fields) or followed
// (links, buttons) when x is pressed outside a text field; "?" opens the list of shortcuts.
(function () {
  "use strict";

  // Keys typed into a field are the field's; a checkbox, radio or button takes no letters, so
  // shortcuts still work there (j/k from a row's checkbox in a queue).
  function isTyping(target) {
    if (target.tagName === "INPUT") {
      return !/^(checkbox|radio|button|submit|reset)$/i.test(target.type);
    }
    return target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName);
  }

  // Lists marked data-rows: j/k move between rows (focusing each row's main link), x ticks
  // the current row's checkbox.
  function moveInList(event) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("[data-rows] [data-row]"));
    if (!rows.length || ["j", "k", "x"].indexOf(event.key) === -1) {
      return false;
    }
    var current = document.activeElement ? document.activeElement.closest("[data-row]") : null;
    var index = rows.indexOf(current);
    event.preventDefault();
    if (event.key === "x") {
      var box = (current || rows[0]).querySelector("input[type=checkbox]");
      if (box) {
        box.checked = !box.checked;
      }
      return true;
    }
    var next = event.key === "j" ? Math.min(index + 1, rows.length - 1) : Math.max(index - 1, 0);
    var link = rows[next].querySelector("[data-row-link]");
    if (link) {
      link.focus();
    }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    if (event.key === "?") {
      var help = document.getElementById("shortcuts-help");
      if (help && typeof help.showModal === "function") {
        event.preventDefault();
        help.showModal();
      }
      return;
    }
    if (moveInList(event)) {
      return;
    }
    var target = document.querySelector('[data-shortcut="' + CSS.escape(event.key) + '"]');
    if (!target) {
      return;
    }
    event.preventDefault();
    if (target.matches("a, button")) {
      target.click();
    } else {
      target.focus();
    }
  });
})();
