/**
 * Keccak-f[1600], the permutation inside TUAK (3GPP TS 35.231 Annex C, from the Keccak reference
 * specification section 1.2; identical to FIPS 202 Keccak-p[1600, 24]). The 1600-bit state is
 * 200 bytes; lane (x, y) is bytes 8(x+5y) .. 8(x+5y)+7, little-endian. Lanes are held as 32-bit
 * halves so that no BigInt is needed.
 */

/** ρ rotation offsets r[x + 5y] (Annex C). */
const RHO = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];

/** rc(t): the LFSR x^8 + x^6 + x^5 + x^4 + 1 output bit (Annex C, ι step). */
function rc(t: number): number {
  let r = 1;
  for (let i = 0; i < t % 255; i++) {
    r <<= 1;
    if (r & 0x100) r ^= 0x171;
  }
  return r & 1;
}

/** Round constants RC[ir] as [lo, hi] halves: bit 2^j - 1 = rc(j + 7 ir), j = 0..6. */
const RC: Uint32Array = (() => {
  const out = new Uint32Array(48);
  for (let ir = 0; ir < 24; ir++) {
    for (let j = 0; j <= 6; j++) {
      if (!rc(j + 7 * ir)) continue;
      const bit = (1 << j) - 1;
      if (bit < 32) out[2 * ir] = (out[2 * ir]! | (1 << bit)) >>> 0;
      else out[2 * ir + 1] = (out[2 * ir + 1]! | (1 << (bit - 32))) >>> 0;
    }
  }
  return out;
})();

/** π: B[y, 2x + 3y] = ρ(A[x, y]); destination lane index for each source lane. */
const PI_DEST = (() => {
  const d: number[] = [];
  for (let i = 0; i < 25; i++) {
    const x = i % 5;
    const y = Math.floor(i / 5);
    d.push(y + 5 * ((2 * x + 3 * y) % 5));
  }
  return d;
})();

/** Applies Keccak-f[1600] to a 200-byte state in place. */
export function keccakF1600(state: Uint8Array): void {
  if (state.length !== 200) throw new RangeError('Keccak-f[1600] state must be 200 bytes');
  const a = new Uint32Array(50);
  for (let i = 0; i < 50; i++) {
    const o = 4 * i;
    a[i] = (state[o]! | (state[o + 1]! << 8) | (state[o + 2]! << 16) | (state[o + 3]! << 24)) >>> 0;
  }
  permute(a);
  for (let i = 0; i < 50; i++) {
    const v = a[i]!;
    const o = 4 * i;
    state[o] = v & 0xff;
    state[o + 1] = (v >>> 8) & 0xff;
    state[o + 2] = (v >>> 16) & 0xff;
    state[o + 3] = (v >>> 24) & 0xff;
  }
}

const C = new Uint32Array(10);
const B = new Uint32Array(50);

function permute(a: Uint32Array): void {
  for (let ir = 0; ir < 24; ir++) {
    // θ
    for (let x = 0; x < 5; x++) {
      let lo = 0;
      let hi = 0;
      for (let y = 0; y < 25; y += 5) {
        lo ^= a[2 * (x + y)]!;
        hi ^= a[2 * (x + y) + 1]!;
      }
      C[2 * x] = lo;
      C[2 * x + 1] = hi;
    }
    for (let x = 0; x < 5; x++) {
      const p = (x + 4) % 5;
      const n = (x + 1) % 5;
      const nlo = C[2 * n]!;
      const nhi = C[2 * n + 1]!;
      const dlo = C[2 * p]! ^ ((nlo << 1) | (nhi >>> 31));
      const dhi = C[2 * p + 1]! ^ ((nhi << 1) | (nlo >>> 31));
      for (let y = 0; y < 25; y += 5) {
        a[2 * (x + y)] ^= dlo;
        a[2 * (x + y) + 1] ^= dhi;
      }
    }
    // ρ and π
    for (let i = 0; i < 25; i++) {
      const lo = a[2 * i]!;
      const hi = a[2 * i + 1]!;
      const r = RHO[i]!;
      const d = PI_DEST[i]!;
      let rlo: number;
      let rhi: number;
      if (r === 0) {
        rlo = lo;
        rhi = hi;
      } else if (r < 32) {
        rlo = (lo << r) | (hi >>> (32 - r));
        rhi = (hi << r) | (lo >>> (32 - r));
      } else if (r === 32) {
        rlo = hi;
        rhi = lo;
      } else {
        const m = r - 32;
        rlo = (hi << m) | (lo >>> (32 - m));
        rhi = (lo << m) | (hi >>> (32 - m));
      }
      B[2 * d] = rlo;
      B[2 * d + 1] = rhi;
    }
    // χ
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        const i1 = y + ((x + 1) % 5);
        const i2 = y + ((x + 2) % 5);
        a[2 * (y + x)] = B[2 * (y + x)]! ^ (~B[2 * i1]! & B[2 * i2]!);
        a[2 * (y + x) + 1] = B[2 * (y + x) + 1]! ^ (~B[2 * i1 + 1]! & B[2 * i2 + 1]!);
      }
    }
    // ι
    a[0] ^= RC[2 * ir]!;
    a[1] ^= RC[2 * ir + 1]!;
  }
}
