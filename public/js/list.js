// The ticket list's bulk form. Without JavaScript the bar of bulk actions sits under the table and
// "select all" means the page's tickets (the server reads the page's ids). With it, the bar shows
// only while rows are ticked (app.css) and says how many; "select all" ticks every row, unticking a
// row unticks it again, so what is sent is what is shown.
(() => {
  function count(form) {
    const output = form.querySelector('[data-selected-count]');
    if (!output) return;
    const ticked = form.querySelectorAll('input[name="ids"]:checked').length;
    const plural = new Intl.PluralRules(document.documentElement.lang || 'en').select(ticked);
    output.textContent = ticked === 0 ? '' : (plural === 'one' ? output.dataset.one : output.dataset.other).replace('#', String(ticked));
  }

  document.addEventListener('change', (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox' || !box.form || box.form.id !== 'bulk-form') return;
    const all = box.form.querySelector('[data-select-all]');
    if (box === all) {
      box.form.querySelectorAll('input[name="ids"]').forEach((row) => { row.checked = box.checked; });
    } else if (all && !box.checked) {
      all.checked = false;
    }
    count(box.form);
  });

  // A table drawn again (a filter, a refused bulk change with its rows kept ticked) counts afresh.
  const recount = () => {
    const form = document.getElementById('bulk-form');
    if (form) count(form);
  };
  document.addEventListener('htmx:after:swap', recount);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', recount);
  else recount();
})();
