/**
 * Builds the webmail (src/web/ui) into src/web/ui/dist, served at /webmail/ by
 * src/web/api/webmail-static.ts. `npm run build` runs it after the server's tsc. The login page
 * is the first chunk; the mail shell and antd's locale files load on demand (initial JS ≤ 400 KB
 * gzip, issue #12). No inline scripts: the app's CSP is script-src 'self'.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/webmail/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1200,
  },
  server: { proxy: { '/api': process.env.YOUJU_API ?? 'http://127.0.0.1:10080' } },
});
