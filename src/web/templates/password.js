// Enhances password fields (the pages work without it): a show/hide toggle for every
// input[data-reveal], and a strength meter for input[data-strength] fed by POST /signup/strength
// (the same rule the form applies on submit).
(() => {
  for (const box of document.querySelectorAll('input[data-reveal]')) {
    const toggle = document.getElementById(box.getAttribute('data-reveal'));
    if (!toggle) continue;
    toggle.hidden = false;
    toggle.querySelector('input').addEventListener('change', (e) => {
      box.type = e.target.checked ? 'text' : 'password';
    });
  }
  const input = document.querySelector('input[data-strength]');
  if (!input) return;
  const meter = document.getElementById('strength');
  const text = document.getElementById('strength-text');
  const account = document.getElementById('account');
  const wrap = document.getElementById('strength-wrap');
  let timer;
  let seq = 0;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++seq;
      if (!input.value) {
        wrap.hidden = true;
        return;
      }
      try {
        const res = await fetch('/signup/strength', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'accept-language': document.documentElement.lang },
          body: JSON.stringify({ password: input.value, account: account ? account.value : '' }),
        });
        if (!res.ok || mine !== seq) return;
        const r = await res.json();
        wrap.hidden = false;
        meter.value = r.score;
        text.textContent = r.message;
      } catch {
        /* the rule still applies on submit */
      }
    }, 250);
  });
})();
