import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/**
 * The portal is served at /portal on the API's own origin (locally by `npm start`, deployed by
 * the same CloudFront distribution as the API), so its session cookie stays first-party.
 */
export default defineConfig({
  base: '/portal/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Warns when a chunk passes 150 KB minified, well before the first-load budget (150 KB gzipped)
    // is at risk; bench/portal.bench.ts measures the gzipped figure.
    chunkSizeWarningLimit: 150,
  },
});
