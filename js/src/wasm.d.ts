// The esbuild `base64` loader turns an imported .wasm file into its bytes as base64 text (the
// inline entry decodes it, natively where the runtime can).
declare module '*.wasm' {
  const base64: string;
  export default base64;
}
