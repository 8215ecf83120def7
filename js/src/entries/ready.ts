// `init` and `initSync` for entries whose module is instantiated on import (Node, inline).
/** Resolves at once: the module is already instantiated. */
export async function init(_input?: unknown): Promise<void> {}
/** Does nothing: the module is already instantiated. */
export function initSync(_module?: unknown): void {}
