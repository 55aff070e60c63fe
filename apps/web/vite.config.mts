import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built into apps/web/dist, which the API serves at `/` (apps/api/src/web.static.ts). During
// development `npx vite apps/web` proxies the REST API to a running ktrdr API.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 600 },
  server: { proxy: { '/api': process.env['KTRDR_API_URL'] ?? 'http://localhost:8000' } },
});
