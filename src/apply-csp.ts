import { connectPolicy } from './lib/core/web/csp';
import { parseModelSource } from './lib/core/models/model-source';

/**
 * The page's connect-src, added before anything else runs (main.ts imports this module first,
 * and imports run in order): the app's origin and the model sources of this visit's `models=`.
 * It narrows the static policy in index.html, which cannot know the mirror. The app's own workers
 * inherit it because they start from blob: URLs (lib/workers/connect.ts); a worker loaded
 * from a URL would take the policy of its own response instead.
 */
const meta = document.createElement('meta');
meta.httpEquiv = 'Content-Security-Policy';
meta.content = connectPolicy(parseModelSource(new URL(location.href).searchParams.get('models')));
document.head.append(meta);
