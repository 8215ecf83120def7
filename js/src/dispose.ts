// `Symbol.dispose` for runtimes that do not have it yet (Node 18, older browsers): imported first by
// every module that defines a `[Symbol.dispose]` method, so that the key exists when it is defined.
const symbolWithDispose = Symbol as unknown as { dispose?: symbol };
if (typeof symbolWithDispose.dispose !== 'symbol') {
  Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('Symbol.dispose') });
}

export {};
