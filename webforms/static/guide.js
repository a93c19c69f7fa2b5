// The commune's form that guides, and confirmations. Plain JavaScript in a file (the Content-Security-Policy
// allows scripts from this site's files only); every page works without it.
//
// - A number shared by several criteria is typed once and shown again where it is reused
//   (<output data-copy-of="FIELD">), in any form: the commune's and the appraisal.
// - A form with data-preview: after each change (250 ms of quiet) its fields are posted to that address (the
//   preview stores nothing) and the answer, an HTML fragment, replaces the guide (#guide).
// - Leaving such a form with unsaved changes asks first (data-dirty="1": the page came back with unsaved values).
// - A button or form with data-confirm="QUESTION" asks it; yes adds confirmed=1 (the server asks on a page of
//   its own when it is missing).
(() => {
  "use strict";
  let dirty = false;

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const button = event.submitter;
    const question = (button && button.dataset.confirm) || form.dataset.confirm;
    if (question && !form.querySelector("input[name=confirmed]")) {
      if (!window.confirm(question)) {
        event.preventDefault();
        return;
      }
      const mark = document.createElement("input");
      mark.type = "hidden";
      mark.name = "confirmed";
      mark.value = "1";
      form.append(mark);
    }
    dirty = false;  // leaving by this form: nothing to warn about
  }, true);

  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!field || !field.form || !field.name) return;
    for (const out of field.form.querySelectorAll("output[data-copy-of]")) {
      if (out.dataset.copyOf === field.name) out.value = field.value;
    }
  });

  window.addEventListener("beforeunload", (event) => {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  const form = document.querySelector("form[data-preview]");
  if (!form) return;
  const guide = document.getElementById("guide");
  dirty = form.dataset.dirty === "1";
  let timer = null;
  let asked = 0;

  const refresh = async () => {
    const mine = ++asked;
    const body = new FormData(form);
    body.delete("file");  // the evidence upload belongs to this form; the preview never needs it
    body.delete("action");
    try {
      const answer = await fetch(form.dataset.preview, {method: "POST", body, credentials: "same-origin",
                                                          headers: {"X-Requested-With": "fetch"}});
      if (!answer.ok || mine !== asked) return;
      const open = {};  // the sections the officer opened or closed stay so
      for (const part of guide.querySelectorAll("details[data-key]")) open[part.dataset.key] = part.open;
      guide.innerHTML = await answer.text();
      for (const part of guide.querySelectorAll("details[data-key]")) {
        if (part.dataset.key in open) part.open = open[part.dataset.key];
      }
      guide.dataset.updated = String(mine);
    } catch (error) {
      // offline or refused: the guide keeps its last state; saving still checks everything
    }
  };

  const changed = (event) => {
    if (event.target && (event.target.name === "file" || event.target.name === "criterion")) return;
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
