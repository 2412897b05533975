/**
 * Starts one of the app's dedicated workers so that it obeys this page's Content-Security-Policy.
 *
 * A worker loaded from a URL takes the policy of its own response, which cannot know this visit's
 * model mirror, so it could connect anywhere. A worker loaded from a `blob:` URL inherits the
 * policy of the page that made it — the connect-src that src/apply-csp.ts added included — and its
 * cross-origin isolation and service worker too. So the worker is a one-line blob module that
 * imports the real bundle: the bundle's `import.meta.url` stays its own http(s) URL, which
 * onnxruntime and transformers.js find their files from. (`self.location` is the blob URL, so
 * code in a worker resolves its own asset URLs against `import.meta.url`.)
 *
 * `bundleUrl` is a `?worker&url` import, so Vite still bundles the worker as its own file.
 */
export function startWorker(bundleUrl: string, name: string): Worker {
  const source = `import ${JSON.stringify(new URL(bundleUrl, location.href).href)};`;
  const shim = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  try {
    return new Worker(shim, { type: 'module', name });
  } finally {
    // The constructor has already resolved the blob (the URL parser takes the blob's entry), so
    // the worker still loads it; revoking now frees it however the worker ends.
    URL.revokeObjectURL(shim);
  }
}
