// /docs: renders the API description with Redoc (served beside this file from the `redoc` package)
// in Opal's colours, and gives Redoc's selects an accessible name. Redoc 2.5.0's default theme
// draws code, secondary headers, redirect responses and the response tabs of the dark panel with
// too little contrast, and its dropdown drops the label it is given (axe-core: color-contrast,
// select-name); api-docs.css holds the one rule a theme cannot express.
(() => {
  const theme = {
    colors: {
      responses: {
        success: { tabTextColor: '#66bb6a' },
        error: { tabTextColor: '#ff7b78' },
        redirect: { color: '#7a4f00', backgroundColor: '#fff6e6', tabTextColor: '#ffa500' },
        info: { color: '#1a5e75', backgroundColor: '#e8eff1', tabTextColor: '#87ceeb' },
      },
    },
    typography: { code: { color: '#a31f1a' } },
    // Redoc hard-codes the "Authorizations" header's grey; its hook adds rules to that component.
    extensionsHook: (component) => (component === 'UnderlinedHeader' ? 'color: #5c656a;' : ''),
  };

  /** The caption Redoc shows beside a select ("Content type", "Example"), else what it chooses. */
  function captionOf(select) {
    const box = select.parentElement;
    const caption = box?.previousElementSibling?.textContent?.trim();
    if (caption && caption.length <= 40) return caption;
    return [...select.options].some((o) => o.value.includes('/')) ? 'Content type' : 'Example';
  }

  function nameSelects() {
    for (const select of document.querySelectorAll('select:not([aria-label])')) select.setAttribute('aria-label', captionOf(select));
  }

  const root = document.getElementById('redoc');
  // Redoc renders panels as they are opened: name each select as it appears.
  new MutationObserver(nameSelects).observe(root, { childList: true, subtree: true });
  window.Redoc.init(root.dataset.specUrl, { theme }, root);
})();
