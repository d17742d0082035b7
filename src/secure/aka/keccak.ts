/**
 * Keccak-f[1600], the permutation inside TUAK (3GPP TS 35.231 Annex C, from the Keccak reference
 * specification section 1.2; identical to FIPS 202 Keccak-p[1600, 24]). The 1600-bit state is
 * 200 bytes; lane (x, y) is bytes 8(x+5y) .. 8(x+5y)+7, little-endian. Lanes are held as 32-bit
 * halves so that no BigInt is needed.
 */

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
const RC: Int32Array = (() => {
  const out = new Int32Array(48);
  for (let ir = 0; ir < 24; ir++) {
    for (let j = 0; j <= 6; j++) {
      if (!rc(j + 7 * ir)) continue;
      const bit = (1 << j) - 1;
      if (bit < 32) out[2 * ir] = out[2 * ir]! | (1 << bit);
      else out[2 * ir + 1] = out[2 * ir + 1]! | (1 << (bit - 32));
    }
  }
  return out;
})();

/** The lanes as 32-bit halves: a[2i] = low, a[2i + 1] = high half of lane i. */
const A = new Int32Array(50);

/** Applies Keccak-f[1600] to a 200-byte state in place (no allocation). */
export function keccakF1600(state: Uint8Array): void {
  if (state.length !== 200) throw new RangeError('Keccak-f[1600] state must be 200 bytes');
  for (let i = 0; i < 50; i++) {
    const o = 4 * i;
    A[i] = state[o]! | (state[o + 1]! << 8) | (state[o + 2]! << 16) | (state[o + 3]! << 24);
  }
  permute(A);
  for (let i = 0; i < 50; i++) {
    const v = A[i]!;
    const o = 4 * i;
    state[o] = v;
    state[o + 1] = v >>> 8;
    state[o + 2] = v >>> 16;
    state[o + 3] = v >>> 24;
  }
}

/**
 * The 24 rounds on 50 local variables (lane i = a{2i} low, a{2i+1} high half), unrolled:
 * θ   C[x] = ⊕_y A[x, y], D[x] = C[x-1] ⊕ rot(C[x+1], 1), applied while reading A in ρπ;
 * ρπ  B[y, 2x+3y] = rot(A[x, y] ⊕ D[x], r[x, y]) with r = 0 1 62 28 27 / 36 44 6 55 20 /
 *     3 10 43 25 39 / 41 45 15 21 8 / 18 2 61 56 14 (Annex C; an offset ≥ 32 swaps the halves);
 * χ   A[x, y] = B[x, y] ⊕ (¬B[x+1, y] ∧ B[x+2, y]);  ι  A[0, 0] ⊕= RC[ir].
 * Locals instead of array slots let V8 keep the state out of memory between the steps.
 */
function permute(a: Int32Array): void {
  let a0 = a[0]!;
  let a1 = a[1]!;
  let a2 = a[2]!;
  let a3 = a[3]!;
  let a4 = a[4]!;
  let a5 = a[5]!;
  let a6 = a[6]!;
  let a7 = a[7]!;
  let a8 = a[8]!;
  let a9 = a[9]!;
  let a10 = a[10]!;
  let a11 = a[11]!;
  let a12 = a[12]!;
  let a13 = a[13]!;
  let a14 = a[14]!;
  let a15 = a[15]!;
  let a16 = a[16]!;
  let a17 = a[17]!;
  let a18 = a[18]!;
  let a19 = a[19]!;
  let a20 = a[20]!;
  let a21 = a[21]!;
  let a22 = a[22]!;
  let a23 = a[23]!;
  let a24 = a[24]!;
  let a25 = a[25]!;
  let a26 = a[26]!;
  let a27 = a[27]!;
  let a28 = a[28]!;
  let a29 = a[29]!;
  let a30 = a[30]!;
  let a31 = a[31]!;
  let a32 = a[32]!;
  let a33 = a[33]!;
  let a34 = a[34]!;
  let a35 = a[35]!;
  let a36 = a[36]!;
  let a37 = a[37]!;
  let a38 = a[38]!;
  let a39 = a[39]!;
  let a40 = a[40]!;
  let a41 = a[41]!;
  let a42 = a[42]!;
  let a43 = a[43]!;
  let a44 = a[44]!;
  let a45 = a[45]!;
  let a46 = a[46]!;
  let a47 = a[47]!;
  let a48 = a[48]!;
  let a49 = a[49]!;
  for (let ir = 0; ir < 48; ir += 2) {
    const c0l = a0 ^ a10 ^ a20 ^ a30 ^ a40;
    const c0h = a1 ^ a11 ^ a21 ^ a31 ^ a41;
    const c1l = a2 ^ a12 ^ a22 ^ a32 ^ a42;
    const c1h = a3 ^ a13 ^ a23 ^ a33 ^ a43;
    const c2l = a4 ^ a14 ^ a24 ^ a34 ^ a44;
    const c2h = a5 ^ a15 ^ a25 ^ a35 ^ a45;
    const c3l = a6 ^ a16 ^ a26 ^ a36 ^ a46;
    const c3h = a7 ^ a17 ^ a27 ^ a37 ^ a47;
    const c4l = a8 ^ a18 ^ a28 ^ a38 ^ a48;
    const c4h = a9 ^ a19 ^ a29 ^ a39 ^ a49;
    const d0l = c4l ^ ((c1l << 1) | (c1h >>> 31));
    const d0h = c4h ^ ((c1h << 1) | (c1l >>> 31));
    const d1l = c0l ^ ((c2l << 1) | (c2h >>> 31));
    const d1h = c0h ^ ((c2h << 1) | (c2l >>> 31));
    const d2l = c1l ^ ((c3l << 1) | (c3h >>> 31));
    const d2h = c1h ^ ((c3h << 1) | (c3l >>> 31));
    const d3l = c2l ^ ((c4l << 1) | (c4h >>> 31));
    const d3h = c2h ^ ((c4h << 1) | (c4l >>> 31));
    const d4l = c3l ^ ((c0l << 1) | (c0h >>> 31));
    const d4h = c3h ^ ((c0h << 1) | (c0l >>> 31));
    const b0 = a0 ^ d0l;
    const b1 = a1 ^ d0h;
    const b20 = ((a2 ^ d1l) << 1) | ((a3 ^ d1h) >>> 31);
    const b21 = ((a3 ^ d1h) << 1) | ((a2 ^ d1l) >>> 31);
    const b40 = ((a5 ^ d2h) << 30) | ((a4 ^ d2l) >>> 2);
    const b41 = ((a4 ^ d2l) << 30) | ((a5 ^ d2h) >>> 2);
    const b10 = ((a6 ^ d3l) << 28) | ((a7 ^ d3h) >>> 4);
    const b11 = ((a7 ^ d3h) << 28) | ((a6 ^ d3l) >>> 4);
    const b30 = ((a8 ^ d4l) << 27) | ((a9 ^ d4h) >>> 5);
    const b31 = ((a9 ^ d4h) << 27) | ((a8 ^ d4l) >>> 5);
    const b32 = ((a11 ^ d0h) << 4) | ((a10 ^ d0l) >>> 28);
    const b33 = ((a10 ^ d0l) << 4) | ((a11 ^ d0h) >>> 28);
    const b2 = ((a13 ^ d1h) << 12) | ((a12 ^ d1l) >>> 20);
    const b3 = ((a12 ^ d1l) << 12) | ((a13 ^ d1h) >>> 20);
    const b22 = ((a14 ^ d2l) << 6) | ((a15 ^ d2h) >>> 26);
    const b23 = ((a15 ^ d2h) << 6) | ((a14 ^ d2l) >>> 26);
    const b42 = ((a17 ^ d3h) << 23) | ((a16 ^ d3l) >>> 9);
    const b43 = ((a16 ^ d3l) << 23) | ((a17 ^ d3h) >>> 9);
    const b12 = ((a18 ^ d4l) << 20) | ((a19 ^ d4h) >>> 12);
    const b13 = ((a19 ^ d4h) << 20) | ((a18 ^ d4l) >>> 12);
    const b14 = ((a20 ^ d0l) << 3) | ((a21 ^ d0h) >>> 29);
    const b15 = ((a21 ^ d0h) << 3) | ((a20 ^ d0l) >>> 29);
    const b34 = ((a22 ^ d1l) << 10) | ((a23 ^ d1h) >>> 22);
    const b35 = ((a23 ^ d1h) << 10) | ((a22 ^ d1l) >>> 22);
    const b4 = ((a25 ^ d2h) << 11) | ((a24 ^ d2l) >>> 21);
    const b5 = ((a24 ^ d2l) << 11) | ((a25 ^ d2h) >>> 21);
    const b24 = ((a26 ^ d3l) << 25) | ((a27 ^ d3h) >>> 7);
    const b25 = ((a27 ^ d3h) << 25) | ((a26 ^ d3l) >>> 7);
    const b44 = ((a29 ^ d4h) << 7) | ((a28 ^ d4l) >>> 25);
    const b45 = ((a28 ^ d4l) << 7) | ((a29 ^ d4h) >>> 25);
    const b46 = ((a31 ^ d0h) << 9) | ((a30 ^ d0l) >>> 23);
    const b47 = ((a30 ^ d0l) << 9) | ((a31 ^ d0h) >>> 23);
    const b16 = ((a33 ^ d1h) << 13) | ((a32 ^ d1l) >>> 19);
    const b17 = ((a32 ^ d1l) << 13) | ((a33 ^ d1h) >>> 19);
    const b36 = ((a34 ^ d2l) << 15) | ((a35 ^ d2h) >>> 17);
    const b37 = ((a35 ^ d2h) << 15) | ((a34 ^ d2l) >>> 17);
    const b6 = ((a36 ^ d3l) << 21) | ((a37 ^ d3h) >>> 11);
    const b7 = ((a37 ^ d3h) << 21) | ((a36 ^ d3l) >>> 11);
    const b26 = ((a38 ^ d4l) << 8) | ((a39 ^ d4h) >>> 24);
    const b27 = ((a39 ^ d4h) << 8) | ((a38 ^ d4l) >>> 24);
    const b28 = ((a40 ^ d0l) << 18) | ((a41 ^ d0h) >>> 14);
    const b29 = ((a41 ^ d0h) << 18) | ((a40 ^ d0l) >>> 14);
    const b48 = ((a42 ^ d1l) << 2) | ((a43 ^ d1h) >>> 30);
    const b49 = ((a43 ^ d1h) << 2) | ((a42 ^ d1l) >>> 30);
    const b18 = ((a45 ^ d2h) << 29) | ((a44 ^ d2l) >>> 3);
    const b19 = ((a44 ^ d2l) << 29) | ((a45 ^ d2h) >>> 3);
    const b38 = ((a47 ^ d3h) << 24) | ((a46 ^ d3l) >>> 8);
    const b39 = ((a46 ^ d3l) << 24) | ((a47 ^ d3h) >>> 8);
    const b8 = ((a48 ^ d4l) << 14) | ((a49 ^ d4h) >>> 18);
    const b9 = ((a49 ^ d4h) << 14) | ((a48 ^ d4l) >>> 18);
    a0 = b0 ^ (~b2 & b4);
    a1 = b1 ^ (~b3 & b5);
    a2 = b2 ^ (~b4 & b6);
    a3 = b3 ^ (~b5 & b7);
    a4 = b4 ^ (~b6 & b8);
    a5 = b5 ^ (~b7 & b9);
    a6 = b6 ^ (~b8 & b0);
    a7 = b7 ^ (~b9 & b1);
    a8 = b8 ^ (~b0 & b2);
    a9 = b9 ^ (~b1 & b3);
    a10 = b10 ^ (~b12 & b14);
    a11 = b11 ^ (~b13 & b15);
    a12 = b12 ^ (~b14 & b16);
    a13 = b13 ^ (~b15 & b17);
    a14 = b14 ^ (~b16 & b18);
    a15 = b15 ^ (~b17 & b19);
    a16 = b16 ^ (~b18 & b10);
    a17 = b17 ^ (~b19 & b11);
    a18 = b18 ^ (~b10 & b12);
    a19 = b19 ^ (~b11 & b13);
    a20 = b20 ^ (~b22 & b24);
    a21 = b21 ^ (~b23 & b25);
    a22 = b22 ^ (~b24 & b26);
    a23 = b23 ^ (~b25 & b27);
    a24 = b24 ^ (~b26 & b28);
    a25 = b25 ^ (~b27 & b29);
    a26 = b26 ^ (~b28 & b20);
    a27 = b27 ^ (~b29 & b21);
    a28 = b28 ^ (~b20 & b22);
    a29 = b29 ^ (~b21 & b23);
    a30 = b30 ^ (~b32 & b34);
    a31 = b31 ^ (~b33 & b35);
    a32 = b32 ^ (~b34 & b36);
    a33 = b33 ^ (~b35 & b37);
    a34 = b34 ^ (~b36 & b38);
    a35 = b35 ^ (~b37 & b39);
    a36 = b36 ^ (~b38 & b30);
    a37 = b37 ^ (~b39 & b31);
    a38 = b38 ^ (~b30 & b32);
    a39 = b39 ^ (~b31 & b33);
    a40 = b40 ^ (~b42 & b44);
    a41 = b41 ^ (~b43 & b45);
    a42 = b42 ^ (~b44 & b46);
    a43 = b43 ^ (~b45 & b47);
    a44 = b44 ^ (~b46 & b48);
    a45 = b45 ^ (~b47 & b49);
    a46 = b46 ^ (~b48 & b40);
    a47 = b47 ^ (~b49 & b41);
    a48 = b48 ^ (~b40 & b42);
    a49 = b49 ^ (~b41 & b43);
    a0 ^= RC[ir]!;
    a1 ^= RC[ir + 1]!;
  }
  a[0] = a0;
  a[1] = a1;
  a[2] = a2;
  a[3] = a3;
  a[4] = a4;
  a[5] = a5;
  a[6] = a6;
  a[7] = a7;
  a[8] = a8;
  a[9] = a9;
  a[10] = a10;
  a[11] = a11;
  a[12] = a12;
  a[13] = a13;
  a[14] = a14;
  a[15] = a15;
  a[16] = a16;
  a[17] = a17;
  a[18] = a18;
  a[19] = a19;
  a[20] = a20;
  a[21] = a21;
  a[22] = a22;
  a[23] = a23;
  a[24] = a24;
  a[25] = a25;
  a[26] = a26;
  a[27] = a27;
  a[28] = a28;
  a[29] = a29;
  a[30] = a30;
  a[31] = a31;
  a[32] = a32;
  a[33] = a33;
  a[34] = a34;
  a[35] = a35;
  a[36] = a36;
  a[37] = a37;
  a[38] = a38;
  a[39] = a39;
  a[40] = a40;
  a[41] = a41;
  a[42] = a42;
  a[43] = a43;
  a[44] = a44;
  a[45] = a45;
  a[46] = a46;
  a[47] = a47;
  a[48] = a48;
  a[49] = a49;
}
