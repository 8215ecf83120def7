// Loads the golden vectors of ../tests/vectors (shared with the Rust tests): each vector's plan
// (a base plan with a JSON merge patch, RFC 7386), inputs, period, and the byte-exact output the
// native crate produced (tests/vectors/out/NAME.json) or the expected error.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const vectorsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'vectors');

export function mergePatch(target, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function loadVectors() {
  return readdirSync(vectorsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const v = JSON.parse(readFileSync(join(vectorsDir, f), 'utf8'));
      const base = v.base ? JSON.parse(readFileSync(join(vectorsDir, 'bases', `${v.base}.json`), 'utf8')) : null;
      const plan = v.op ? null : mergePatch(base, v.plan ?? {});
      let golden = null;
      if (!v.expectError) golden = readFileSync(join(vectorsDir, 'out', `${v.name}.json`), 'utf8');
      return {
        name: v.name,
        // the same text the Rust test builds: serde_json's compact form of the merged plan
        planJson: plan === null ? null : JSON.stringify(plan),
        // an operation vector (quota planning, metrics, territories): the operation and its request
        op: v.op ?? null,
        requestJson: v.op ? JSON.stringify(v.request) : null,
        inputsJson: JSON.stringify(v.inputs ?? {}),
        period: v.period,
        expectError: v.expectError ?? null,
        golden,
      };
    });
}
