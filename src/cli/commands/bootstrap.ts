/**
 * simdm bootstrap read|detect: the PKCS#15 bootstrap data on a card (OMA ProvSC, OMA DM
 * Bootstrap smart card, LwM2M Appendix G), read with the fewest APDUs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { fidHex } from '../../util/hex.js';
import { redactFields, redactXml } from '../../bootstrap/content/index.js';
import { readBootstrap, type CardState } from '../../bootstrap/reader.js';
import { fileSummary } from '../../bootstrap/file-summary.js';
import { toHex } from '../../util/hex.js';
import { BootstrapError } from '../../bootstrap/errors.js';
import { KINDS } from '../../bootstrap/oids.js';
import { parseTargets, runTargets, TARGET_NAMES, type TargetResult } from '../../bootstrap/targets/index.js';
import { type GlobalArgs, output } from '../context.js';
import { withCard } from '../session.js';

interface ReadArgs extends GlobalArgs {
  format: 'json' | 'xml' | 'raw';
  out?: string;
}

function summary(st: CardState) {
  return {
    present: st.present,
    apdus: st.apdus,
    files: st.files.map(fileSummary),
    issues: st.issues,
    warnings: st.warnings,
  };
}

const read: CommandModule<GlobalArgs, ReadArgs> = {
  command: 'read',
  describe: 'read the bootstrap files: fields (json), documents (xml), or the bytes (raw, into --out)',
  builder: (y: Argv<GlobalArgs>) =>
    y
      .option('format', {
        choices: ['json', 'xml', 'raw'] as const,
        default: 'json' as const,
        describe: 'json: field values; xml: WBXML documents as XML; raw: file bytes to --out DIR',
      })
      .option('out', { alias: 'o', type: 'string', describe: 'directory for --format raw (files hold secrets: written mode 0600)' }) as Argv<ReadArgs>,
  handler: async (argv) => {
    if (argv.format === 'raw' && !argv.out) throw new UsageError('--format raw writes the files (which hold credentials) to a directory: give --out DIR');
    await withCard(argv, async ({ link }) => {
      const st = await readBootstrap(link);
      if (!st.present) throw new BootstrapError('no-app', `no bootstrap on this card: ${st.issues[0] ?? 'no PKCS#15 application'}`);
      if (!st.files.length)
        throw new BootstrapError('no-files', `the PKCS#15 application holds no bootstrap files${st.issues.length ? `: ${st.issues.join('; ')}` : ''}`);
      if (argv.format === 'raw') {
        mkdirSync(argv.out!, { recursive: true });
        const written: string[] = [];
        for (const f of st.files) {
          if (!f.bytes) continue;
          const name = join(argv.out!, `${f.kind}-${f.path}.bin`);
          writeFileSync(name, f.bytes.subarray(0, f.content?.length ?? f.bytes.length), { mode: 0o600 });
          written.push(name);
        }
        output(
          argv,
          { written, issues: st.issues },
          () => [...written.map((w) => `wrote ${w}`), ...st.issues.map((i) => `issue: ${i}`)].join('\n') || 'no bootstrap files',
        );
        return;
      }
      if (argv.format === 'xml') {
        const docs = st.files.map((f) => ({
          label: f.label,
          kind: f.kind,
          fid: f.path,
          xml: f.content?.xml ? redactXml(f.content.xml) : undefined,
          ...(f.content?.lwm2m ? { fields: redactFields(f.content.fields) } : {}),
          error: f.error,
        }));
        output(
          argv,
          { files: docs, issues: st.issues },
          () =>
            [
              ...docs.map(
                (d) =>
                  `<!-- ${d.label} (${d.kind}, file ${d.fid}) -->\n${
                    d.xml ??
                    (d.fields
                      ? Object.entries(d.fields)
                          .map(([k, v]) => `${k} = ${v}`)
                          .join('\n')
                      : `error: ${d.error}`)
                  }`,
              ),
              ...st.issues.map((i) => `<!-- issue: ${i} -->`),
            ].join('\n') || 'no bootstrap files',
        );
        return;
      }
      const s = summary(st);
      output(argv, s, (v: typeof s) =>
        [
          v.present ? `PKCS#15 bootstrap application: ${v.files.length} file(s), ${v.apdus ?? '?'} APDUs` : 'no PKCS#15 bootstrap application',
          ...v.files.flatMap((f) => [
            `${f.label} (${f.kind}, OID ${f.oid}, file ${f.fid}, DODF ${f.dodf}${f.bytes !== undefined ? `, ${f.bytes} bytes` : ''})`,
            ...Object.entries(f.fields ?? {}).map(([k, x]) => `  ${k} = ${x}`),
            ...(f.error ? [`  error: ${f.error}`] : []),
          ]),
          ...v.issues.map((i) => `issue: ${i}`),
          ...v.warnings.map((w) => `warning: ${w}`),
        ].join('\n'),
      );
    });
  },
};

/** An ICCID-derived serial (BCD digits, F-padded) as its digits; any other serial as hex. */
export function serialText(b: Uint8Array): string {
  const h = toHex(b);
  return /^[0-9]+F?$/.test(h) ? h.replace(/F$/, '') : h;
}

interface DetectArgs extends GlobalArgs {
  targets?: string[];
}

/** One line per target: found (what, where) or not found (why). */
function targetLines(rs: TargetResult[]): string[] {
  return rs.flatMap((r) => [
    `${r.target.padEnd(7)} ${r.files.length ? `found ${r.files.map((f) => `${KINDS[f.kind].label} (${f.path}, ${f.bytes} bytes)`).join(', ')}` : 'not found'}  [${r.apdus} APDUs]`,
    ...r.reasons.map((x) => `        ${r.files.length ? 'note' : 'reason'}: ${x}`),
  ]);
}

const detect: CommandModule<GlobalArgs, DetectArgs> = {
  command: 'detect',
  describe: 'find the PKCS#15 bootstrap structure: EF.DIR entry, application, EF.ODF, EF.TokenInfo, DODFs, data objects',
  builder: (y: Argv<GlobalArgs>) =>
    y.option('targets', {
      type: 'string',
      array: true,
      describe: `also run each device target's own read sequence (${TARGET_NAMES.join(', ')}; none given: all) and say found / not found and why`,
    }) as Argv<DetectArgs>,
  handler: async (argv) => {
    await withCard(argv, async ({ link }) => {
      const st = await readBootstrap(link, { details: true, content: false });
      const names = argv.targets === undefined ? undefined : argv.targets.length ? parseTargets(argv.targets) : [...TARGET_NAMES];
      const targets = names ? await runTargets(link, names) : undefined;
      const v = {
        present: st.present,
        via: st.via,
        dir: st.dir,
        tokenInfo: st.tokenInfo
          ? { ...st.tokenInfo, serialNumber: toHex(st.tokenInfo.serialNumber), serial: serialText(st.tokenInfo.serialNumber) }
          : undefined,
        odf: st.odf ? { dodfs: st.odf.dodfPaths.map((p) => toHex(p)), usedBytes: st.odf.usedLength } : undefined,
        dodfs: st.dodfs.map((d) => ({
          fid: fidHex(d.fid),
          usedBytes: d.usedLength,
          ...(d.omapi ? { form: 'omapi-searchOID' } : {}),
          objects: d.objects.map((o) => ({ form: o.form, label: o.label, oid: o.oid, path: toHex(o.path), offset: o.offset })),
        })),
        files: st.files.map((f) => ({ label: f.label, kind: f.kind, oid: f.oid, fid: f.path, dodf: fidHex(f.dodf), entries: f.objects.map((o) => o.form) })),
        ...(targets ? { targets } : {}),
        issues: st.issues,
        warnings: st.warnings,
        apdus: st.apdus,
      };
      output(argv, v, (x: typeof v) =>
        [
          x.present
            ? `PKCS#15 application found by ${x.via === 'aid' ? 'SELECT AID' : 'EF.DIR path'}${x.dir ? `, EF.DIR record ${x.dir.record}` : ', not listed in EF.DIR'}`
            : 'no PKCS#15 application',
          ...(x.tokenInfo ? [`EF.TokenInfo: '${x.tokenInfo.label ?? ''}' by ${x.tokenInfo.manufacturerID ?? '?'}, serial ${x.tokenInfo.serial}`] : []),
          ...(x.odf ? [`EF.ODF: DODF(s) ${x.odf.dodfs.join(', ') || 'none'}`] : []),
          ...x.dodfs.flatMap((d) => {
            if (d.form)
              return [`EF.DODF ${d.fid} (${d.usedBytes} bytes): Open Mobile API searchOID index (repeats the paths below for PKCS15Provider.searchOID)`];
            // each file is listed once: simdm writes it as an opaqueDO (OpenSC) and as an oidDO (devices)
            const files = x.files.filter((f) => f.dodf === d.fid);
            const other = d.objects.filter((o) => !files.some((f) => f.fid === o.path && f.oid === o.oid));
            return [
              `EF.DODF ${d.fid} (${d.usedBytes} bytes):`,
              ...files.map(
                (f) =>
                  `  ${String(f.label ?? '').padEnd(18)} ${f.oid ?? '-'} -> ${f.fid}  (${f.entries.length > 1 ? `${f.entries.join(' + ')}: one file, both entry forms` : f.entries[0]})`,
              ),
              ...other.map((o) => `  ${String(o.label ?? '').padEnd(18)} ${o.oid ?? '-'} -> ${o.path}  (${o.form}, not a bootstrap file)`),
            ];
          }),
          ...(x.targets ? ['device targets (each with its own read sequence):', ...targetLines(x.targets).map((l) => `  ${l}`)] : []),
          ...x.issues.map((i) => `issue: ${i}`),
          ...x.warnings.map((w) => `warning: ${w}`),
          `${x.apdus ?? '?'} APDUs`,
        ].join('\n'),
      );
    });
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'bootstrap <command>',
  describe: 'the bootstrap data on the card (PKCS#15: OMA ProvSC, OMA DM, LwM2M)',
  builder: (y: Argv<GlobalArgs>) => y.command(read).command(detect).demandCommand(1),
  handler: () => undefined,
};
export default cmd;
