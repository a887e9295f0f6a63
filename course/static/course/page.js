// Every page: small accessibility helps that need a script (progressive enhancement).
// - After a failed submit, the error summary (or the error notice) takes focus, so keyboard and
//   screen-reader users land on the list of problems.
// - Wide tables in lessons get a frame that scrolls sideways instead of the page.
// - A table frame that scrolls is a labelled region keyboard users can focus and scroll.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary, .flash-error[role='alert']");
  if (summary) {
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.focus();
  }

  document.querySelectorAll(".lesson-body table").forEach(function (table) {
    if (table.parentElement.classList.contains("table-wrap")) {
      return;
    }
    var frame = document.createElement("div");
    frame.className = "table-wrap";
    table.parentNode.insertBefore(frame, table);
    frame.appendChild(table);
  });

  function label(frame) {
    var caption = frame.querySelector("caption");
    var heading = frame.closest("section") && frame.closest("section").querySelector("h2, h3");
    var text = caption || heading;
    return (text ? text.textContent.trim() : "Table") + " (scrolls sideways)";
  }

  function markScrolling() {
    document.querySelectorAll(".table-wrap").forEach(function (frame) {
      var scrolls = frame.scrollWidth > frame.clientWidth + 1;
      if (scrolls && !frame.hasAttribute("tabindex")) {
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        frame.setAttribute("aria-label", label(frame));
        frame.setAttribute("data-scrolls", "");
      } else if (!scrolls && frame.hasAttribute("data-scrolls")) {
        ["tabindex", "role", "aria-label", "data-scrolls"].forEach(function (name) {
          frame.removeAttribute(name);
        });
      }
    });
  }
  markScrolling();
  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(markScrolling, 150);
  });
}());

// Times the server wrote in UTC (<time datetime="...Z" data-local-time>) are shown in the
// reader's own time zone; without the script the UTC text stays, labelled as UTC.
(function () {
  "use strict";
  document.querySelectorAll("time[data-local-time]").forEach(function (node) {
    var moment = new Date(node.getAttribute("datetime"));
    if (isNaN(moment.getTime())) {
      return;
    }
    node.setAttribute("title", node.textContent);
    node.textContent = moment.toLocaleString([], {day: "numeric", month: "long", year: "numeric",
                                                  hour: "2-digit", minute: "2-digit",
                                                  timeZoneName: "short"});
  });
}());

// Quiz page: the "Answered 7 of 10" counter (a polite live region) and the question
// navigator's answered marks follow the learner's answers. Without the script the page keeps
// the counts and marks it was sent with (what was saved), and the navigator's links still jump.
(function () {
  "use strict";
  var form = document.querySelector("form.quiz-form");
  var counter = document.querySelector("[data-answered-count]");
  if (!form || !counter) {
    return;
  }
  function filled(control) {
    if (control.type === "radio" || control.type === "checkbox") {
      return control.checked;
    }
    return control.type !== "hidden" && control.value.trim() !== "";
  }
  function answered(fieldset) {
    var controls = Array.prototype.slice.call(
      fieldset.querySelectorAll("input, select, textarea"));
    if (fieldset.querySelector("[data-needs-all]")) {  // every part must be given
      var parts = controls.filter(function (c) { return c.type !== "hidden"; });
      return parts.length > 0 && parts.every(filled);
    }
    return controls.some(filled);
  }
  var last = counter.textContent;
  function update() {
    var count = 0;
    form.querySelectorAll("fieldset.question").forEach(function (fieldset) {
      var done = answered(fieldset);
      count += done ? 1 : 0;
      var link = document.querySelector(".quiz-nav-link[data-question='" + fieldset.id + "']");
      if (link) {
        link.classList.toggle("answered", done);
        link.querySelector(".quiz-nav-state").textContent = done ? ", answered" : ", not answered";
      }
    });
    if (String(count) !== last) {  // the live region speaks only when the count changes
      last = String(count);
      counter.textContent = last;
    }
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
}());
