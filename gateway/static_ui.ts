/**
 * Serves the built UI (ui/dist) with @fastify/static: files as they are (its send handles ranges,
 * ETags, HEAD and paths that try to leave the folder), the single-page app's routes as index.html.
 * Vite names every asset by its content hash, so assets are cached for a year; index.html and the
 * other unhashed files are revalidated each time so a new build shows up at once.
 */
import { resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The app's own pages (ui/src/App.svelte's routes): each answers index.html. */
export const SPA_ROUTES = ['/wall', '/desk', '/login', '/reports', '/status', '/grid/:id'] as const;

export async function staticUi(app: FastifyInstance, uiDir: string): Promise<void> {
  const root = resolve(uiDir);
  const assets = `${root}${sep}assets${sep}`;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    cacheControl: false,
    setHeaders: (reply, path) =>
      void reply.header(
        'cache-control',
        path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ),
  });
  for (const route of SPA_ROUTES) {
    app.get(route, (_request, reply) => reply.sendFile('index.html'));
    app.get(`${route}/`, (_request, reply) => reply.sendFile('index.html'));
  }
}
