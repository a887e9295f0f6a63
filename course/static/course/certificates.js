// "Copy link" buttons on My certificates: shown only where the clipboard can be written, and
// the result is announced to screen readers through the status element beside the button.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;  // the link itself stays there to select and copy by hand
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var link = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!link) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(link.href).then(function () {
        status.textContent = "Link copied.";
      }, function () {
        status.textContent = "Could not copy: select the link and copy it.";
      });
    });
  });
}());
