// Deskbell's own behaviour, loaded as a file (the Content-Security-Policy forbids inline scripts).
// Everything here is an enhancement: every page works without it.
document.documentElement.classList.add('js');

// Where focus goes back to when the dialog closes: its opener, or (after a save swapped the ticket)
// the new element that stands in the opener's place.
let returnFocus = null;
function restoreFocus() {
  if (!returnFocus || document.querySelector('dialog[open]')) return;
  const { element, selector } = returnFocus;
  returnFocus = null;
  const back = element.isConnected ? element : selector ? document.querySelector(selector) : null;
  if (back) back.focus();
}
const selectorFor = (el) => (el.id ? '#' + CSS.escape(el.id) : el.getAttribute('href') ? `${el.localName}[href="${CSS.escape(el.getAttribute('href'))}"]` : null);

// A swap that removed the focused element leaves focus on <body>: note what had it, per swap. Swaps
// overlap (htmx awaits the insertion between the two events): a live update's before:swap, coming
// after a tab's swap took the focused link away, must not erase what the tab's swap noted.
const focusedBefore = new WeakMap();
document.addEventListener('htmx:before:swap', (event) => {
  const ctx = event.detail && event.detail.ctx;
  if (!ctx) return;
  const active = document.activeElement;
  focusedBefore.set(ctx, active && active !== document.body ? selectorFor(active) || '' : null);
});

document.addEventListener('htmx:after:swap', (event) => {
  const ctx = event.detail && event.detail.ctx;
  const focusedBeforeSwap = ctx && focusedBefore.has(ctx) ? focusedBefore.get(ctx) : null;
  const target = ctx && ctx.target;
  // After an outerHTML swap the target is the old, detached element: look for its successor.
  const successor = target instanceof Element && !target.isConnected && target.id ? document.getElementById(target.id) : null;
  const root = target instanceof Element && target.isConnected ? target : successor || document;
  // A dialog loaded by htmx (the "Updating Ticket" modal) opens as a modal and takes the focus.
  const dialog = root.querySelector ? root.querySelector('dialog[data-modal]:not([open])') : null;
  if (dialog) {
    const opener = ctx.sourceElement instanceof Element ? ctx.sourceElement : document.activeElement;
    if (opener && opener !== document.body) returnFocus = { element: opener, selector: selectorFor(opener) };
    dialog.addEventListener('close', () => { dialog.remove(); restoreFocus(); }, { once: true });
    dialog.showModal();
    return;
  }
  // After a swap, move focus to the first invalid field or the new alert, so it is announced.
  const focusable = root.querySelector && root.querySelector('[aria-invalid="true"], [role="alert"]');
  if (focusable) {
    if (!focusable.hasAttribute('tabindex') && focusable.getAttribute('role') === 'alert') focusable.setAttribute('tabindex', '-1');
    focusable.focus();
    return;
  }
  if (returnFocus && !document.querySelector('dialog[open]')) {
    restoreFocus();
    return;
  }
  // The swap took the focused element away (a tab re-renders the ticket, a bulk change the table):
  // focus its successor (same id or link), else the swapped region itself, never leave it on <body>.
  if (focusedBeforeSwap === null || (document.activeElement && document.activeElement !== document.body)) return;
  const region = target instanceof Element && target.id ? document.getElementById(target.id) : successor;
  if (!region || region === document.body) return;
  const same = focusedBeforeSwap ? region.querySelector(focusedBeforeSwap) : null;
  const next = same || region;
  if (next === region && !region.hasAttribute('tabindex')) region.setAttribute('tabindex', '-1');
  next.focus();
});
