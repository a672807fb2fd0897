// Keyboard shortcuts for agents (the help dialog, rendered only for staff, lists them). Each key
// does what a click on a visible control would do, so without JavaScript nothing is missing.
(() => {
  const typing = (el) => el instanceof Element && (el.matches('input, textarea, select, [contenteditable=""], [contenteditable="true"]'));

  // j/k: move a visible selection through the ticket list; the selected row's link has the focus,
  // so Enter opens it like any link.
  function moveInList(step) {
    const links = [...document.querySelectorAll('#ticket-table tbody tr a[href^="/agent/tickets/"]:not(.quiet)')];
    if (links.length === 0) return false;
    const current = links.findIndex((link) => link.closest('tr').classList.contains('selected'));
    const next = current === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(Math.max(current + step, 0), links.length - 1);
    document.querySelectorAll('#ticket-table tr.selected').forEach((row) => row.classList.remove('selected'));
    links[next].closest('tr').classList.add('selected');
    links[next].focus();
    links[next].scrollIntoView({ block: 'nearest' });
    return true;
  }

  // r/n: the compose box, as a reply or as an internal note.
  function compose(kind) {
    const body = document.querySelector('.compose textarea[name="body"]');
    if (!body) return false;
    const radio = document.querySelector(`.compose input[name="kind"][value="${kind}"]`);
    if (radio) radio.checked = true;
    body.focus();
    return true;
  }

  function click(selector) {
    const el = document.querySelector(selector);
    if (!el) return false;
    el.focus();
    el.click();
    return true;
  }

  // The assignment form is a real POST (CSRF field included); requestSubmit lets htmx send it.
  function assignToMe() {
    const form = document.querySelector('.ticket-actions form[action$="/assignment"]');
    if (!form) return false;
    form.requestSubmit();
    return true;
  }

  function search() {
    const box = document.querySelector('[data-search], input[type="search"]');
    if (box) {
      box.focus();
      return true;
    }
    window.location.assign('/agent/search');
    return true;
  }

  function help() {
    const dialog = document.getElementById('keys-help');
    if (!dialog || dialog.open) return false;
    dialog.showModal();
    return true;
  }

  const actions = {
    j: () => moveInList(1),
    k: () => moveInList(-1),
    r: () => compose('reply'),
    n: () => compose('note'),
    e: () => click('.ticket-actions a[href$="/edit"]'),
    a: assignToMe,
    '/': search,
    '?': help,
  };

  // The "Keyboard shortcuts" button under the page (shown only with JavaScript) opens the same help.
  document.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('[data-keys-help]')) help();
  });

  document.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(event.target) || document.querySelector('dialog[open]')) return;
    if (!document.getElementById('keys-help')) return; // staff pages only
    const action = Object.hasOwn(actions, event.key) ? actions[event.key] : null;
    if (action && action()) event.preventDefault();
  });
})();
