/**
 * READ/UPDATE BINARY chunking (TS 102 221 11.1.3/11.1.4: at most 256 bytes per command, offset in
 * 15 bits) and offsets beyond 32767 through the odd INS with an offset DO '54' (ISO 7816-4 11.2.3),
 * against a stub card that records every APDU.
 */
import { describe, expect, it } from 'vitest';
import type { ApduSender } from '../../../src/apdu/link.js';
import type { CommandApdu } from '../../../src/apdu/command.js';
import type { ResponseApdu } from '../../../src/apdu/response.js';
import { CardFs } from '../../../src/card/fs.js';
import { Catalogue } from '../../../src/card/catalogue.js';
import { encodeBer } from '../../../src/codec/tlv/ber.js';

const SIZE = 40_000;

class StubCard implements ApduSender {
  readonly channel = 0;
  readonly log: CommandApdu[] = [];
  readonly content = Uint8Array.from({ length: SIZE }, (_, i) => i & 0xff);
  async transmit(c: CommandApdu): Promise<ResponseApdu> {
    this.log.push(c);
    if (c.ins === 0xa4) {
      const fid = c.data!.subarray(c.data!.length - 2);
      if (fid[0] === 0x3f)
        return {
          data: encodeBer(0x62, [
            { tag: 0x82, value: Uint8Array.of(0x78, 0x21) },
            { tag: 0x83, value: Uint8Array.of(0x3f, 0x00) },
          ]),
          sw: 0x9000,
        };
      return {
        data: encodeBer(0x62, [
          { tag: 0x82, value: Uint8Array.of(0x41, 0x21) },
          { tag: 0x83, value: fid },
          { tag: 0x80, value: Uint8Array.of(SIZE >> 8, SIZE & 0xff) },
        ]),
        sw: 0x9000,
      };
    }
    if (c.ins === 0xb0) {
      const off = ((c.p1 & 0x7f) << 8) | c.p2;
      return { data: this.content.slice(off, off + (c.le ?? 256)), sw: 0x9000 };
    }
    if (c.ins === 0xb1) {
      const d = c.data!;
      expect(d[0]).toBe(0x54);
      const off = d.subarray(2, 2 + d[1]!).reduce((a, x) => a * 256 + x, 0);
      const body = this.content.slice(off, off + (c.le ?? 256) - 4);
      return { data: Uint8Array.of(0x53, 0x81, body.length, ...body).subarray(body.length < 0x80 ? 0 : 0), sw: 0x9000 };
    }
    if (c.ins === 0xd7) {
      // 54 L offset, 53 L data (ISO 7816-4 11.2.3)
      const d = c.data!;
      const off = d.subarray(2, 2 + d[1]!).reduce((a, x) => a * 256 + x, 0);
      let i = 2 + d[1]!;
      expect(d[i]).toBe(0x53);
      let len = d[i + 1]!;
      i += 2;
      if (len === 0x81) len = d[i++]!;
      this.content.set(d.subarray(i, i + len), off);
      return { data: new Uint8Array(), sw: 0x9000 };
    }
    if (c.ins === 0xd6) {
      const off = ((c.p1 & 0x7f) << 8) | c.p2;
      this.content.set(c.data!, off);
      return { data: new Uint8Array(), sw: 0x9000 };
    }
    return { data: new Uint8Array(), sw: 0x6d00 };
  }
  async send(c: CommandApdu): Promise<Uint8Array> {
    return (await this.transmit(c)).data;
  }
}

describe('binary chunking', () => {
  it('reads in chunks of at most 255 bytes with the offset in P1/P2', async () => {
    const card = new StubCard();
    const fs = new CardFs(card, { catalogue: new Catalogue() });
    const b = await fs.readBinary('MF/2F10', 100, 1000);
    expect(b).toEqual(card.content.slice(100, 1100));
    const reads = card.log.filter((c) => c.ins === 0xb0);
    expect(reads.map((c) => c.le)).toEqual([255, 255, 255, 235]);
    expect(reads.map((c) => (c.p1 << 8) | c.p2)).toEqual([100, 355, 610, 865]);
  });

  it('uses the odd INS B1 with an offset DO 54 beyond offset 32767', async () => {
    const card = new StubCard();
    const fs = new CardFs(card);
    const b = await fs.readBinary('MF/2F10', 32_600, 600);
    expect(b).toEqual(card.content.slice(32_600, 33_200));
    const reads = card.log.filter((c) => c.ins === 0xb0 || c.ins === 0xb1);
    // 32600 by P1/P2 (<= 32767); from 32855 on the odd INS, 252 data bytes per command (Le = data + DO header)
    expect(reads.map((c) => [c.ins, c.ins === 0xb0 ? (c.p1 << 8) | c.p2 : Buffer.from(c.data!).toString('hex')])).toEqual([
      [0xb0, 32_600],
      [0xb1, '5402' + (32_855).toString(16).padStart(4, '0')],
      [0xb1, '5402' + (33_107).toString(16).padStart(4, '0')],
    ]);
  });

  it('updates in chunks and refuses data past the end before sending anything', async () => {
    const card = new StubCard();
    const fs = new CardFs(card);
    await fs.updateBinary('MF/2F10', new Uint8Array(600).fill(0xaa), 1000);
    const ups = card.log.filter((c) => c.ins === 0xd6);
    expect(ups.map((c) => c.data!.length)).toEqual([255, 255, 90]);
    const n = card.log.filter((c) => c.ins === 0xd6).length;
    await expect(fs.updateBinary(undefined, new Uint8Array(10), SIZE - 5)).rejects.toThrow(/10 bytes at offset 39995 do not fit in the file of 40000 bytes/);
    // (a stub without an APDU counter gets the file selected again: it cannot prove no one else used the channel)
    expect(card.log.filter((c) => c.ins === 0xd6).length).toBe(n);
  });

  it('updates beyond offset 32767 with the odd INS D7 (offset DO 54, data DO 53)', async () => {
    const card = new StubCard();
    const fs = new CardFs(card);
    await fs.updateBinary('MF/2F10', new Uint8Array(300).fill(0x5a), 39_000);
    expect(card.content.subarray(39_000, 39_300).every((x) => x === 0x5a)).toBe(true);
    expect(card.content[38_999]).toBe(38_999 & 0xff);
    expect(card.content[39_300]).toBe(39_300 & 0xff);
    // 248 + 52 data bytes: Lc stays <= 255 with the two DO headers
    expect(card.log.filter((c) => c.ins === 0xd7).map((c) => c.data!.length)).toEqual([255, 58]);
  });
});
