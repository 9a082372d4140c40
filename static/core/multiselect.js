/* Searchable multi-select: a <select multiple data-multiselect> becomes chosen items (each with
 * a remove button) and a text box that filters the options as one types (a combobox with a
 * listbox, ARIA 1.2). The select stays in the form, hidden, and carries the choice: without
 * JavaScript it is the plain multi-select, and the server reads the same field either way.
 * Keys: type to filter, Down/Up to move, Enter to pick or drop, Escape to close, Backspace in
 * an empty box drops the last chosen item. */
(function () {
  "use strict";

  var counter = 0;

  function text(el, value) {
    el.textContent = value;
    return el;
  }

  function enhance(select) {
    if (select.dataset.multiselectReady) return;
    select.dataset.multiselectReady = "1";
    counter += 1;
    var base = (select.id || "multiselect") + "-ms" + counter;
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var labelText = label ? label.textContent.trim() : select.getAttribute("aria-label") || "";
    var strings = {
      placeholder: select.dataset.placeholder || "Type to search",
      remove: select.dataset.removeLabel || "Remove %s",
      none: select.dataset.noMatches || "No matches",
      chosen: select.dataset.chosenLabel || "Chosen",
    };

    var box = document.createElement("div");
    box.className = "multiselect";
    var chips = document.createElement("ul");
    chips.className = "multiselect-chips list-unstyled";
    chips.setAttribute("aria-label", strings.chosen + ": " + labelText);
    var input = document.createElement("input");
    input.type = "text";
    input.id = base + "-input";
    input.className = "form-control multiselect-input";
    input.autocomplete = "off";
    input.placeholder = strings.placeholder;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", base + "-list");
    var list = document.createElement("ul");
    list.id = base + "-list";
    list.className = "multiselect-list list-unstyled";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-multiselectable", "true");
    list.hidden = true;
    if (label) {
      if (!label.id) label.id = base + "-label";
      label.htmlFor = input.id;
      input.setAttribute("aria-labelledby", label.id);
      list.setAttribute("aria-labelledby", label.id);
    } else if (labelText) {
      input.setAttribute("aria-label", labelText);
      list.setAttribute("aria-label", labelText);
    }
    if (select.getAttribute("aria-describedby")) {
      input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    }
    if (select.classList.contains("is-invalid")) input.classList.add("is-invalid");

    box.appendChild(chips);
    box.appendChild(input);
    box.appendChild(list);
    select.parentNode.insertBefore(box, select.nextSibling);
    select.classList.add("visually-hidden");
    select.setAttribute("tabindex", "-1");
    select.setAttribute("aria-hidden", "true");

    var active = -1;
    var shown = [];

    function options() {
      return Array.prototype.slice.call(select.options).filter(function (o) {
        return !o.disabled && o.value !== "";
      });
    }

    function renderChips() {
      chips.textContent = "";
      options().forEach(function (option) {
        if (!option.selected) return;
        var li = document.createElement("li");
        li.className = "multiselect-chip badge text-bg-light border";
        li.appendChild(text(document.createElement("span"), option.text));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn-close ms-1";
        remove.setAttribute("aria-label", strings.remove.replace("%s", option.text));
        remove.addEventListener("click", function () {
          option.selected = false;
          changed();
          input.focus();
        });
        li.appendChild(remove);
        chips.appendChild(li);
      });
    }

    function renderList() {
      var query = input.value.trim().toLowerCase();
      list.textContent = "";
      shown = options().filter(function (o) {
        return !query || o.text.toLowerCase().indexOf(query) !== -1;
      });
      if (active >= shown.length) active = shown.length - 1;
      shown.forEach(function (option, index) {
        var li = text(document.createElement("li"), option.text);
        li.id = base + "-opt-" + index;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", option.selected ? "true" : "false");
        li.className = "multiselect-option" + (index === active ? " active" : "");
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the text box
          toggle(option);
        });
        list.appendChild(li);
      });
      if (!shown.length) {
        var empty = text(document.createElement("li"), strings.none);
        empty.className = "multiselect-empty text-muted";
        list.appendChild(empty);
      }
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", base + "-opt-" + active);
        var current = list.children[active];
        if (current && current.scrollIntoView) current.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      renderList();
    }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function changed() {
      select.dispatchEvent(new Event("change", { bubbles: true }));
      renderChips();
      if (!list.hidden) renderList();
    }

    function toggle(option) {
      option.selected = !option.selected;
      input.value = "";
      active = Math.max(0, options().indexOf(option));
      changed();
      open();
    }

    input.addEventListener("input", function () {
      active = input.value.trim() ? 0 : -1;
      open();
    });
    var closing = null;
    input.addEventListener("focus", function () {
      window.clearTimeout(closing); // back before the blur's close ran (a chip's button)
      open();
    });
    input.addEventListener("blur", function () {
      closing = window.setTimeout(close, 100);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) open();
        active = Math.min(active + 1, shown.length - 1);
        renderList();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        active = Math.max(active - 1, 0);
        renderList();
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0 && shown[active]) {
          event.preventDefault(); // pick, do not send the form
          toggle(shown[active]);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Backspace" && !input.value) {
        var chosen = options().filter(function (o) { return o.selected; });
        if (chosen.length) {
          chosen[chosen.length - 1].selected = false;
          changed();
        }
      }
    });
    select.addEventListener("change", function (event) {
      if (event.isTrusted) renderChips();
    });
    renderChips();
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[multiple][data-multiselect]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  // Forms swapped in by htmx (the new deal form's customer part) are enhanced too.
  document.addEventListener("htmx:afterSettle", function (event) { enhanceAll(event.target); });
})();
