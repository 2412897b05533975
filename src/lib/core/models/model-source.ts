/** Where model files come from: the `models=` mirror when given, else the Hugging Face hub. */

export const HUGGING_FACE_HUB = 'https://huggingface.co/';

/** The base URL model files are laid out under, with a trailing slash: `mirror`, else the hub. */
export function modelHost(mirror: string | undefined): string {
  if (mirror === undefined) return HUGGING_FACE_HUB;
  return mirror.endsWith('/') ? mirror : `${mirror}/`;
}

export interface ModelSource {
  /** Base URL with a trailing slash, or undefined for the hub. */
  mirror: string | undefined;
  /** Why the models= parameter was ignored, if it was. */
  problem?: string;
}

export function parseModelSource(param: string | null): ModelSource {
  if (param === null || param.trim() === '') return { mirror: undefined };
  try {
    const url = new URL(param);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(url.protocol);
    const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
    return { mirror: href };
  } catch {
    return {
      mirror: undefined,
      problem: `The models= parameter “${param}” is not an http(s) address, so models come from the Hugging Face hub. Fix the link to use a mirror.`,
    };
  }
}
