import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Db } from '../../src/db/connect.js';
import { toActor, type Actor } from '../../src/users/actor.js';
import type { Client } from '../helpers/client.js';

/** Real file heads: what the sniffer must recognise whatever the name says. */
export const BYTES = {
  png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), randomBytes(64)]),
  jpg: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]), Buffer.from('JFIF\0'), randomBytes(64)]),
  pdf: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n'),
  zip: Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0]), randomBytes(40)]),
  html: Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>'),
  svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
  txt: Buffer.from('Just some notes.\nNothing more.\n'),
};

export type Part =
  | { name: string; value: string }
  | { name: string; filename?: string; rawDisposition?: string; content: Buffer; type?: string };

/** A multipart/form-data body built by hand, so tests control every byte of the part headers. */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----deskbell${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\n`;
    if ('value' in part) {
      head += `Content-Disposition: form-data; name="${part.name}"\r\n\r\n`;
      chunks.push(Buffer.from(head, 'utf8'), Buffer.from(part.value, 'utf8'), Buffer.from('\r\n'));
    } else {
      const disposition = part.rawDisposition ?? `form-data; name="${part.name}"; filename="${part.filename ?? ''}"`;
      head += `Content-Disposition: ${disposition}\r\nContent-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`;
      chunks.push(Buffer.from(head, 'utf8'), part.content, Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function cookieHeader(client: Client): string {
  return [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** POST a multipart body as the client's browser would (its cookies; the token only where the test puts it). */
export function postMultipart(app: FastifyInstance, client: Client, url: string, parts: Part[], headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const { body, contentType } = multipart(parts);
  return app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType, cookie: cookieHeader(client), ...headers } });
}

/** Upload files to the pending-upload endpoint with the token as the form's first part, as a real form sends it. */
export async function upload(app: FastifyInstance, client: Client, files: { filename: string; content: Buffer; type?: string }[]) {
  const res = await postMultipart(app, client, '/attachments', [
    { name: '_csrf', value: client.csrf },
    ...files.map((f) => ({ name: 'files', ...f })),
  ]);
  const json = String(res.headers['content-type']).startsWith('application/json') ? JSON.parse(res.body) as UploadAnswer : { uploads: [], rejected: [] };
  return { res, json };
}

export interface UploadAnswer {
  uploads: { id: number; filename: string; size: number; contentType: string; href: string }[];
  rejected: { filename: string; reason: string; message: string }[];
}

/** Every regular file under the uploads directory (empty shard directories do not count). */
export function filesUnder(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

export async function actorOf(db: Db, id: number): Promise<Actor> {
  return toActor(await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

export async function waitFor(check: () => boolean | Promise<boolean>, ms = 3000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}
