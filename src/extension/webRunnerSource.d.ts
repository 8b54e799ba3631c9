// The web runner's bundled script (runner.webworker.ts) as text: esbuild.js resolves this module when it
// builds the web entry.
declare module 'consensus-notebook:web-runner-source' {
  const source: string;
  export default source;
}
