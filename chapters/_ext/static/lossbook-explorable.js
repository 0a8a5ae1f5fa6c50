// Accessible names for the sliders of the book's explorable figures.
//
// Bokeh draws each slider inside shadow roots, and its handle (role="slider") has no name:
// a screen reader announces a bare frame number, and axe-core reports the missing name.
// Here each handle is named after its slider's title ("number of classes C") and its value
// is read out as the title shows it ("number of classes C: 10"), kept up to date as the
// slider moves. Nothing is computed here: the text is Bokeh's own title, which Python wrote.
(function () {
  "use strict";

  function labelSliders(root) {
    root.querySelectorAll("*").forEach(function (element) {
      if (element.shadowRoot) labelSliders(element.shadowRoot);
    });
    var title = root.querySelector(".bk-slider-title");
    if (!title) return;
    root.querySelectorAll(".noUi-handle").forEach(function (handle) {
      if (handle.dataset.lossbookLabelled) return;
      handle.dataset.lossbookLabelled = "yes";
      function update() {
        var text = title.textContent.trim();
        handle.setAttribute("aria-label", text.split(":")[0].trim());
        handle.setAttribute("aria-valuetext", text);
      }
      update();
      new MutationObserver(update).observe(title, { childList: true, subtree: true, characterData: true });
    });
  }

  function labelAll() {
    document.querySelectorAll(".lossbook-explorable").forEach(labelSliders);
  }

  // Bokeh renders after the page has loaded, and not all at once: look a few times.
  var tries = 0;
  function poll() {
    labelAll();
    if (++tries < 40) window.setTimeout(poll, 100);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", poll);
  } else {
    poll();
  }
})();
