// The server process: `node dist/src/server.js` (npm start, the container image, the benchmark).
// The app is imported only once the compile cache is on (compile-cache.ts); serve.ts does the work.
import { enableCompileCache } from './compile-cache.js';

enableCompileCache();
try {
  const { loadConfig } = await import('./config.js');
  const { startServer } = await import('./serve.js');
  await startServer(loadConfig());
} catch (error) {
  process.stderr.write(`deskbell: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
