// Passkeys: the one part of signing in that needs JavaScript (the browser's WebAuthn API, through
// @simplewebauthn/browser, served from /public/vendor). Submitting a passkey form first asks the
// desk for a challenge (JSON), then the authenticator; its answer goes back in the form's hidden
// field with a plain form submission, and the desk answers as for every other form (a redirect, or
// the page again with the message). Without JavaScript these forms stay hidden (app.css).
(function () {
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib || !window.PublicKeyCredential || !lib.browserSupportsWebAuthn()) return;
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
})();
