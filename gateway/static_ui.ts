/**
 * Serves the built UI (ui/dist) with node:fs streams (@fastify/static is not installed): files as they
 * are, the single-page app's routes as index.html. Hashed assets are cached for good; index.html is
 * always revalidated so a new build shows up.
 */
import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CadreError } from '../shared/errors.js';

const SPA_ROUTES = /^\/(wall|desk|login|grid\/[^/]+)?\/?$/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function staticUi(uiDir: string | undefined) {
  const root = uiDir ? resolve(uiDir) : undefined;

  return async function serve(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const path = decodePath(request.url);
    const isApi = path.startsWith('/api/') || path === '/api';
    if (!root || isApi || (request.method !== 'GET' && request.method !== 'HEAD'))
      throw new CadreError('CADRE_ERR_NOT_FOUND', `No route ${request.method} ${path}`);
    const file =
      fileUnder(root, path) ?? (SPA_ROUTES.test(path) ? fileUnder(root, '/index.html') : undefined);
    if (!file) throw new CadreError('CADRE_ERR_NOT_FOUND', `No route ${request.method} ${path}`);
    const immutable = path.startsWith('/assets/');
    reply
      .type(TYPES[extname(file.path)] ?? 'application/octet-stream')
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      // A HEAD answers the length a GET would send (it said 0).
      .header('content-length', String(file.size));
    return reply.send(request.method === 'HEAD' ? undefined : createReadStream(file.path));
  };
}

function decodePath(url: string): string {
  const raw = url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The regular file at `path` inside root, with its size; never anything outside it. */
function fileUnder(root: string, path: string): { path: string; size: number } | undefined {
  if (path.includes('\0')) return undefined;
  const file = join(root, normalize(path));
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  try {
    const stat = statSync(file);
    return stat.isFile() ? { path: file, size: stat.size } : undefined;
  } catch {
    return undefined;
  }
}
