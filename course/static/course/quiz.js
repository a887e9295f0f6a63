// Quiz page: a visible countdown that screen readers hear only at a few moments, and autosave.
// Progressive enhancement: without it, answers are saved when the form is submitted.
(function () {
  "use strict";
  var form = document.querySelector("form.quiz-form");
  if (!form) {
    return;
  }
  var status = form.querySelector(".save-status");
  var dirty = false;
  var saving = false;
  var submitting = false;  // once the form is sent, a late autosave would find the attempt closed

  function save() {
    if (!dirty || saving || submitting || !window.fetch) {
      return;
    }
    saving = true;
    dirty = false;
    fetch(form.getAttribute("data-save-url"), {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.json().then(function (body) {
        status.textContent = body.saved ? "Answers saved." : (body.error || "Not saved.");
      });
    }).catch(function () {
      dirty = true;
      status.textContent = "Not saved yet: check your connection.";
    }).then(function () { saving = false; });
  }

  form.addEventListener("submit", function () { submitting = true; });
  form.addEventListener("change", function () { dirty = true; window.setTimeout(save, 800); });
  form.addEventListener("input", function () { dirty = true; });
  window.setInterval(save, 20000);

  var timer = document.querySelector(".quiz-timer");
  if (!timer) {
    return;
  }
  var deadline = Date.parse(timer.getAttribute("data-deadline"));
  var clock = timer.querySelector(".timer-clock");
  var announce = document.getElementById("timer-announce");
  var told = {};
  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    clock.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
    [10, 5, 1].forEach(function (mark) {
      if (minutes < mark && !told[mark] && left > 0) {
        told[mark] = true;
        announce.textContent = "Less than " + mark + " minute" + (mark === 1 ? "" : "s") + " left.";
      }
    });
    if (left === 0) {
      // Time is up: submit what is there, without asking about unanswered questions.
      var confirm = document.createElement("input");
      confirm.type = "hidden";
      confirm.name = "confirm";
      confirm.value = "yes";
      form.appendChild(confirm);
      submitting = true;  // form.submit() fires no submit event
      form.submit();
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();
}());
