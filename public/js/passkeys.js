// Passkeys: the one part of signing in that needs JavaScript (the browser's WebAuthn API, through
// @simplewebauthn/browser, served from /public/vendor). Submitting a passkey form first asks the
// desk for a challenge (JSON), then the authenticator; its answer goes back in the form's hidden
// field with a plain form submission, and the desk answers as for every other form (a redirect, or
// the page again with the message). Without JavaScript these forms stay hidden (app.css).
// Only the pages with a passkey form load this and the library, at the end of the body: after a
// boosted navigation htmx inserts both again, and inserted scripts run in whatever order they
// arrive, so this waits for the library when it is not there yet, and sets itself up once per page load.
(function () {
  if (window.deskbellPasskeys) return;

  function start() {
    const lib = window.SimpleWebAuthnBrowser;
    if (!lib) return false;
    if (window.deskbellPasskeys) return true;
    window.deskbellPasskeys = true;
    if (window.PublicKeyCredential && lib.browserSupportsWebAuthn()) listen(lib);
    return true;
  }

  if (!start()) {
    const tag = document.querySelector('script[data-passkey-lib]');
    if (tag) tag.addEventListener('load', start, { once: true });
  }

  function listen(lib) {
    document.documentElement.classList.add('has-passkeys');

    async function ask(form) {
      const status = form.querySelector('[data-passkey-status]');
      const button = form.querySelector('[data-passkey-start]');
      if (status) status.textContent = '';
      if (button) button.disabled = true;
      try {
        const response = await fetch(form.dataset.options, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'X-CSRF-Token': form.querySelector('input[name="_csrf"]').value, Accept: 'application/json' },
        });
        if (!response.ok) throw new Error(`challenge: ${response.status}`);
        const optionsJSON = await response.json();
        const answer = form.dataset.passkey === 'register'
          ? await lib.startRegistration({ optionsJSON })
          : await lib.startAuthentication({ optionsJSON });
        form.querySelector('input[name="credential"]').value = JSON.stringify(answer);
        // A plain submission (no htmx, no submit event): the answer is used once, and the desk redirects.
        HTMLFormElement.prototype.submit.call(form);
      } catch (error) {
        if (button) button.disabled = false;
        if (status) status.textContent = form.dataset.failed || String(error);
      }
    }

    // Captured before htmx's boost sees the submission: the authenticator is asked first.
    document.addEventListener('submit', (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.matches('form[data-passkey]')) return;
      if (form.querySelector('input[name="credential"]').value) return;
      event.preventDefault();
      event.stopPropagation();
      if (!form.querySelector('[data-passkey-start]').disabled) ask(form);
    }, true);
  }
})();
