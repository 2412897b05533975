import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { HEADER_POLICY } from './src/lib/core/csp.ts';

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

export default defineConfig({
  plugins: [svelte(), devInlineStyles],
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
