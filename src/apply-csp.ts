import { connectPolicy } from './lib/core/csp';
import { parseModelSource } from './lib/core/model-source';

/**
 * The page's connect-src, added before anything else runs (main.ts imports this module first,
 * and imports run in order): the app's origin and the model sources of this visit's `models=`.
 * It narrows the static policy in index.html, which cannot know the mirror. Dedicated workers
 * loaded from a URL take their policy from their own response headers instead (see README).
 */
const meta = document.createElement('meta');
meta.httpEquiv = 'Content-Security-Policy';
meta.content = connectPolicy(parseModelSource(new URL(location.href).searchParams.get('models')));
document.head.append(meta);
