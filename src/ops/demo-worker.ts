// The thread that makes the demo's tickets (demo-batches.ts): it hands each batch over and stays at
// most AHEAD batches ahead of the writer, who answers each with a message.
import { parentPort, workerData } from 'node:worker_threads';
import { AHEAD, type DemoWorkerData, type DemoWorkerMessage } from './demo-batches.js';
import { seededRandom } from './demo-text.js';
import { generateTickets } from './demo-tickets.js';

const port = parentPort!;
const { state, plan, batchSize } = workerData as DemoWorkerData;
let credit = AHEAD;
let wake = () => undefined as void;
port.on('message', () => {
  credit += 1;
  wake();
});
const send = (message: DemoWorkerMessage) => port.postMessage(message);

const { messages } = await generateTickets(seededRandom(state), plan, batchSize, async (batch, done) => {
  while (credit === 0) await new Promise<void>((resolve) => { wake = resolve; });
  credit -= 1;
  send({ batch, done });
});
send({ messages });
