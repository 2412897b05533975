import { describe, expect, test } from 'vitest';
import { findWebLlmModel } from '../../core/models/web-llm-catalogue';
import { chunk, usageChunk } from './web-llm-fakes';
import { DeltaReader, ThinkingFilter, chatRequest, finishOf } from './web-llm-stream';

const filtered = (...pieces: string[]) => {
  const filter = new ThinkingFilter();
  const shown = pieces.map((piece) => filter.push(piece));
  return [...shown, filter.flush()].join('');
};

describe('a reasoning block at the start of an answer', () => {
  test('is dropped with the blank lines after it', () => {
    expect(filtered('<think>\n\n</think>\n\nThirty weeks.')).toBe('Thirty weeks.');
    expect(filtered('<think>\nLet me see.\n</think>\n\n', 'Thirty', ' weeks.')).toBe(
      'Thirty weeks.',
    );
  });

  test('is found when it arrives in pieces', () => {
    expect(filtered('<', 'thi', 'nk>', 'hmm', '</thi', 'nk>', '\n', 'Thirty')).toBe('Thirty');
  });

  test('only at the start: later tags and other text pass unchanged', () => {
    expect(filtered('Use <think> tags', ' like this.')).toBe('Use <think> tags like this.');
    expect(filtered('<', 'b>bold</b>')).toBe('<b>bold</b>');
    expect(filtered('\n\nThirty')).toBe('\n\nThirty');
  });

  test('text is shown as it comes once it cannot start a block', () => {
    const filter = new ThinkingFilter();
    expect(filter.push('Thirty')).toBe('Thirty');
    expect(filter.push(' weeks')).toBe(' weeks');
  });

  test('a block never closed was all reasoning', () => {
    expect(filtered('<think>I am still thinking when max_tokens')).toBe('');
  });

  test('a lone "<" at the very end is shown', () => {
    expect(filtered('<')).toBe('<');
  });
});

describe('reading web-llm chunks', () => {
  test('finish and usage arrive in separate chunks and are given together at the end', () => {
    const reader = new DeltaReader();
    expect(reader.read(chunk('Thirty'))).toBe('Thirty');
    expect(reader.read(chunk('', 'stop'))).toBe('');
    expect(reader.read(usageChunk(10, 1))).toBe('');
    expect(reader.end()).toEqual({
      content: '',
      finish: 'stop',
      usage: { promptTokens: 10, completionTokens: 1 },
    });
  });

  test('a stream that ends without saying why ends with "stop"; a stopped one with "abort"', () => {
    expect(new DeltaReader().end()).toEqual({ content: '', finish: 'stop' });
    expect(new DeltaReader().end('abort')).toEqual({ content: '', finish: 'abort' });
  });

  test.each([
    [null, undefined],
    ['stop', 'stop'],
    ['length', 'length'],
    ['abort', 'abort'],
    ['tool_calls', 'stop'],
  ] as const)('finish_reason %s → %s', (reason, finish) => {
    expect(finishOf(reason)).toBe(finish);
  });
});

describe('the request', () => {
  const messages = [{ role: 'user' as const, content: 'Q' }];
  const options = { temperature: 0, topP: 1, seed: 1, maxTokens: 10 };

  test('turns thinking off only for models that think', () => {
    const qwen3 = findWebLlmModel('Qwen3-0.6B-q4f32_1-MLC')!;
    const llama = findWebLlmModel('Llama-3.2-1B-Instruct-q4f32_1-MLC')!;
    expect(chatRequest(messages, options, qwen3).extra_body).toEqual({ enable_thinking: false });
    expect(chatRequest(messages, options, llama)).not.toHaveProperty('extra_body');
  });
});
