// Deskbell's own behaviour, loaded as a file (the Content-Security-Policy forbids inline scripts).
// Everything here is an enhancement: every page works without it.
document.documentElement.classList.add('js');

document.addEventListener('htmx:after:swap', (event) => {
  const target = event.detail && event.detail.ctx && event.detail.ctx.target;
  const root = target instanceof Element ? target : document;
  // A dialog loaded by htmx (the "Updating Ticket" modal) opens as a modal and takes the focus.
  const dialog = root.querySelector ? root.querySelector('dialog[data-modal]:not([open])') : null;
  if (dialog) {
    dialog.addEventListener('close', () => dialog.remove(), { once: true });
    dialog.showModal();
  }
  // After a swap, move focus to the first invalid field or the new alert, so it is announced.
  const focusable = root.querySelector && root.querySelector('[aria-invalid="true"], [role="alert"]');
  if (focusable) {
    if (!focusable.hasAttribute('tabindex') && focusable.getAttribute('role') === 'alert') focusable.setAttribute('tabindex', '-1');
    focusable.focus();
  }
});

// The bulk form's "select all on this page" ticks every row; unticking a row unticks it again, so
// what is sent is what is shown (without JS the server takes the page's ids when it is ticked).
document.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox' || !box.form || box.form.id !== 'bulk-form') return;
  const all = box.form.querySelector('[data-select-all]');
  if (box === all) {
    box.form.querySelectorAll('input[name="ids"]').forEach((row) => { row.checked = box.checked; });
  } else if (all && !box.checked) {
    all.checked = false;
  }
});
