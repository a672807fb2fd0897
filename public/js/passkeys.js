// Passkeys: the one part of signing in that needs JavaScript (the browser's WebAuthn API, through
// @simplewebauthn/browser, served from /public/vendor). The page's form asks the desk for a challenge
// (JSON), the browser asks the authenticator, and its answer goes back in the form's hidden field
// with a plain form submission: the desk answers as for every other form (redirect or the page again).
(function () {
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib || !window.PublicKeyCredential || !lib.browserSupportsWebAuthn()) return;
  document.documentElement.classList.add('has-passkeys');

  // Enter in the name field would post the form without the browser's answer: ask the authenticator instead.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches('form[data-passkey]')) return;
    if (form.querySelector('input[name="credential"]').value) return;
    event.preventDefault();
    event.stopPropagation();
    const button = form.querySelector('[data-passkey-start]');
    if (button && !button.disabled) button.click();
  }, true);

  document.addEventListener('click', async (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-passkey-start]') : null;
    const form = button && button.closest('form[data-passkey]');
    if (!form) return;
    event.preventDefault();
    const status = form.querySelector('[data-passkey-status]');
    if (status) status.textContent = '';
    button.disabled = true;
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
      // A plain submission (no htmx): the answer is used once, and the desk redirects.
      HTMLFormElement.prototype.submit.call(form);
    } catch (error) {
      button.disabled = false;
      if (status) status.textContent = form.dataset.failed || String(error);
    }
  });
})();
