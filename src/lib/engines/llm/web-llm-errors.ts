/**
 * What went wrong in web-llm, in words that say what to do. web-llm's worker sends an error across
 * as `err.toString()` ("ShaderF16SupportError: This model requires…"), so errors are matched by
 * the name at the front of that string; errors raised on this side arrive as objects.
 */

import { EngineCrashedError, ModelLoadError } from './engine';
import { webLlmLabel, type WebLlmModel } from '../../core/models/web-llm-catalogue';

export interface Failure {
  name: string;
  message: string;
}

/** The worker ended on its own (an uncaught error, or the browser killed it). */
export class WorkerStoppedError extends Error {
  override name = 'WorkerStoppedError';
}

/** The prompt does not fit the model's context window; nothing is broken. */
export class PromptTooLongError extends Error {
  override name = 'PromptTooLongError';
}

export function failureOf(error: unknown): Failure {
  if (error instanceof Error || error instanceof DOMException) {
    return { name: error.name, message: error.message };
  }
  const text = String(error);
  const named = /^(\w*(?:Error|Exception)): ?([\s\S]*)$/.exec(text);
  return named ? { name: named[1]!, message: named[2]! } : { name: 'Error', message: text };
}

export type LoadFailureKind =
  'quota' | 'gpu-feature' | 'no-webgpu' | 'gpu-memory' | 'download' | 'worker' | 'other';

export function loadFailureKind({ name, message }: Failure): LoadFailureKind {
  if (name === 'QuotaExceededError' || /quota/i.test(message)) return 'quota';
  if (name === 'ShaderF16SupportError' || name === 'FeatureSupportError') return 'gpu-feature';
  if (name === 'WebGPUNotAvailableError' || name === 'WebGPUNotFoundError') return 'no-webgpu';
  if (name === 'DeviceLostError' || /device (?:was |is )?lost|out of memory/i.test(message)) {
    return 'gpu-memory';
  }
  if (name === 'WorkerStoppedError') return 'worker';
  if (
    name === 'TypeError' ||
    name === 'NetworkError' ||
    name === 'SyntaxError' ||
    /fetch|request failed|network|magic word/i.test(message)
  ) {
    return 'download';
  }
  return 'other';
}

/** The error `load` throws for `error`; `hosts` names where the files come from. */
export function loadError(model: WebLlmModel, hosts: string, error: unknown): ModelLoadError {
  const label = webLlmLabel(model);
  const failure = failureOf(error);
  const reason = reasonOf(failure);
  switch (loadFailureKind(failure)) {
    case 'quota':
      return new ModelLoadError(
        `There is no room to store ${label}: the disk, or the space the browser gives this site, is full. Delete downloaded models you no longer use or free some disk space, then try again.`,
      );
    case 'gpu-feature':
      return new ModelLoadError(
        `${label} needs a WebGPU feature this browser or GPU does not offer (${model.requiredFeatures.join(', ') || reason}). ` +
          (model.quantization === 'q4f16'
            ? `Pick the q4f32 build of ${model.family} instead.`
            : 'Pick a GGUF model, which runs on the CPU, instead.'),
      );
    case 'no-webgpu':
      return new ModelLoadError(
        `${label} runs on WebGPU, which is not available here (${reason}). Pick a GGUF model, which runs on the CPU, or open the app in a browser with WebGPU.`,
      );
    case 'gpu-memory':
      return new ModelLoadError(
        `The GPU ran out of memory loading ${label} (it needs about ${Math.ceil(model.vramMB)} MB). Close other tabs that use the GPU or pick a smaller model, then try again.`,
      );
    case 'download':
      return new ModelLoadError(
        `Could not download ${label} from ${hosts}: ${reason}. Check the connection or the models= mirror, then try again.`,
      );
    case 'worker':
      return new ModelLoadError(
        `The web-llm worker stopped while loading ${label} (${reason}). Reload the page and try again.`,
      );
    case 'other':
      return new ModelLoadError(
        `Could not load ${label}: ${reason}. Reload the page and try again; if it fails again, pick another model.`,
      );
  }
}

/** The error `chat` throws for `error`: the prompt was too long, or the engine must be reloaded. */
export function chatError(label: string, error: unknown): PromptTooLongError | EngineCrashedError {
  const failure = failureOf(error);
  if (failure.name === 'ContextWindowSizeExceededError') {
    const counts = /prompt tokens: (\d+); context window size: (\d+)/.exec(failure.message);
    const sizes = counts ? ` (${counts[1]} tokens; it reads at most ${counts[2]})` : '';
    return new PromptTooLongError(
      `The question and its passages are longer than ${label} can read${sizes}. Use fewer or shorter passages, then ask again.`,
    );
  }
  if (
    loadFailureKind(failure) === 'gpu-memory' ||
    failure.name === 'ModelNotLoadedError' ||
    failure.name === 'WorkerEngineModelNotLoadedError'
  ) {
    return new EngineCrashedError(
      `The GPU stopped running ${label} (the device was lost, often from running out of memory). Reload the model and ask again; if it happens again, pick a smaller model.`,
    );
  }
  return new EngineCrashedError(
    `${label} stopped while answering (${reasonOf(failure)}). Reload the model and ask again.`,
  );
}

function reasonOf({ name, message }: Failure): string {
  const firstLine = message.split('\n')[0]!.trim();
  if (/magic word/i.test(firstLine)) return 'the model library is not a WebAssembly file';
  return firstLine || name;
}
