import module from 'node:module';

/**
 * Node's module compile cache: V8's code for each module kept on disk, so that a start after the
 * first compiles none of the app's ~1,300 modules again. Switched on by the entry points before
 * they import the app (an import's whole graph is compiled before any of it runs).
 *
 * Where: NODE_COMPILE_CACHE when set, else Node's default, os.tmpdir()/node-compile-cache. Node
 * keeps a folder per Node version and user inside it, writes each entry to a temporary file and
 * renames it into place (several processes at once are safe), and uses an entry only while it
 * matches the module's source, so an upgrade simply writes new ones. A directory that cannot be
 * written (a read-only file system) means no cache, never an error. NODE_DISABLE_COMPILE_CACHE=1
 * switches it off. Node 22.0 has no compile cache: nothing happens there.
 *
 * The cache is written when the process exits (a server stopped by SIGTERM exits: serve.ts), not
 * during the start: writing ~1,300 entries takes ~0.1 s, which a first start would otherwise pay.
 */
export function enableCompileCache(): void {
  module.enableCompileCache?.();
}
