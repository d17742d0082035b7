/**
 * simdm profile validate|compile|write|read|diff|rollback: card profiles (card-profiles/*.yaml,
 * docs/profiles.md) onto the PKCS#15 bootstrap application of a card, and back.
 */
import { writeFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { stringify } from 'yaml';
import type { ApduSender } from '../../apdu/link.js';
import { backupToPlan, loadBackup } from '../../bootstrap/backup.js';
import { diffFields, type FieldDiff } from '../../bootstrap/content/index.js';
import { fidHex } from '../../util/hex.js';
import type { CardPlan } from '../../bootstrap/plan.js';
import { compileProfile } from '../../bootstrap/profile/compile.js';
import { loadProfile, type LoadedProfile } from '../../bootstrap/profile/load.js';
import { cardVars, loadVarsFile } from '../../bootstrap/profile/vars.js';
import { readBootstrap } from '../../bootstrap/reader.js';
import { fileSummary } from '../../bootstrap/file-summary.js';
import { planToScript } from '../../bootstrap/script-out.js';
import { writePlan, type WriteReport } from '../../bootstrap/writer.js';
import type { SecretStore } from '../../util/secrets.js';
import { type GlobalArgs, output, secretsFor } from '../context.js';
import { withCard } from '../session.js';
import { parseTargets, TARGET_NAMES } from '../../bootstrap/targets/index.js';
import { type TargetReport, targetReport, verdictLine } from '../../bootstrap/targets/report.js';
import { cardFileFor } from '../../bootstrap/write-diff.js';

interface ProfileArgs extends GlobalArgs {
  profile: string;
  vars?: string;
  target?: string[];
}

const withProfile = (y: Argv<GlobalArgs>) =>
  y
    .positional('profile', { type: 'string', demandOption: true, describe: 'profile YAML (card-profiles/...)' })
    .option('vars', { type: 'string', describe: 'per-card variables (YAML mapping or NAME=value lines): ICCID, IMSI, ...' })
    .option('target', {
      type: 'string',
      array: true,
      describe: `device targets that must load the card (${TARGET_NAMES.join(', ')}, all; comma-separated): an error when one would not. Every other target that would not is a warning`,
    });

/** The device targets check (docs/profiles.md "Device targets"), before anything is written. */
async function checkTargets(argv: ProfileArgs, lp: LoadedProfile, plan: CardPlan): Promise<TargetReport> {
  const required = parseTargets([...(argv.target ?? []), ...(lp.profile.targets ?? [])]);
  return targetReport(plan, required, (line) => process.stderr.write(`${line}\n`));
}

/** Loads the profile with card variables and secrets; remembers which secret values went in. */
function load(argv: ProfileArgs, vars: Record<string, string>, secrets: SecretStore): { lp: LoadedProfile; plan: CardPlan } {
  const used: { name: string; value: string }[] = [];
  const lp = loadProfile(argv.profile, {
    vars: (n) => vars[n],
    secrets: (n) => {
      const v = secrets.get(n);
      if (v !== undefined && !used.some((u) => u.name === n)) used.push({ name: n, value: v });
      return v;
    },
  });
  return { lp, plan: compileProfile(lp, { ...(vars.ICCID ? { iccid: vars.ICCID } : {}), secretValues: used }) };
}

async function loadForCard(
  argv: ProfileArgs,
  s: ApduSender,
  secrets: SecretStore,
): Promise<{ lp: LoadedProfile; plan: CardPlan; vars: Record<string, string> }> {
  const names = loadProfile(argv.profile, { placeholders: true }).varNames;
  const given = argv.vars ? loadVarsFile(argv.vars) : {};
  const vars = await cardVars(s, names, given, secrets, !!argv.force);
  return { ...load(argv, vars, secrets), vars };
}

function renderWrite(r: WriteReport): string {
  const lines = [`profile ${r.profile}: ${!r.changed ? 'card already up to date, nothing written' : r.dryRun ? 'dry run, would write' : 'written'}`];
  for (const f of r.files)
    lines.push(
      `  ${f.action === 'write' ? (r.dryRun ? 'would write' : 'wrote    ') : 'unchanged'} ${f.label.padEnd(18)} ${fidHex(f.fid)} ${String(f.bytes).padStart(5)} bytes${f.note ? `  (${f.note})` : ''}`,
    );
  if (r.directories.length) lines.push(`  directories: ${r.directories.join(', ')}`);
  if (r.keysVerified.length) lines.push(`  keys verified: ${r.keysVerified.join(', ')}`);
  if (r.backup) lines.push(`  backup: ${r.backup}`);
  lines.push(`  ${r.apdus ?? '?'} APDUs, ${r.updates} UPDATE, ${r.creates} CREATE${r.atomic ? '' : ', NOT atomic'}`);
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

const validate: CommandModule<GlobalArgs, ProfileArgs> = {
  command: 'validate <profile>',
  describe: 'check a profile (errors name file, line and field) and show what it compiles to',
  builder: (y) => withProfile(y) as Argv<ProfileArgs>,
  handler: async (argv) => {
    const given = argv.vars ? loadVarsFile(argv.vars) : {};
    const lp = loadProfile(argv.profile, { placeholders: true, vars: (n) => given[n] });
    const plan = compileProfile(lp);
    const t = await targetReport(plan, parseTargets([...(argv.target ?? []), ...(lp.profile.targets ?? [])]), () => undefined);
    const v = {
      profile: lp.profile.name,
      valid: true,
      sources: lp.sources,
      authorities: plan.authorities.map((a) => ({ name: a.name, key: a.key, dodf: fidHex(a.dodf) })),
      files: plan.files.map((f) => ({
        id: f.id,
        kind: f.kind,
        label: f.label,
        oid: f.oid,
        authority: f.authority,
        slots: f.slots.map(fidHex),
        bytes: f.bytes.length,
      })),
      variables: lp.varNames,
      secrets: lp.secretNames,
      indications: plan.indications,
      targets: t.verdicts.map((x) => ({ target: x.target, applies: x.applies, loads: x.loads, required: t.required.includes(x.target), reasons: x.reasons })),
    };
    output(argv, v, (x: typeof v) =>
      [
        `${x.profile}: valid`,
        ...t.verdicts.map((d) => `  target ${verdictLine(d)}${t.required.includes(d.target) ? ' (required)' : ''}`),
        ...x.files.map(
          (f) =>
            `  ${f.id}: ${f.kind} '${f.label}' OID ${f.oid}, ${f.bytes} bytes (with placeholder variables), slots ${f.slots.join('/')}, owner ${f.authority}`,
        ),
        `  authorities: ${x.authorities.map((a) => `${a.name}=${a.key} (DODF ${a.dodf})`).join(', ')}`,
        `  per-card variables: ${x.variables.join(', ') || 'none'}; secrets: ${x.secrets.join(', ') || 'none'}`,
      ].join('\n'),
    );
  },
};

interface CompileArgs extends ProfileArgs {
  out: string;
  'dir-record'?: number;
}

const compile: CommandModule<GlobalArgs, CompileArgs> = {
  command: 'compile <profile>',
  describe: 'compile a profile to an APDU script (secrets stay ${NAME} variables)',
  builder: (y) =>
    withProfile(y)
      .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'script file to write' })
      .option('dir-record', { type: 'number', describe: 'EF.DIR record for the application template (default 2)' }) as Argv<CompileArgs>,
  handler: async (argv) => {
    const vars = argv.vars ? loadVarsFile(argv.vars) : {};
    const { lp, plan } = load(argv, vars, secretsFor(argv));
    await checkTargets(argv, lp, plan);
    const text = planToScript(plan, { ...(argv['dir-record'] ? { dirRecord: argv['dir-record'] } : {}), generated: new Date().toISOString() });
    writeFileSync(argv.out, text + '\n');
    const lines = text.split('\n').filter((l) => /^[0-9A-F]/.test(l)).length;
    output(argv, { script: argv.out, apdus: lines, files: plan.files.length }, () => `wrote ${argv.out}: ${lines} APDUs for ${plan.files.length} files`);
  },
};

interface WriteArgs extends ProfileArgs {
  'dry-run'?: boolean;
  'backup-dir'?: string;
  backup?: boolean;
}

const write: CommandModule<GlobalArgs, WriteArgs> = {
  command: 'write <profile>',
  describe: 'write a profile to the card: only what differs, content first and DODF last, backup kept, read back',
  builder: (y) =>
    withProfile(y)
      .option('dry-run', { type: 'boolean', describe: 'show what would be written; send nothing that changes the card' })
      .option('backup-dir', { type: 'string', default: 'simdm-backups', describe: 'where the backup of the previous bootstrap goes' })
      .option('backup', { type: 'boolean', default: true, describe: 'keep a backup of the previous bootstrap (--no-backup: none)' })
      .option('force', { type: 'boolean', describe: 'present ADM keys even with one try left' }) as Argv<WriteArgs>,
  handler: async (argv) => {
    const secrets = secretsFor(argv);
    await withCard(argv, async ({ link }) => {
      const { lp, plan, vars } = await loadForCard(argv, link, secrets);
      await checkTargets(argv, lp, plan);
      const r = await writePlan(link, plan, {
        secrets,
        ...(vars.ICCID ? { iccid: vars.ICCID } : {}),
        force: !!argv.force,
        dryRun: !!argv['dry-run'],
        backupDir: argv.backup === false ? false : (argv['backup-dir'] ?? 'simdm-backups'),
      });
      output(argv, r, renderWrite);
    });
  },
};

interface DiffArgs extends ProfileArgs {
  'exit-code'?: boolean;
}

interface FileDiff {
  file: string;
  status: 'same' | 'differs' | 'missing on card' | 'not in profile';
  fields?: FieldDiff[];
}

const diff: CommandModule<GlobalArgs, DiffArgs> = {
  command: 'diff <profile>',
  describe: 'field-level differences between the card and a profile (secrets shown as fingerprints)',
  builder: (y) => withProfile(y).option('exit-code', { type: 'boolean', describe: 'exit 1 when they differ' }) as Argv<DiffArgs>,
  handler: async (argv) => {
    const secrets = secretsFor(argv);
    await withCard(argv, async ({ link }) => {
      const { plan } = await loadForCard(argv, link, secrets);
      const st = await readBootstrap(link);
      const out: FileDiff[] = [];
      for (const f of plan.files) {
        const c = cardFileFor(st, plan, f);
        if (!c?.content) out.push({ file: f.label, status: 'missing on card' });
        else {
          const d = diffFields(c.content.fields, f.fields);
          out.push({ file: f.label, status: d.length ? 'differs' : 'same', ...(d.length ? { fields: d } : {}) });
        }
      }
      for (const c of st.files)
        if (!plan.files.some((f) => f.label === c.label && f.oid === c.oid)) out.push({ file: c.label ?? c.path, status: 'not in profile' });
      output(argv, { differs: out.some((x) => x.status !== 'same'), files: out, issues: st.issues }, (v: { files: FileDiff[]; issues: string[] }) =>
        [
          ...v.files.flatMap((f) => [
            `${f.file}: ${f.status}`,
            ...(f.fields ?? []).map((d) => `  ${d.field}\n    card:    ${d.card ?? '(absent)'}\n    profile: ${d.profile ?? '(absent)'}`),
          ]),
          ...v.issues.map((i) => `issue: ${i}`),
        ].join('\n'),
      );
      if (argv['exit-code'] && out.some((x) => x.status !== 'same')) process.exitCode = 1;
    });
  },
};

interface ReadArgs extends GlobalArgs {
  out?: string;
}

const read: CommandModule<GlobalArgs, ReadArgs> = {
  command: 'read',
  describe: "the card's bootstrap files as profile-like YAML (field values, secrets as fingerprints)",
  builder: (y) => y.option('out', { alias: 'o', type: 'string', describe: 'write the YAML here' }) as Argv<ReadArgs>,
  handler: async (argv) => {
    await withCard(argv, async ({ link }) => {
      const st = await readBootstrap(link, { details: true });
      const doc = {
        present: st.present,
        ...(st.tokenInfo ? { token: { label: st.tokenInfo.label, manufacturer: st.tokenInfo.manufacturerID } } : {}),
        dodfs: st.dodfs.map((d) => fidHex(d.fid)),
        files: st.files.map(fileSummary),
        ...(st.issues.length ? { issues: st.issues } : {}),
      };
      const text = stringify(doc);
      if (argv.out) writeFileSync(argv.out, text);
      output(argv, doc, () => (argv.out ? `wrote ${argv.out}` : text));
    });
  },
};

interface RollbackArgs extends GlobalArgs {
  backup: string;
  'backup-dir'?: string;
}

const rollback: CommandModule<GlobalArgs, RollbackArgs> = {
  command: 'rollback <backup>',
  describe: 'restore the bootstrap data saved by a previous profile write (the same atomic switch)',
  builder: (y) =>
    y
      .positional('backup', { type: 'string', demandOption: true, describe: 'backup JSON from profile write' })
      .option('backup-dir', { type: 'string', default: 'simdm-backups', describe: 'where the backup of the current state goes' })
      .option('force', { type: 'boolean', describe: 'present ADM keys even with one try left' }) as Argv<RollbackArgs>,
  handler: async (argv) => {
    const secrets = secretsFor(argv);
    const plan = backupToPlan(loadBackup(argv.backup));
    await withCard(argv, async ({ link }) => {
      const r = await writePlan(link, plan, { secrets, force: !!argv.force, backupDir: argv['backup-dir'] ?? 'simdm-backups' });
      output(argv, r, renderWrite);
    });
  },
};

const cmd: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'profile <command>',
  describe: 'card profiles: validate, compile to an APDU script, write to / read from / diff against a card, roll back',
  builder: (y: Argv<GlobalArgs>) => y.command(validate).command(compile).command(write).command(read).command(diff).command(rollback).demandCommand(1),
  handler: () => undefined,
};
export default cmd;
