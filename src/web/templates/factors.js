// Enhances the passkey forms (WebAuthn needs JavaScript; every other form of the pages works
// without it). A form[data-passkey="register"|"authenticate"] carries its ceremony's options in
// data-options; its [data-passkey-start] button runs the ceremony through SimpleWebAuthnBrowser
// (assets/webauthn.js), puts the answer in the hidden `response` field and submits the form (with
// its [data-passkey-submit] button when it has one). Elements marked data-passkey-reveal are
// shown, and data-passkey-nojs hidden, where the browser supports passkeys.
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib?.browserSupportsWebAuthn()) return;
  for (const el of document.querySelectorAll('[data-passkey-reveal]')) el.hidden = false;
  for (const el of document.querySelectorAll('[data-passkey-nojs]')) el.hidden = true;
  for (const form of document.querySelectorAll('form[data-passkey]')) {
    const start = form.querySelector('[data-passkey-start]');
    const field = form.querySelector('input[name=response]');
    const status = form.querySelector('[data-passkey-status]');
    if (!start || !field) continue;
    start.hidden = false;
    start.addEventListener('click', async () => {
      if (status) status.hidden = true;
      start.disabled = true;
      try {
        const optionsJSON = JSON.parse(form.getAttribute('data-options'));
        const answer =
          form.getAttribute('data-passkey') === 'register'
            ? await lib.startRegistration({ optionsJSON })
            : await lib.startAuthentication({ optionsJSON });
        field.value = JSON.stringify(answer);
        form.requestSubmit(form.querySelector('[data-passkey-submit]') || undefined);
      } catch (e) {
        start.disabled = false;
        if (status) {
          status.textContent = form.getAttribute('data-error') || String(e);
          status.hidden = false;
        }
      }
    });
  }
})();
