// Customer service: one click inserts an approved Q&A answer into the answer box and keeps its link.
(function () {
  "use strict";
  document.addEventListener("click", (event) => {
    const button = event.target.closest(".qa-insert");
    if (!button) return;
    const item = button.closest(".qa-suggestion");
    const form = button.closest("form") || document.querySelector("form[data-qa-form]");
    const answer = form && form.querySelector("textarea[name=answer]");
    const hidden = form && form.querySelector("input[name=qa_entry]");
    if (!answer || !hidden) return;
    const full = item.querySelector("template.qa-answer-full");
    answer.value = (full ? full.innerHTML : item.querySelector(".qa-answer-text").textContent)
      .replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"').replace(/&#x27;/g, "'").trim();
    hidden.value = button.dataset.qaId;
    const chosen = form.querySelector(".qa-chosen");
    if (chosen) {
      chosen.textContent = button.dataset.qaTitle;
      chosen.closest(".qa-chosen-box").classList.remove("d-none");
    }
    const draft = form.querySelector("input[name=make_qa_draft]");
    if (draft) draft.checked = false;
    answer.focus();
  });
  document.addEventListener("input", (event) => {
    // Editing the inserted answer by hand keeps the link; clearing the box drops it.
    if (event.target.name !== "answer" || event.target.value.trim()) return;
    const form = event.target.closest("form");
    const hidden = form && form.querySelector("input[name=qa_entry]");
    if (hidden) hidden.value = "";
    const box = form && form.querySelector(".qa-chosen-box");
    if (box) box.classList.add("d-none");
  });
})();
