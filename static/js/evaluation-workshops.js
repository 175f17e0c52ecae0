/* Voting page of a workshop (templates/evaluation/workshops_vote.html): counts the dots given
   as the attendee types, in a polite status line. The server checks the limit again and
   refuses a ballot over it: this is only a help. */
(function () {
  "use strict";
  function start() {
    var status = document.getElementById("dots-used");
    if (!status) {
      return;
    }
    var inputs = Array.prototype.slice.call(document.querySelectorAll("input.ballot-dots"));
    var limit = parseInt(status.getAttribute("data-limit"), 10);
    function update() {
      var used = inputs.reduce(function (sum, input) {
        var value = parseInt(input.value, 10);
        return sum + (isNaN(value) || value < 0 ? 0 : value);
      }, 0);
      var template = status.getAttribute(used > limit ? "data-over-text" : "data-used-text");
      status.textContent = template.replace("{used}", String(used));
      status.classList.toggle("ballot-count--over", used > limit);
    }
    inputs.forEach(function (input) {
      input.addEventListener("input", update);
    });
    update();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
