import module from 'node:module';

/**
 * Node's module compile cache: V8's code for each module kept on disk, so that a start after the
 * first compiles none of the app's ~2,000 modules again. Switched on by the entry points before
 * they import the app (an import's whole graph is compiled before any of it runs).
 *
 * Where: NODE_COMPILE_CACHE when set, else Node's default, os.tmpdir()/node-compile-cache. Node
 * keeps a folder per Node version and user inside it, writes each entry to a temporary file and
 * renames it into place (several processes at once are safe), and uses an entry only while it
 * matches the module's source, so an upgrade simply writes new ones. A directory that cannot be
 * written (a read-only file system) means no cache, never an error. NODE_DISABLE_COMPILE_CACHE=1
 * switches it off. Node 22.0 has no compile cache: nothing happens there.
 */
export function enableCompileCache(): void {
  module.enableCompileCache?.();
}

/**
 * Write what was compiled so far. The server does so once it listens: Node writes the cache only
 * when the process exits, and a server may be killed rather than stopped.
 */
export function flushCompileCache(): void {
  module.flushCompileCache?.();
}
