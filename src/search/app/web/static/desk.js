// Copy citation: the button's data-cite text to the clipboard (Clipboard API, else a selected
// textarea and execCommand for older browsers or insecure origins).
(function () {
  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  function done(button, ok) {
    var status = button.parentNode.querySelector(".copied");
    if (status) { status.textContent = ok ? "Copied" : "Select the citation below and copy it"; }
    if (!ok) { var d = button.parentNode.querySelector("details"); if (d) { d.open = true; } }
    button.classList.toggle("done", ok);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.copy-cite") : null;
    if (!button) { return; }
    var text = button.getAttribute("data-cite");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(button, true); },
        function () { done(button, fallbackCopy(text)); });
    } else {
      done(button, fallbackCopy(text));
    }
  });
})();
