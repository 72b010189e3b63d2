// One key accepts a suggestion: "1", "2" or "3" submits the matching form (data-key) unless
// the clerk is typing in a field. The forms work without this script, by Tab and Enter.
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
  const target = event.target;
  const typing = target && (target.isContentEditable ||
    ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  if (typing) return;
  const form = document.querySelector(`form[data-key="${CSS.escape(event.key)}"]`);
  if (form) {
    event.preventDefault();
    form.requestSubmit();
  }
});
