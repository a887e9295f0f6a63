// Records a lesson as complete when the learner has reached its end and spent a little time on
// it. Progressive enhancement: without this script the "Mark complete" button does the same.
(function () {
  "use strict";
  var form = document.querySelector("form.complete-form");
  var end = document.getElementById("lesson-end");
  if (!form || !end || !("IntersectionObserver" in window) || !window.fetch) {
    return;
  }
  var seconds = parseFloat(form.getAttribute("data-auto-complete-seconds") || "0");
  if (!(seconds > 0)) {
    return;
  }
  var status = end.querySelector(".done-note");
  var opened = Date.now();
  var visible = false;
  var sent = false;
  var timer = null;

  function send() {
    if (sent || !visible) {
      return;
    }
    sent = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    }).then(function (data) {
      form.hidden = true;
      status.hidden = false;
      status.textContent = "Lesson complete. Well done.";
      if (data && data.next) {  // this lesson finished the course: the certificate is issued
        var link = document.createElement("a");
        link.href = data.next;
        link.textContent = "See your certificate";
        status.appendChild(document.createTextNode(" You have finished the course. "));
        status.appendChild(link);
      }
    }).catch(function () {
      sent = false; // the button still works
    });
  }

  new IntersectionObserver(function (entries) {
    visible = entries.some(function (entry) { return entry.isIntersecting; });
    if (!visible) {
      return;
    }
    var wait = seconds * 1000 - (Date.now() - opened);
    if (wait <= 0) {
      send();
    } else if (timer === null) {
      timer = window.setTimeout(function () { timer = null; send(); }, wait);
    }
  }).observe(end);
}());
