import { defineConfig } from 'vite';

// Built files use relative URLs (base './') so the host can serve them from any prefix.
// Preact's JSX through oxc's automatic runtime: no framework plugin needed.
export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 300 },
  test: { include: ['test/unit/**/*.test.ts'], environment: 'node' },
} as never);
