import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// One POST to a subscriber, with the checks a server calling URLs its admins typed needs: the name
// is resolved first and every address it has is checked (loopback, private, link-local and the
// like are refused unless allowed), then the connection goes to the address that was checked (no
// second lookup a DNS trick could answer differently); redirects are not followed; a time limit.

// Two lists: a BlockList also matches IPv4 addresses against IPv6 rules (as IPv4-mapped ones), and
// the IPv6 list blocks every IPv4-mapped address.
const PRIVATE_V4 = new BlockList();
const PRIVATE_V6 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE_V4.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  // Unspecified, loopback and IPv4-compatible; IPv4-mapped (whatever IPv4 address it carries); NAT64;
  // unique local; link-local; site-local (deprecated); multicast; documentation.
  ['::', 96], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['2001:db8::', 32],
] as const) PRIVATE_V6.addSubnet(network, prefix, 'ipv6');

/** Loopback, private, link-local, shared, reserved, multicast or documentation: not somewhere on the internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? PRIVATE_V4.check(address, 'ipv4') : PRIVATE_V6.check(address, 'ipv6');
}

export interface Attempt {
  /** The answer's status; absent when there was none (refused, unreachable, timed out). */
  status?: number;
  /** The first few KB of the answer. */
  body?: string;
  error?: string;
  /** Refused before sending (a private address, a scheme we do not speak): no retry mends that. */
  refused?: boolean;
  durationMs: number;
}

export interface SendOptions { allowPrivate: boolean; timeoutMs: number }

const KEEP_BYTES = 4096;

export async function postWebhook(target: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<Attempt> {
  const started = Date.now();
  const took = () => Date.now() - started;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return { error: 'not a valid URL', refused: true, durationMs: took() };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `${url.protocol} is not http or https`, refused: true, durationMs: took() };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true, verbatim: true });
  } catch (error) {
    return { error: `${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? String(error)})`, durationMs: took() };
  }
  if (addresses.length === 0) return { error: `${host} has no address`, durationMs: took() };
  if (!options.allowPrivate) {
    const inside = addresses.find((a) => isPrivateAddress(a.address));
    if (inside) {
      return { error: `refused: ${host} is ${inside.address}, a private address (allow private addresses in the settings to send there)`, refused: true, durationMs: took() };
    }
  }
  const chosen = addresses[0]!;
  // The connection's own lookup answers with the address just checked.
  const pinned: LookupFunction = (_hostname, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [chosen]);
    else callback(null, chosen.address, chosen.family);
  };
  return new Promise<Attempt>((resolve) => {
    let settled = false;
    const finish = (attempt: Omit<Attempt, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...attempt, durationMs: took() });
    };
    const request = (url.protocol === 'https:' ? https : http).request({
      protocol: url.protocol, hostname: host, port: url.port || undefined, path: `${url.pathname}${url.search}`, method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: pinned, agent: false,
    }, (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      response.on('data', (chunk: Buffer) => {
        if (kept < KEEP_BYTES) chunks.push(chunk.subarray(0, KEEP_BYTES - kept));
        kept += chunk.length;
      });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const text = Buffer.concat(chunks).toString('utf8');
        const location = response.headers.location;
        if (status >= 300 && status < 400) finish({ status, body: text, error: `redirect not followed${location ? ` (to ${location})` : ''}` });
        else finish({ status, body: text, ...(status >= 200 && status < 300 ? {} : { error: `answered ${status}` }) });
      });
      response.on('error', (error) => finish({ status: response.statusCode, error: error.message }));
    });
    const timer = setTimeout(() => {
      request.destroy(new Error(`no answer within ${Math.round(options.timeoutMs / 100) / 10} s`));
    }, options.timeoutMs);
    request.on('error', (error) => finish({ error: error.message }));
    request.end(body);
  });
}
