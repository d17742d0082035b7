/**
 * Throughput of the TLV codecs on typical inputs: an FCP (TS 102 221, a real MF FCP) and a ~4 KB
 * LwM2M bootstrap (Security + Server + APN Connection Profile objects, TLV).
 * `npx tsx bench/codecs-tlv.ts` prints the figures; bench/codecs.ts imports benchTlv().
 */
import { pathToFileURL } from 'node:url';
import { decodeFcp, encodeFcp } from '../src/codec/tlv/fcp.js';
import { decodeLwm2mObject, encodeLwm2mObject, type Lwm2mInstance } from '../src/codec/tlv/lwm2m-model.js';
import { fromHex } from '../src/util/hex.js';
import { callsPerSecond } from './lib.js';

export interface TlvBenchResult {
  name: string;
  decodeMBps: number;
  encodeMBps: number;
}

/** MB/s for `bytes` bytes per call of `f`. */
function measure(bytes: number, f: () => unknown, ms = 300): number {
  return Math.round(((bytes * callsPerSecond(f, ms, 200)) / 1e6) * 100) / 100;
}

const fill = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

/** A bootstrap of typical shape: a bootstrap server and a DM server (certificate mode), one Server, two APNs. */
export function sampleBootstrap(): Array<{ objectId: number; instances: Lwm2mInstance[] }> {
  const security = (id: number, uri: string, bs: boolean, ssid: number): Lwm2mInstance => ({
    instanceId: id,
    resources: {
      0: { type: 'string', value: uri },
      1: { type: 'boolean', value: bs },
      2: { type: 'integer', value: 2 }, // certificate mode
      3: { type: 'opaque', value: fill(920, id) }, // client certificate (DER)
      4: { type: 'opaque', value: fill(780, id + 1) }, // server certificate
      5: { type: 'opaque', value: fill(138, id + 2) }, // client private key (PKCS#8, P-256)
      6: { type: 'integer', value: 3 },
      7: { type: 'opaque', value: new Uint8Array(0) },
      8: { type: 'opaque', value: new Uint8Array(0) },
      9: { type: 'string', value: '' },
      10: { type: 'integer', value: ssid },
      11: { type: 'integer', value: 0 },
      12: { type: 'integer', value: 0 },
    },
  });
  const apn = (id: number, name: string): Lwm2mInstance => ({
    instanceId: id,
    resources: {
      0: { type: 'string', value: `profile ${id}` },
      1: { type: 'string', value: name },
      2: { type: 'boolean', value: false },
      3: { type: 'boolean', value: true },
      4: { type: 'integer', value: 0 },
      8: { type: 'multiple', instances: { 0: { type: 'string', value: '234,15' }, 1: { type: 'string', value: '262,01' } } },
    },
  });
  return [
    { objectId: 0, instances: [security(0, 'coaps://bootstrap.example.com:5684', true, 0), security(1, 'coaps://dm.example.com:5684', false, 101)] },
    {
      objectId: 1,
      instances: [
        {
          instanceId: 0,
          resources: {
            0: { type: 'integer', value: 101 },
            1: { type: 'integer', value: 86400 },
            6: { type: 'boolean', value: true },
            7: { type: 'string', value: 'UQ' },
            10: { type: 'objlnk', value: { objectId: 11, instanceId: 0 } },
          },
        },
      ],
    },
    { objectId: 11, instances: [apn(0, 'iot.example'), apn(1, 'internet.15.234')] },
  ];
}

// a real MF FCP (sysmoISIM, pySim test data)
const FCP_MF = fromHex('622C8202782183023F00A50C80017183040003A7388701018A01058B032F0601C60C90016083010183010A83010B');

export async function benchTlv(): Promise<TlvBenchResult[]> {
  const out: TlvBenchResult[] = [];
  const fcp = decodeFcp(FCP_MF);
  out.push({
    name: `FCP template (MF, ${FCP_MF.length} B)`,
    decodeMBps: measure(FCP_MF.length, () => decodeFcp(FCP_MF)),
    encodeMBps: measure(FCP_MF.length, () => encodeFcp(fcp)),
  });
  const objects = sampleBootstrap();
  const encoded = objects.map((o) => ({ objectId: o.objectId, bytes: encodeLwm2mObject(o.instances) }));
  const total = encoded.reduce((n, e) => n + e.bytes.length, 0);
  out.push({
    name: `LwM2M bootstrap TLV (Security+Server+APN, ${total} B)`,
    decodeMBps: measure(total, () => {
      for (const e of encoded) decodeLwm2mObject(e.bytes, e.objectId);
    }),
    encodeMBps: measure(total, () => {
      for (const o of objects) encodeLwm2mObject(o.instances);
    }),
  });
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = await benchTlv();
  for (const r of rows) console.log(`${r.name.padEnd(56)} decode ${String(r.decodeMBps).padStart(8)} MB/s   encode ${String(r.encodeMBps).padStart(8)} MB/s`);
}
