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

// The bucket browser's upload (console-bucket.eta): with this script, files chosen or dropped on
// the page go straight to the FDS origin in parts. The console starts the multipart upload and
// signs a URL for each part (POST /console/buckets/{bucket}/uploads); the parts are PUT with
// XMLHttpRequest, whose upload progress moves the bar; the completing PUT lists the parts. Without
// the script the form posts the file through the console.
(() => {
  const form = document.getElementById('upload-form');
  if (!form) return;
  const zone = document.getElementById('drop-zone');
  const box = document.getElementById('upload-progress');
  const bar = document.getElementById('upload-bar');
  const status = document.getElementById('upload-status');
  const input = form.querySelector('input[type="file"]');
  const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
  zone.hidden = false;

  const put = (url, body, type, onProgress) =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', url);
      xhr.setRequestHeader('Content-Type', type);
      if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.responseText ? JSON.parse(xhr.responseText) : {});
        else {
          let m = `HTTP ${xhr.status}`;
          try {
            m = JSON.parse(xhr.responseText).message || m;
          } catch {}
          reject(new Error(m));
        }
      };
      xhr.onerror = () => reject(new Error('network error'));
      xhr.send(body);
    });

  const uploadOne = async (file) => {
    const prefix = form.querySelector('input[name="prefix"]').value;
    const name = prefix + file.name;
    const type = file.type || 'application/octet-stream';
    const r = await fetch(`/console/buckets/${encodeURIComponent(form.dataset.bucket)}/uploads`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ csrf: form.querySelector('input[name="csrf"]').value, name, size: file.size, type }),
    });
    const start = await r.json();
    if (!r.ok) throw new Error(start.message || `HTTP ${r.status}`);
    const done = [];
    let sent = 0;
    const show = (inFlight) => {
      const percent = file.size ? Math.floor(((sent + inFlight) * 100) / file.size) : 100;
      bar.value = percent;
      status.textContent = fill(form.dataset.uploading, { name, percent });
    };
    for (let i = 0; i < start.parts.length; i++) {
      const chunk = file.slice(i * start.partSize, Math.min(file.size, (i + 1) * start.partSize));
      done.push(await put(start.parts[i], chunk, 'application/octet-stream', show));
      sent += chunk.size;
      show(0);
    }
    await put(start.complete, JSON.stringify({ uploadPartResultList: done }), type);
    return name;
  };

  const run = async (files) => {
    box.hidden = false;
    for (const file of files) {
      bar.value = 0;
      try {
        const name = await uploadOne(file);
        bar.value = 100;
        status.textContent = fill(form.dataset.uploaded, { name });
      } catch (e) {
        status.textContent = fill(form.dataset.failed, { name: file.name, message: e.message });
        return;
      }
    }
    const prefix = form.querySelector('input[name="prefix"]').value;
    location.assign(`${location.pathname}?${new URLSearchParams(prefix ? { prefix, done: 'uploaded' } : { done: 'uploaded' })}`);
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.files.length) run([...input.files]);
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer.files.length) run([...e.dataTransfer.files]);
  });
})();
