// Coding page (evaluation.md part C): turns a selection made in the transcript — with the
// mouse, or with the keyboard in caret browsing — into the start and end offsets the coding
// form sends. Each run of text in the page carries its offset in the stored transcript
// (data-offset), so the offsets are exact whatever the highlights around them.
// The form also works without this script: the lists of turns and sentences choose the
// passage. No inline script or handler (Content-Security-Policy).
(function () {
  "use strict";

  function piece(node) {
    var element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    return element ? element.closest("[data-offset]") : null;
  }

  // The offset in the transcript of a selection boundary, or null outside the text runs.
  function offsetOf(node, offset, isEnd) {
    var run = piece(node);
    if (run) {
      if (node.nodeType === Node.TEXT_NODE) {
        return Number(run.dataset.offset) + offset;
      }
      // A boundary between the children of a run: before or after its text.
      return Number(run.dataset.offset) + (offset > 0 ? run.textContent.length : 0);
    }
    // A boundary on a turn's heading or between turns: snap to the nearest text run.
    var container = document.getElementById("transcript-text");
    var runs = container ? container.querySelectorAll("[data-offset]") : [];
    var probe = document.createRange();
    probe.setStart(node, offset);
    var chosen = null;
    for (var i = 0; i < runs.length; i += 1) {
      var position = probe.comparePoint(runs[i], 0);
      if (!isEnd && position >= 0) {
        return Number(runs[i].dataset.offset);
      }
      if (isEnd && position < 0) {
        chosen = runs[i];
      }
    }
    if (isEnd && chosen) {
      return Number(chosen.dataset.offset) + chosen.textContent.length;
    }
    return null;
  }

  function field(form, name) {
    return form.querySelector("[name='" + name + "']");
  }

  function showSelection(form, text, start, end) {
    var preview = document.getElementById("selection-preview");
    if (!preview) {
      return;
    }
    if (text === null) {
      preview.textContent = preview.dataset.empty;
      return;
    }
    var short = text.replace(/\s+/g, " ").trim();
    if (short.length > 120) {
      short = short.slice(0, 119) + "…";
    }
    preview.textContent = preview.dataset.template
      .replace("{excerpt}", short)
      .replace("{start}", String(start))
      .replace("{end}", String(end));
  }

  function onSelectionChange() {
    var form = document.getElementById("coding-form");
    var container = document.getElementById("transcript-text");
    var selection = window.getSelection();
    if (!form || !container || !selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return;
    }
    var range = selection.getRangeAt(0);
    if (!container.contains(range.commonAncestorContainer)) {
      return;
    }
    var start = offsetOf(range.startContainer, range.startOffset, false);
    var end = offsetOf(range.endContainer, range.endOffset, true);
    if (start === null || end === null || end <= start) {
      return;
    }
    field(form, "start").value = String(start);
    field(form, "end").value = String(end);
    // The lists are the other way of choosing the passage: the selection replaces them.
    field(form, "passage_start").value = "";
    field(form, "passage_end").value = "";
    showSelection(form, selection.toString(), start, end);
  }

  var pending = null;
  document.addEventListener("selectionchange", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(onSelectionChange, 150);
  });

  // Choosing from the lists replaces a selection made in the text.
  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = document.getElementById("coding-form");
    if (!form || !form.contains(target)) {
      return;
    }
    if (target.name === "passage_start" || target.name === "passage_end") {
      field(form, "start").value = "";
      field(form, "end").value = "";
      showSelection(form, null, 0, 0);
    }
  });

  // After the workspace is redrawn, put the keyboard focus where the person continues: the
  // list of errors, or the code list to code the next passage.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail || !event.detail.target || event.detail.target.id !== "coding-workspace") {
      return;
    }
    var errors = document.getElementById("erreurs");
    var next = errors || document.getElementById("id_code");
    if (next) {
      next.focus();
    }
  });
})();
