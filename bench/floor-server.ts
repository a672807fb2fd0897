// The floor: a bare Fastify route sending a fixed page of the given size. Nothing Deskbell does can
// be faster than this on the same machine, so the benchmark reports the app as a share of it.
import Fastify from 'fastify';

const bytes = Number(process.argv[2] ?? 21_000);
const line = '<tr><td>#123456</td><td>Printer on floor 2 is offline</td><td>Open</td><td>Robin Agent</td></tr>\n';
const end = '</table></body></html>';
const page = `<!doctype html><html><body><table>\n${line.repeat(Math.ceil(bytes / line.length))}`.slice(0, Math.max(0, bytes - end.length)) + end;

const app = Fastify({ logger: false });
app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
app.get('/healthz', async () => 'ok');
await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
