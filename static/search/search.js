// Search page: close the autocomplete list on Escape or when the field loses focus.
(function () {
  const input = document.getElementById("search-input");
  const box = document.getElementById("autocomplete");
  if (!input || !box) return;
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") box.innerHTML = "";
  });
  document.addEventListener("click", (event) => {
    if (!box.contains(event.target) && event.target !== input) box.innerHTML = "";
  });
})();
