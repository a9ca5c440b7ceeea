// Builds the archivist workbench to dist/, which `dangan serve --ui DIR` serves at / and /assets/*.
// The server sends a strict Content-Security-Policy (script-src 'self'; style-src 'self'): the
// build must emit no inline script or style, so the module-preload polyfill (an inline helper in
// some set-ups) is off and no asset is inlined as a data: URL. `npm run dev` proxies the API to a
// running server (DANGAN_URL, default http://127.0.0.1:8080).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2020',
  },
  server: {
    proxy: { '/api': process.env.DANGAN_URL || 'http://127.0.0.1:8080' },
  },
})
