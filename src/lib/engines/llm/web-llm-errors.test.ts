import { describe, expect, test } from 'vitest';
import { EngineCrashedError, ModelLoadError } from './engine';
import { findWebLlmModel } from '../../core/models/web-llm-catalogue';
import {
  PromptTooLongError,
  WorkerStoppedError,
  chatError,
  failureOf,
  loadError,
  loadFailureKind,
} from './web-llm-errors';

const Q4F32 = findWebLlmModel('Qwen2.5-0.5B-Instruct-q4f32_1-MLC')!;
const Q4F16 = findWebLlmModel('Llama-3.2-1B-Instruct-q4f16_1-MLC')!;
const HUB = 'huggingface.co and raw.githubusercontent.com';

describe('errors from the worker', () => {
  // web-llm's worker handler rejects with `err.toString()`.
  test.each([
    [
      'ShaderF16SupportError: This model requires…',
      'ShaderF16SupportError',
      'This model requires…',
    ],
    [
      "TypeError: Failed to execute 'add' on 'Cache'",
      'TypeError',
      "Failed to execute 'add' on 'Cache'",
    ],
    ['QuotaExceededError: Quota exceeded.', 'QuotaExceededError', 'Quota exceeded.'],
    ['Error: Cannot fetch http://m/x', 'Error', 'Cannot fetch http://m/x'],
    ['something odd', 'Error', 'something odd'],
  ])('%s', (text, name, message) => {
    expect(failureOf(text)).toEqual({ name, message });
  });

  test('errors raised on this side keep their name', () => {
    expect(failureOf(new DOMException('full', 'QuotaExceededError'))).toEqual({
      name: 'QuotaExceededError',
      message: 'full',
    });
    expect(failureOf(new WorkerStoppedError('gone')).name).toBe('WorkerStoppedError');
  });

  test.each([
    ['QuotaExceededError: …', 'quota'],
    ['ShaderF16SupportError: …', 'gpu-feature'],
    ['FeatureSupportError: This model requires feature subgroups', 'gpu-feature'],
    ['WebGPUNotAvailableError: WebGPU is not supported in your current environment', 'no-webgpu'],
    ['WebGPUNotFoundError: Cannot find adapter', 'no-webgpu'],
    ['DeviceLostError: The WebGPU device was lost while loading the model.', 'gpu-memory'],
    ["TypeError: Failed to execute 'add' on 'Cache': Request failed", 'download'],
    ['TypeError: Failed to fetch', 'download'],
    ['Error: Cannot fetch http://127.0.0.1/x/tensor-cache.json', 'download'],
    ['SyntaxError: Unexpected token \'<\', "<!doctype "... is not valid JSON', 'download'],
    [
      'CompileError: WebAssembly.instantiate(): expected magic word 00 61 73 6d, found 4e 6f 74 20',
      'download',
    ],
    ['Error: something else', 'other'],
  ])('%s is a %s failure', (text, kind) => {
    expect(loadFailureKind(failureOf(text))).toBe(kind);
  });
});

describe('load errors say what happened to which model and what to do', () => {
  test('a download that failed names the hosts', () => {
    const error = loadError(Q4F32, HUB, 'TypeError: Failed to fetch');
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.message).toBe(
      `Could not download Qwen2.5 0.5B Instruct (q4f32) from ${HUB}: Failed to fetch. Check the connection or the models= mirror, then try again.`,
    );
  });

  test('a library the mirror answered with something else', () => {
    const error = loadError(
      Q4F32,
      'localhost:8080',
      'CompileError: WebAssembly.instantiate(): expected magic word 00 61 73 6d, found 4e 6f 74 20 @+0',
    );
    expect(error.message).toContain(
      'from localhost:8080: the model library is not a WebAssembly file.',
    );
  });

  test('a full disk', () => {
    expect(loadError(Q4F32, HUB, 'QuotaExceededError: x').message).toMatch(
      /^There is no room to store Qwen2\.5 0\.5B Instruct \(q4f32\)/,
    );
  });

  test('a missing GPU feature points to the q4f32 build, or to the CPU', () => {
    expect(loadError(Q4F16, HUB, 'ShaderF16SupportError: x').message).toBe(
      'Llama 3.2 1B Instruct (q4f16) needs a WebGPU feature this browser or GPU does not offer (shader-f16). Pick the q4f32 build of Llama 3.2 1B Instruct instead.',
    );
    expect(loadError(Q4F32, HUB, 'FeatureSupportError: needs subgroups').message).toMatch(
      /\(needs subgroups\)\. Pick a GGUF model, which runs on the CPU, instead\.$/,
    );
  });

  test('no WebGPU, and a GPU out of memory', () => {
    expect(loadError(Q4F32, HUB, 'WebGPUNotAvailableError: not here').message).toMatch(
      /runs on WebGPU, which is not available here \(not here\)\. Pick a GGUF model/,
    );
    expect(loadError(Q4F16, HUB, 'DeviceLostError: lost').message).toBe(
      'The GPU ran out of memory loading Llama 3.2 1B Instruct (q4f16) (it needs about 880 MB). Close other tabs that use the GPU or pick a smaller model, then try again.',
    );
  });

  test('anything else keeps the first line of the reason', () => {
    expect(loadError(Q4F32, HUB, 'Error: first line\n    at stack').message).toBe(
      'Could not load Qwen2.5 0.5B Instruct (q4f32): first line. Reload the page and try again; if it fails again, pick another model.',
    );
  });
});

describe('chat errors', () => {
  test('a prompt too long for the context window is not a crash', () => {
    const error = chatError(
      'Qwen2.5 0.5B Instruct (q4f32)',
      'ContextWindowSizeExceededError: Prompt tokens exceed context window size: number of prompt tokens: 5000; context window size: 4096\nConsider shortening the prompt',
    );
    expect(error).toBeInstanceOf(PromptTooLongError);
    expect(error.message).toBe(
      'The question and its passages are longer than Qwen2.5 0.5B Instruct (q4f32) can read (5000 tokens; it reads at most 4096). Use fewer or shorter passages, then ask again.',
    );
  });

  test.each([
    'DeviceLostError: The WebGPU device was lost',
    'ModelNotLoadedError: Model not loaded before trying to complete ChatCompletionRequest.',
  ])('a lost device (%s) means reloading', (text) => {
    const error = chatError('M', text);
    expect(error).toBeInstanceOf(EngineCrashedError);
    expect(error.message).toMatch(/^The GPU stopped running M .*Reload the model and ask again/);
  });

  test('anything else is a crash too', () => {
    const error = chatError('M', new WorkerStoppedError('the worker stopped unexpectedly'));
    expect(error).toBeInstanceOf(EngineCrashedError);
    expect(error.message).toBe(
      'M stopped while answering (the worker stopped unexpectedly). Reload the model and ask again.',
    );
  });
});
