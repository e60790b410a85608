/**
 * Entry point of dist/server.js: the Perf Lens language server — or, when started as one of its own
 * index worker threads, the worker (see index-pool.ts). See language-server.ts for the protocol.
 */
import { isIndexWorker, runIndexWorker } from './index-pool';
import { startLanguageServer } from './language-server';

if (isIndexWorker()) runIndexWorker();
else startLanguageServer(__filename);
