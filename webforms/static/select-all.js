// A "select all" checkbox: <input type="checkbox" data-select-all="NAME"> ticks or unticks every checkbox named
// NAME in its form. In a file, not inline: the Content-Security-Policy allows scripts from this site's files only.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
  const scope = box.form || document;
  for (const other of scope.querySelectorAll("input[type=checkbox]")) {
    if (other.name === box.dataset.selectAll) other.checked = box.checked;
  }
});
