// Display helpers: they lay out the decimal strings the engine returns, exactly, on their digits
// (BigInt), never through a float. (The same helpers as in ../node-validate/payplan.mjs, which
// ships as one file.)

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** "1234567.5" -> "1,234,567.5". */
export function groupThousands(decimal) {
  const m = DECIMAL.exec(decimal);
  if (!m) return decimal;
  return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] !== undefined ? `.${m[3]}` : '');
}

/** Rounds decimal text half-even to `places` decimals ("34444.4444" -> "34444.44"). */
export function roundDecimal(decimal, places) {
  const m = DECIMAL.exec(decimal);
  if (!m) return decimal;
  const [, sign, int, frac = ''] = m;
  let kept = BigInt(int + frac.padEnd(places, '0').slice(0, places));
  const rest = frac.slice(places);
  if (/[1-9]/.test(rest)) {
    const first = Number(rest[0]);
    if (first > 5 || (first === 5 && (/[1-9]/.test(rest.slice(1)) || kept % 2n === 1n))) kept += 1n;
  }
  const digits = kept.toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return sign && /[1-9]/.test(text) ? `-${text}` : text;
}

/** A ratio ("1.35") as a percentage ("135%"), half-even to 2 decimals, without trailing zeros. */
export function ratioToPercent(ratio) {
  if (ratio === null || ratio === undefined) return 'n/a';
  const m = DECIMAL.exec(ratio);
  if (!m) return ratio;
  const [, sign, int, frac = ''] = m;
  const shifted = `${sign}${(int + frac.padEnd(2, '0').slice(0, 2)).replace(/^0+(?=\d)/, '')}${frac.length > 2 ? `.${frac.slice(2)}` : ''}`;
  const rounded = roundDecimal(shifted, 2);
  return `${rounded.includes('.') ? rounded.replace(/\.?0+$/, '') : rounded}%`;
}

/** Money for display: grouped, with the engine's decimals ("24900.00" -> "24,900.00"). */
export const money = (decimal) => groupThousands(decimal);

/**
 * `percent`% of a decimal amount, rounded half-up to cents: the size of the hypothetical deal that
 * puts a rep at `percent`% of quota on the payout curve (an input to the engine, not a payout).
 */
export function percentOf(decimal, percent) {
  const m = DECIMAL.exec(decimal);
  if (!m) throw new Error(`not a decimal: ${decimal}`);
  const [, sign, int, frac = ''] = m;
  const scaled = BigInt(int + frac) * BigInt(percent); // x 10^(frac.length + 2)
  const divisor = 10n ** BigInt(frac.length); // leaves cents
  const cents = (scaled + divisor / 2n) / divisor;
  const s = cents.toString().padStart(3, '0');
  return `${sign}${s.slice(0, -2)}.${s.slice(-2)}`;
}
