/**
 * Access control lists on the agent's DM tree (OMA-TS-DM_TND V1.2 7.7.1 ACL property):
 *  - an ACL is `Cmd=ServerID(+ServerID)*` entries joined by `&`, Cmd one of Add, Delete, Exec,
 *    Get, Replace; `*` grants every server;
 *  - a node without an ACL of its own (absent or empty) takes its parent's, up to the root, whose
 *    ACL is never empty;
 *  - Add needs Add on the parent (the nearest existing one when interior nodes are created with
 *    the leaf), Delete/Get/Replace/Exec the command on the node; Get of a node's ACL needs Get on
 *    the node; changing it (7.7.1.3) needs Replace on the parent, or for an interior node Replace
 *    on the node itself (on the root, the root's);
 *  - a command not permitted is answered 425 (permission denied).
 * ACLs are tree state (DeviceTree.acl, keyed by URI) and are not written to the card.
 */
/** The part of the DeviceTree (tree.ts) ACLs live in. */
interface AclTree {
  acl?: Record<string, string>;
}

export const ACL_COMMANDS = ['Add', 'Delete', 'Exec', 'Get', 'Replace'] as const;
export type AclCommand = (typeof ACL_COMMANDS)[number];

/**
 * The root's ACL when none was set: every authenticated server may do everything (simdm's
 * default; TND 7.7.1.2 asks for Add=* at least). DM accounts are sealed per server (ownerAcl).
 */
export const ROOT_ACL = 'Add=*&Delete=*&Exec=*&Get=*&Replace=*';

// TND 7.7.1.5: printable characters except '=', '&', '*', '+' and white space
const SERVER_ID = /^[^&+=*\s]{1,256}$/;

/** Parses an ACL value; undefined when it does not follow TND 7.7.1 (empty: no entries). */
export function parseAcl(value: string): Map<AclCommand, Set<string>> | undefined {
  const out = new Map<AclCommand, Set<string>>();
  if (value === '') return out;
  for (const entry of value.split('&')) {
    const eq = entry.indexOf('=');
    if (eq < 0) return undefined;
    const cmd = entry.slice(0, eq) as AclCommand;
    if (!ACL_COMMANDS.includes(cmd)) return undefined;
    const ids = entry.slice(eq + 1).split('+');
    if (ids.some((id) => id !== '*' && !SERVER_ID.test(id))) return undefined;
    const set = out.get(cmd) ?? new Set<string>();
    for (const id of ids) set.add(id);
    out.set(cmd, set);
  }
  return out;
}

/** The ACL of ./DMAcc once accounts are in: anyone may list and add, nobody re-ACLs another's account. */
export const DMACC_ACL = 'Add=*&Get=*';

/** The ACL a server gets on the account it was bootstrapped with (full rights, its own only). */
export function ownerAcl(serverId: string): string {
  return ACL_COMMANDS.map((c) => `${c}=${serverId}`).join('&');
}

export function parentOf(uri: string): string {
  const i = uri.lastIndexOf('/');
  return i <= 0 ? '.' : uri.slice(0, i);
}

/** The ACL in force on `uri`: its own, else the nearest ancestor's, else ROOT_ACL. */
export function effectiveAcl(tree: AclTree, uri: string): string {
  for (let u = uri; ; u = parentOf(u)) {
    const own = tree.acl?.[u];
    if (own) return own;
    if (u === '.') return ROOT_ACL;
  }
}

/** Whether `serverId` may run `cmd` on `uri`. */
export function permits(tree: AclTree, uri: string, cmd: AclCommand, serverId: string): boolean {
  const ids = parseAcl(effectiveAcl(tree, uri))?.get(cmd);
  return ids !== undefined && (ids.has('*') || ids.has(serverId));
}

/** Removes the ACLs of `uri` and its subtree (the node was deleted). */
export function dropAcls(tree: AclTree, uri: string): void {
  if (!tree.acl) return;
  for (const k of Object.keys(tree.acl)) if (k === uri || k.startsWith(`${uri}/`)) delete tree.acl[k];
}
