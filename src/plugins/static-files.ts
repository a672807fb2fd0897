import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { assets } from '../assets.js';

/**
 * The public files' version: a hash of every file under public/ (names and contents), read once at
 * start. The pages link `/public/<version>/…` (see `assetUrl`), which may be cached for a year: a
 * new release changes the version, so no browser ever keeps an old stylesheet or script.
 */
export const ASSET_VERSION = `v-${hashTree(assets.public).slice(0, 12)}`;

/** The address of a public file for a page to link, e.g. `assetUrl('css/app.css')`. */
export function assetUrl(path: string): string {
  return `/public/${ASSET_VERSION}/${path}`;
}

function hashTree(root: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(root);
  return hash.digest('hex');
}

/**
 * Compression and the public files. Pages, styles and scripts are compressed for browsers that ask
 * (brotli at a middle level: level 11, zlib's default, costs ~10 ms for a list page; gzip as is);
 * event streams are not (their responses are taken over, stream.ts). A request body
 * sent compressed is not inflated: forms are small, and a compressed body would only smuggle a big one.
 * Public files under the versioned prefix are immutable for a year; the plain `/public/…` addresses
 * (old links, the favicon a browser asks for) keep one hour.
 */
export default fp(async (app) => {
  await app.register(fastifyCompress, {
    global: true,
    globalDecompression: false,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    // zlib.constants.BROTLI_PARAM_QUALITY is 1 (zlib is not imported in src: test/hostile/files.test.ts).
    brotliOptions: { params: { 1: 5 } },
  });
  await app.register(fastifyStatic, { root: assets.public, prefix: '/public/', maxAge: '1h', index: false });
  await app.register(fastifyStatic, {
    root: assets.public, prefix: `/public/${ASSET_VERSION}/`, maxAge: '365d', immutable: true, index: false, decorateReply: false,
  });
}, { name: 'static-files' });
