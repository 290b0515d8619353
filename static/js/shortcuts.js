// Keyboard shortcuts. An element marked data-shortcut="x" is focused (fields) or followed
// (links, buttons) when x is pressed outside a text field; "?" opens the list of shortcuts.
(function () {
  "use strict";

  function isTyping(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
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
