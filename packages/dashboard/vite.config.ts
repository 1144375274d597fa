import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './precompress.js';

/**
 * The dashboard is built into the server package, which serves it at /dashboard/ (packages/server/src/dashboard).
 * Hashed files go under assets/ so the server can mark exactly those immutable.
 */
export default defineConfig({
  base: '/dashboard/',
  plugins: [react(), precompress()],
  build: {
    outDir: fileURLToPath(new URL('../server/dashboard', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // The server's CSP allows no inline script or style and no data: URLs for scripts; keep every asset a file.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npm run dev -w packages/dashboard` against a server started with `npm start`.
    proxy: { '/dashboard/api': 'http://localhost:8080' },
  },
});
