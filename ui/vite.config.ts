/**
 * The UI's build: Vite root is ui/, output ui/dist/ (served by the gateway for /wall, /desk, /grid/:id,
 * /login). In `vite dev` (`npm run dev:ui`, ui/dev/dev_server.ts) the API and Socket.IO are proxied to
 * the gateway on CADRE_API (default http://127.0.0.1:3000).
 */
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.CADRE_API ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  plugins: [svelte()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 700 },
  server: {
    proxy: {
      '/api': api,
      '/socket.io': { target: api, ws: true },
    },
  },
});
