// Standard paragraphs: an "Insert" button marked data-insert-paragraph="<template id>" puts the
// paragraph's text into the textarea data-insert-target="<id>", at the cursor (or at the end if
// the text has not been touched), as a paragraph of its own. Without JavaScript the same button
// posts the form and the server adds the paragraph at the end.
(function () {
  "use strict";

  function asParagraph(before, text, after) {
    var prefix = "";
    if (before && !/\n\n$/.test(before)) {
      prefix = /\n$/.test(before) ? "\n" : "\n\n";
    }
    var suffix = "";
    if (after && !/^\n\n/.test(after)) {
      suffix = /^\n/.test(after) ? "\n" : "\n\n";
    }
    return { text: prefix + text + suffix, caret: before.length + prefix.length + text.length };
  }

  function insert(textarea, text) {
    var value = textarea.value;
    var touched = textarea.dataset.touched === "1";
    var start = touched ? textarea.selectionStart : value.replace(/\s+$/, "").length;
    var end = touched ? textarea.selectionEnd : value.length;
    var before = value.slice(0, start);
    var after = value.slice(end);
    var piece = asParagraph(before, text, after);
    textarea.value = before + piece.text + after;
    textarea.focus();
    textarea.setSelectionRange(piece.caret, piece.caret);
    textarea.dataset.touched = "1";
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Where the caseworker last put the cursor counts; an untouched letter grows at the end.
  document.addEventListener("focusin", function (event) {
    if (event.target.tagName === "TEXTAREA") {
      event.target.dataset.touched = "1";
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-paragraph]");
    if (!button) {
      return;
    }
    var source = document.getElementById(button.getAttribute("data-insert-paragraph"));
    var target = document.getElementById(button.getAttribute("data-insert-target"));
    if (!source || !target) {
      return;
    }
    event.preventDefault();
    var text = source.content ? source.content.textContent : source.textContent;
    insert(target, text);
  });
})();
