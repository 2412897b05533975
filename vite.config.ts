import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { HEADER_POLICY } from './src/lib/core/web/csp.ts';

const port = Number(process.env.PORT ?? 4173);

// Cross-origin isolation lets wllama and onnxruntime use threads (SharedArrayBuffer). Model
// mirrors must then answer with CORS headers, as the Hugging Face hub does.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// The dev server injects CSS as <style> elements; the build links files and needs no inline style.
const devInlineStyles = {
  name: 'grounded:csp-dev-styles',
  apply: 'serve' as const,
  transformIndexHtml: (html: string) =>
    html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
};

/**
 * The service worker precaches everything the build emits — the app shell, workers, the
 * onnxruntime and wllama .wasm runtimes, pdf.js, the sample documents, icons — so the app loads
 * with the network off. Model files are not precached: each engine keeps its own (transformers.js
 * and web-llm in the Cache API, wllama in the origin private file system).
 */
const pwa = VitePWA({
  // Registered by the app (state/offline.svelte.ts), in production builds only; a new version
  // waits until the person chooses to reload, so nothing reloads under them.
  injectRegister: false,
  registerType: 'prompt',
  manifest: {
    name: 'Grounded',
    short_name: 'Grounded',
    description: 'Retrieval-augmented generation that runs entirely in your browser.',
    start_url: '.',
    scope: '.',
    display: 'standalone',
    theme_color: '#1f6b52',
    background_color: '#f7f8f6',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
      {
        src: 'icons/icon-maskable-512.png',
        sizes: '512x512',
        type: 'image/png',
        purpose: 'maskable',
      },
      { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' },
    ],
  },
  // The glob below already takes the icons.
  includeManifestIcons: false,
  workbox: {
    globPatterns: ['**/*.{html,js,mjs,css,wasm,svg,png,md,txt,json}'],
    // onnxruntime-web's runtime is about 27 MB, wllama's 9 MB.
    maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
    // Hashed file names change with their content: no revision needed.
    dontCacheBustURLsMatching: /^assets\//,
    // Every page of the app is index.html, whatever its parameters (?models=…, ?gguf=…).
    navigateFallback: 'index.html',
    ignoreURLParametersMatching: [/.*/],
    // The first visit is controlled as soon as the cache is complete; later versions wait.
    clientsClaim: true,
    skipWaiting: false,
    cleanupOutdatedCaches: true,
  },
});

export default defineConfig({
  plugins: [svelte(), devInlineStyles, pwa],
  // The sample corpus and icons are served as-is from static/.
  publicDir: 'static',
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  // transformers.js and onnxruntime-web locate their .wasm files relative to their own modules;
  // pre-bundling them in dev breaks that.
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
  server: { port, headers: isolation },
  // The policy as a header too: workers loaded from a URL take theirs from their own response.
  preview: {
    port,
    strictPort: true,
    headers: { ...isolation, 'Content-Security-Policy': HEADER_POLICY },
  },
});
