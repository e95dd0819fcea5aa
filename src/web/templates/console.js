// Live redirect-URI check of the developer console: as the redirect URIs, the exact-redirect flag
// or the URI to test change, asks /console/redirect-check (the matcher of /oauth2/authorize) and
// shows the verdict per registered entry. The form works without this script.
(() => {
  for (const form of document.querySelectorAll('form.redirect-test')) {
    const area = document.getElementById(form.dataset.for);
    const exactBox = document.querySelector('input[name="flag_exactRedirect"]');
    const uri = form.querySelector('input[name="uri"]');
    const out = form.querySelector('[role="status"]');
    let timer;
    let seq = 0;
    const run = async () => {
      const n = ++seq;
      const q = new URLSearchParams({ uri: uri.value, registered: area ? area.value : '' });
      if (exactBox?.checked) q.set('exact', '1');
      const r = await fetch(`/console/redirect-check?${q}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (n !== seq || !r.ok) return;
      const v = await r.json();
      out.textContent = '';
      const p = document.createElement('p');
      p.className = v.matches ? 'ok' : 'error';
      p.dataset.matches = String(v.matches);
      p.textContent = v.matches ? form.dataset.accepted : form.dataset.refused;
      if (uri.value) out.append(p);
      const ul = document.createElement('ul');
      for (const e of uri.value ? v.entries : []) {
        const li = document.createElement('li');
        const code = document.createElement('code');
        code.textContent = e.registered;
        li.append(code, `: ${e.text}`);
        li.dataset.rule = e.rule;
        ul.append(li);
      }
      for (const bad of v.unusable) {
        const li = document.createElement('li');
        li.className = 'error';
        li.dataset.rule = 'registeredMalformed';
        li.textContent = `${bad}: ${form.dataset.unusable}`;
        ul.append(li);
      }
      out.append(ul);
    };
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => run().catch(() => undefined), 200);
    };
    for (const el of [area, exactBox, uri]) el?.addEventListener('input', later);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      run().catch(() => undefined);
    });
  }
})();
// The playground callback of response_type=token: the token is in the fragment, which only this
// page's script can read; it is shown, never sent anywhere.
(() => {
  const box = document.getElementById('fragment-box');
  if (!box || location.hash.length < 2) return;
  document.getElementById('fragment').textContent = decodeURIComponent(location.hash.slice(1)).split('&').join('\n');
  box.hidden = false;
})();
