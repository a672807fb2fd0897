// The entry point of the single executable: extract the embedded files, hand better-sqlite3 its
// addon, then run the `deskbell` command exactly as bin/deskbell.js does.
import { runCli } from './cli.js';
import { useNativeAddon } from './db/connect.js';
import { loadSeaAddon, seaRoot } from './sea.js';

const root = seaRoot();
if (!root) {
  process.stderr.write('deskbell: this entry point runs only inside the single executable\n');
  process.exit(1);
}
useNativeAddon(loadSeaAddon(root));
void runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), errTerminal: process.stderr.isTTY ? { columns: process.stderr.columns } : undefined })
  .then((code) => { if (code >= 0) process.exitCode = code; });
