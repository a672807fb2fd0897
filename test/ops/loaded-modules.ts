// Preloaded into the real server with `node --import` (startup.test.ts): notes every module the
// process loads, imported or required, and when the process exits writes their addresses, one a
// line, to the file named by LOADED_MODULES.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => writeFileSync(process.env.LOADED_MODULES!, loaded.join('\n')));
