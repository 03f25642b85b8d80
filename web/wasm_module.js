// The one module (xraylens.wasm) is fetched and compiled once, on the main thread; the app and every
// analysis worker instantiate that compiled module (a WebAssembly.Module can be posted to a worker).
export const compileModule = () => WebAssembly.compileStreaming(fetch(new URL('./xraylens.wasm', import.meta.url)));

// Options for createXrayLens that instantiate `compiled` instead of fetching the file again.
export function instantiating(compiled, options = {}) {
  return {
    ...options,
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled));
      return {};
    },
  };
}
