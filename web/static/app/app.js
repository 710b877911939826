// After htmx replaces the main content (the filters of the summaries and of what needs
// attention), focus moves to it, so keyboard and screen reader users land on the new view.
document.addEventListener("htmx:afterSettle", function () {
  "use strict";
  var main = document.getElementById("main");
  if (main) { main.focus(); }
});
