// Office console: optional conveniences on top of plain forms (everything works without this file).
// - Live refresh: pages that ask for it (body data-refresh="SECONDS") reload while nobody is typing.
// - Answers save in the background when a field of an answer form changes (the button still works).
// - Keyboard: "g" then i/t/a/m/d/c/l opens a section; "/" focuses the first filter field.
(function () {
  "use strict";
  var editing = false;
  function isField(element) {
    return element && /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName);
  }
  document.addEventListener("input", function () { editing = true; });

  var refresh = Number(document.body.getAttribute("data-refresh") || 0);
  if (refresh > 0) {
    setInterval(function () {
      if (!editing && !isField(document.activeElement) && document.visibilityState === "visible") {
        location.reload();
      }
    }, refresh * 1000);
  }

  Array.prototype.forEach.call(document.querySelectorAll("form.answer-form"), function (form) {
    var status = form.querySelector(".autosave");
    form.addEventListener("change", function () {
      if (status) { status.textContent = status.getAttribute("data-saving"); }
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
        redirect: "manual"
      }).then(function (response) {
        // A saved answer answers with a redirect (opaque here); a refused one with its error page.
        var saved = response.type === "opaqueredirect" || (response.status >= 200 && response.status < 400);
        if (status) { status.textContent = status.getAttribute(saved ? "data-saved" : "data-failed"); }
      }).catch(function () {
        if (status) { status.textContent = status.getAttribute("data-failed"); }
      });
    });
  });

  var pending = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || isField(event.target)) { return; }
    if (pending) {
      pending = false;
      var link = document.querySelector('.office-nav a[data-key="' + event.key + '"]');
      if (link) { event.preventDefault(); location.href = link.getAttribute("href"); }
      return;
    }
    if (event.key === "g") {
      pending = true;
      setTimeout(function () { pending = false; }, 1500);
    } else if (event.key === "/") {
      var field = document.querySelector(".filters input, .filters select");
      if (field) { event.preventDefault(); field.focus(); }
    }
  });
})();
