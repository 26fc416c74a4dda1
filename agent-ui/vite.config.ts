import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const server = 'http://localhost:3000';

export default defineConfig({
  // The folder of this file, so the build works from the repository root and from here alike.
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The reports page is its own chunk, loaded with its tab: ECharts (core, bar, pie, SVG) is most of its ~560 kB.
    chunkSizeWarningLimit: 700,
  },
  server: {
    // The panel imports the shared protocol from ../server.
    fs: { allow: ['..'] },
    proxy: {
      '/api': { target: server, changeOrigin: false },
      '/socket.io': { target: server, ws: true, changeOrigin: false },
    },
  },
  preview: {
    proxy: {
      '/api': { target: server },
      '/socket.io': { target: server, ws: true },
    },
  },
});
