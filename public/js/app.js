// Deskbell's own behaviour, loaded as a file (the Content-Security-Policy forbids inline scripts).
// Everything here is an enhancement: every page works without it.
document.addEventListener('htmx:after:swap', (event) => {
  // After a swap, move focus to the first invalid field or the new alert so it is announced.
  const target = event.detail && event.detail.ctx && event.detail.ctx.target;
  const root = target instanceof Element ? target : document;
  const focusable = root.querySelector('[aria-invalid="true"], [role="alert"]');
  if (focusable) {
    if (!focusable.hasAttribute('tabindex') && focusable.getAttribute('role') === 'alert') focusable.setAttribute('tabindex', '-1');
    focusable.focus();
  }
});
