import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  HEADER_POLICY,
  STATIC_POLICY,
  connectPolicy,
  matchesSource,
  modelSourceExpressions,
} from './csp';
import { parseModelSource } from '../models/model-source';

describe('connectPolicy', () => {
  test('without a mirror: the app and the hub, its CDN hosts and web-llm’s library host', () => {
    expect(connectPolicy(parseModelSource(null))).toBe(
      "connect-src 'self' blob: data: https://huggingface.co https://*.huggingface.co https://*.hf.co https://raw.githubusercontent.com",
    );
  });

  test('with a mirror: the app and the mirror’s origin only, whatever its path', () => {
    expect(connectPolicy(parseModelSource('http://192.168.1.20:8080/models/hub'))).toBe(
      "connect-src 'self' blob: data: http://192.168.1.20:8080",
    );
  });

  test('a models= value that is not a URL falls back to the hub, as the engines do', () => {
    expect(modelSourceExpressions(parseModelSource('javascript:alert(1)'))).toContain(
      'https://huggingface.co',
    );
  });
});

describe('matchesSource', () => {
  test('host, wildcard subdomain, scheme and port', () => {
    expect(matchesSource(new URL('https://huggingface.co/a'), 'https://huggingface.co')).toBe(true);
    expect(matchesSource(new URL('https://cas-bridge.xethub.hf.co/x'), 'https://*.hf.co')).toBe(
      true,
    );
    expect(matchesSource(new URL('https://hf.co/x'), 'https://*.hf.co')).toBe(false);
    expect(matchesSource(new URL('https://evilhf.co/x'), 'https://*.hf.co')).toBe(false);
    expect(matchesSource(new URL('http://huggingface.co/a'), 'https://huggingface.co')).toBe(false);
    expect(matchesSource(new URL('http://localhost:8080/a'), 'http://localhost:8080')).toBe(true);
    expect(matchesSource(new URL('http://localhost:8081/a'), 'http://localhost:8080')).toBe(false);
    expect(matchesSource(new URL('http://localhost/a'), 'http://localhost')).toBe(true);
  });
});

describe('the static policy', () => {
  test('index.html carries it, word for word', () => {
    const html = readFileSync(new URL('../../../../index.html', import.meta.url), 'utf8');
    const content = /http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html)?.[1];
    expect(content).toBe(STATIC_POLICY);
  });

  test('no inline or third-party script, no plugins; framing forbidden by the header', () => {
    expect(STATIC_POLICY).toContain("script-src 'self' 'wasm-unsafe-eval' blob:;");
    expect(STATIC_POLICY).not.toContain('unsafe-inline');
    expect(STATIC_POLICY).not.toContain("'unsafe-eval'");
    expect(STATIC_POLICY).toContain("object-src 'none'");
    expect(HEADER_POLICY).toMatch(/frame-ancestors 'none'$/);
  });
});
