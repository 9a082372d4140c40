/* Forum composer: pick linked records from the picker's results (no inline handlers). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var option = event.target.closest(".forum-ref-option");
    if (!option) { return; }
    var chosen = document.getElementById("ref-chosen");
    if (!chosen) { return; }
    var value = option.getAttribute("data-value");
    var existing = chosen.querySelectorAll("input[name=refs]");
    for (var i = 0; i < existing.length; i++) {
      if (existing[i].value === value) { existing[i].checked = true; return; }
    }
    var label = document.createElement("label");
    label.className = "d-block small";
    var box = document.createElement("input");
    box.type = "checkbox"; box.name = "refs"; box.value = value; box.checked = true;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + option.getAttribute("data-label")));
    chosen.appendChild(label);
  });
})();
