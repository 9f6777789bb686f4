/** The bundled text of webview/layout-worker.ts, provided at build time by esbuild.mjs (a virtual module). */
declare module 'layout-worker-source' {
  const source: string;
  export default source;
}
