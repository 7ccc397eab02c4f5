/**
 * Builds the webmail (src/web/ui) into src/web/ui/dist, served at /webmail/ by
 * src/web/api/webmail-static.ts. `npm run build` runs it after the server's tsc. The login page
 * is the first chunk; the mail shell and antd's locale files load on demand (initial JS ≤ 400 KB
 * gzip, issue #12). No inline scripts: the app's CSP is script-src 'self'. Each text file also gets
 * a .gz and a .br beside it, which @fastify/static sends to browsers that accept them.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/** Pre-compressed copies of the built text files (the server compresses nothing at run time). */
function precompress(): Plugin {
  return {
    name: 'youju-precompress',
    apply: 'build',
    writeBundle(options) {
      const dir = options.dir!;
      for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!e.isFile() || !/\.(js|css|html|svg|json)$/.test(e.name)) continue;
        const file = join(e.parentPath, e.name);
        const body = readFileSync(file);
        if (body.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/webmail/',
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    reportCompressedSize: true,
    chunkSizeWarningLimit: 1200,
  },
  server: { proxy: { '/api': process.env.YOUJU_API ?? 'http://127.0.0.1:10080' } },
});
