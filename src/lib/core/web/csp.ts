/*
 * core/web/ — the page and the network: the Content-Security-Policy (this file), share links,
 * classifying requests for the network panel, offline readiness and storage-quota wording.
 */

import type { ModelSource } from '../models/model-source';

/**
 * Where model files may come from without a mirror: the Hugging Face hub, which redirects large
 * files to its CDN and Xet storage hosts (`cdn-lfs.huggingface.co`, `cas-bridge.xethub.hf.co`, …),
 * and GitHub, where web-llm's prebuilt configuration keeps its compiled model libraries.
 */
export const HUB_SOURCES: readonly string[] = [
  'https://huggingface.co',
  'https://*.huggingface.co',
  'https://*.hf.co',
  'https://raw.githubusercontent.com',
];

/**
 * CSP source expressions for the model files: the mirror's origin when `models=` names one (every
 * engine then takes every file from it), else the hub's hosts.
 */
export function modelSourceExpressions(source: ModelSource): string[] {
  return source.mirror === undefined ? [...HUB_SOURCES] : [new URL(source.mirror).origin];
}

/**
 * The page's second policy, computed at startup because the mirror is a URL parameter. Policies
 * only ever narrow one another, so the static policy in index.html allows any http(s) connection
 * and this one allows the app's origin and the model sources only. `blob:` and `data:` are
 * in-memory URLs some libraries fetch from; they never reach the network.
 */
export function connectPolicy(source: ModelSource): string {
  return `connect-src 'self' blob: data: ${modelSourceExpressions(source).join(' ')}`;
}

/** Whether `url` is matched by a CSP host source as {@link modelSourceExpressions} writes them. */
export function matchesSource(url: URL, expression: string): boolean {
  const match = /^(https?):\/\/(\*\.)?([^/:]+)(?::(\d+))?$/.exec(expression);
  if (!match) return false;
  const [, scheme, wildcard, host, port] = match;
  if (url.protocol !== `${scheme}:`) return false;
  if ((url.port || defaultPort(url.protocol)) !== (port ?? defaultPort(url.protocol))) {
    return false;
  }
  return wildcard ? url.hostname.endsWith(`.${host}`) : url.hostname === host;
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : '80';
}

/**
 * The policy of every response, also written in index.html's `<meta>` (a unit test keeps the two
 * equal). Scripts, workers and wasm come from the app's origin (`'wasm-unsafe-eval'` lets
 * WebAssembly compile). `blob:` scripts and workers: transformers.js imports onnxruntime's loader
 * from a blob it makes from the app's own copy, and the app and wllama start their workers from
 * blobs (which is how those workers inherit the page's connect-src); only code already running in
 * the app can make a blob URL, so no injected markup can use this. No inline script, no
 * third-party script, style or font. Connections: any http(s), because the mirror is only known at
 * run time — the page narrows them with {@link connectPolicy}.
 */
export const STATIC_POLICY =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:; " +
  "connect-src 'self' blob: data: http: https:; img-src 'self' data: blob:; style-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/** What a `<meta>` cannot say: only a response header may forbid framing. */
export const HEADER_POLICY = `${STATIC_POLICY}; frame-ancestors 'none'`;
