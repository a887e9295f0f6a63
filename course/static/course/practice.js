// Practice questions inside a lesson: checks an answer without leaving the page. Progressive
// enhancement: without this script each question's form posts and the page comes back at the
// question with its feedback. Focus stays where the learner is; the feedback is announced from
// the question's live region.
(function () {
  "use strict";
  if (!window.fetch || !window.FormData) {
    return;
  }
  var busy = false;

  function announce(region, fresh) {
    // Empty first, so the same feedback after a retry is announced again.
    region.textContent = "";
    window.setTimeout(function () {
      if (typeof fresh === "string") {
        region.className = "practice-feedback";
        var p = document.createElement("p");
        p.className = "practice-verdict";
        p.textContent = fresh;
        region.appendChild(p);
      } else {
        region.className = fresh.className;
        region.innerHTML = fresh.innerHTML;
      }
    }, 60);
  }

  function update(form, html) {
    var holder = document.createElement("div");
    holder.innerHTML = html; // the server's own escaped template output
    var fresh = holder.querySelector("form.practice-question");
    if (!fresh) {
      return;
    }
    announce(form.querySelector(".practice-feedback"), fresh.querySelector(".practice-feedback"));
    var tries = form.querySelector(".practice-tries");
    var freshTries = fresh.querySelector(".practice-tries");
    if (tries && freshTries) {
      tries.textContent = freshTries.textContent;
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("practice-question")) {
      return;
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    var region = form.querySelector(".practice-feedback");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"X-Requested-With": "fetch", "Accept": "application/json"}
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      if (data.html) {
        update(form, data.html);
      } else {
        announce(region, data.error || "The answer could not be checked. Please try again.");
      }
    }).catch(function () {
      announce(region, "The answer could not be checked. Check your connection and try again.");
    }).then(function () {
      busy = false;
    });
  });
}());
