// Times read as on the viewer's wall clock: someone signed in without a zone of their own sends the
// browser's once (the page's top bar carries data-ask-zone: checked on load and after every swap, as
// a boosted navigation swaps the body's content only); later pages are rendered in it. Without JavaScript the pages use the desk's zone.
(function () {
  const key = 'deskbell.zone-sent';
  function report() {
    const bar = document.querySelector('header[data-ask-zone]');
    if (!bar) return;
    let zone = '';
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (_) { return; }
    // Once per tab and zone, whatever the answer: a zone the server does not know is not sent again.
    if (!zone || sessionStorage.getItem(key) === zone) return;
    sessionStorage.setItem(key, zone);
    // The token of this page's session (the log-out form's): the body's own attribute may be older.
    const token = bar.querySelector('input[name="_csrf"]');
    fetch('/account/zone', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ zone: zone, _csrf: token ? token.value : '' }),
    }).catch(function () { /* offline: the desk's zone until next time */ });
  }
  report();
  document.addEventListener('htmx:after:swap', report);
})();
