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
    // One small bundle: the budget is 150 KB of gzipped JavaScript on first load.
    chunkSizeWarningLimit: 150,
  },
});
