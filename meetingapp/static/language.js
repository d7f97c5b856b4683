// The header's language switcher applies as soon as a language is chosen; without scripts its
// button does the same.
(function () {
  "use strict";
  var form = document.querySelector(".language-switcher");
  if (!form) { return; }
  var select = form.querySelector("select");
  var button = form.querySelector("button");
  if (button) { button.hidden = true; }
  select.addEventListener("change", function () { form.submit(); });
}());
