// Suggestions as you type in the service search (ARIA 1.2 combobox with a listbox popup).
// The search box is an ordinary form field: without this script the form submits as usual.
// Typing asks the server (data-suggest-url) 150 ms after the last key; Up and Down move
// through the suggestions, Enter picks one (and searches for it), Escape closes the list.
(() => {
  "use strict";
  const DELAY_MS = 150;
  const input = document.querySelector("input[data-suggest-url]");
  if (!input) return;
  const list = document.getElementById(`${input.id}-suggestions`);
  const status = document.getElementById(`${input.id}-status`);
  const form = input.form;
  if (!list || !form) return;

  let timer = 0;
  let asked = "";
  let active = -1;
  let controller = null;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  const options = () => Array.from(list.querySelectorAll('[role="option"]'));

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const all = options();
    if (!all.length) return;
    active = (index + all.length) % all.length;
    all.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
    input.setAttribute("aria-activedescendant", all[active].id);
    all[active].scrollIntoView({ block: "nearest" });
  }

  function pick(option) {
    input.value = option.dataset.name;
    close();
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  function show(suggestions) {
    list.replaceChildren();
    suggestions.forEach((suggestion, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.name = suggestion.name;
      option.textContent = suggestion.name; // text, never markup
      list.append(option);
    });
    active = -1;
    input.removeAttribute("aria-activedescendant");
    const any = suggestions.length > 0;
    list.hidden = !any;
    input.setAttribute("aria-expanded", String(any));
    if (status) status.textContent = any ? input.dataset.suggestStatus || "" : "";
  }

  async function fetchSuggestions(q) {
    if (controller) controller.abort();
    controller = new AbortController();
    const url = `${input.dataset.suggestUrl}?${new URLSearchParams({ q })}`;
    try {
      const response = await fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } });
      if (!response.ok) return close();
      const data = await response.json();
      if (input.value.trim() === q) show(Array.isArray(data.suggestions) ? data.suggestions : []);
    } catch (error) {
      if (error.name !== "AbortError") close(); // offline: the form still works
    }
  }

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      asked = "";
      close();
      return;
    }
    timer = window.setTimeout(() => {
      if (q === asked && !list.hidden) return;
      asked = q;
      fetchSuggestions(q);
    }, DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && options().length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!open) return;
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && open && active >= 0) {
      event.preventDefault();
      pick(options()[active]);
    } else if (event.key === "Escape" && open) {
      event.preventDefault();
      close();
    }
  });

  // A press on an option must not blur the box first (that would close the list).
  list.addEventListener("mousedown", (event) => event.preventDefault());
  list.addEventListener("click", (event) => {
    const option = event.target.closest('[role="option"]');
    if (option) pick(option);
  });
  input.addEventListener("blur", close);
  close();
})();
