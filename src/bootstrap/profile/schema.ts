/**
 * The card profile (card-profiles/*.yaml), validated with zod. Field meanings and the standards
 * behind them are in docs/profiles.md. Values may hold `${ICCID}`, `${IMSI}` or any `--vars`
 * name, and `${SECRET:NAME}` (resolved from SIMDM_<NAME> / --keys at compile time).
 */
import { z } from 'zod';

const hex = z.string().regex(/^([0-9A-Fa-f]{2})+$/, 'hex bytes');
const fid = z
  .union([z.string().regex(/^[0-9A-Fa-f]{4}$/, '4 hex digits'), z.number().int()])
  .transform((v) => (typeof v === 'number' ? parseInt(String(v), 16) : parseInt(v, 16)));
const keyName = z.string().regex(/^ADM(10|[1-9])$/, 'an ADM key name, ADM1..ADM10');

const Authority = z.union([keyName.transform((key) => ({ key })), z.object({ key: keyName, dodf: fid.optional() }).strict()]);

const Auth = z
  .object({
    level: z.string().optional(),
    type: z.string().optional(),
    name: z.string().optional(),
    secret: z.string().optional(),
    data: z.string().optional(),
  })
  .strict();

const CpSchema = z
  .object({
    /** import an existing OMA CP XML document (path relative to the profile) instead of typed fields */
    xml: z.string().optional(),
    bootstrap: z.object({ name: z.string().optional(), provurl: z.string().optional(), proxyId: z.string().optional() }).strict().optional(),
    napdef: z
      .array(
        z
          .object({
            napid: z.string().min(1),
            name: z.string().optional(),
            bearer: z.string().optional(),
            apn: z.string().min(1),
            addrType: z.string().optional(),
            linger: z.number().int().min(0).optional(),
            auth: z.object({ type: z.string(), name: z.string().optional(), secret: z.string().optional() }).strict().optional(),
            validity: z.array(z.object({ country: z.string(), network: z.string().optional() }).strict()).optional(),
          })
          .strict(),
      )
      .optional(),
    pxlogical: z
      .array(
        z
          .object({
            proxyId: z.string().min(1),
            name: z.string().optional(),
            startpage: z.string().optional(),
            auth: z.object({ type: z.string(), id: z.string().optional(), pw: z.string().optional() }).strict().optional(),
            ports: z.array(z.object({ portnbr: z.number().int().min(1).max(65535), service: z.string().optional() }).strict()).optional(),
            physical: z
              .array(z.object({ id: z.string(), addr: z.string(), addrType: z.string().optional(), toNapid: z.array(z.string()).min(1) }).strict())
              .min(1),
          })
          .strict(),
      )
      .optional(),
    applications: z
      .array(
        z
          .object({
            appid: z.string().min(1),
            providerId: z.string().optional(),
            name: z.string().optional(),
            toProxy: z.array(z.string()).optional(),
            toNapid: z.array(z.string()).optional(),
            addr: z.string().optional(),
            appaddr: z.array(z.object({ addr: z.string(), addrType: z.string().optional(), ports: z.array(z.number().int()).optional() }).strict()).optional(),
            appauth: z.array(Auth).optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

const DmSchema = z
  .object({
    target: z.string().min(1),
    source: z.string().min(1),
    sessionId: z.string().optional(),
    accounts: z
      .array(
        z
          .object({
            nodeName: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a DM node name (letters, digits, _ . -)'),
            serverId: z.string().min(1),
            name: z.string().optional(),
            prefConRef: z.string().optional(),
            addr: z.string().min(1),
            addrType: z.string().optional(),
            port: z.number().int().min(1).max(65535).optional(),
            authPref: z.string().optional(),
            appAuth: z
              .array(
                z
                  .object({
                    level: z.enum(['SRVCRED', 'CLCRED', 'OBEX']),
                    type: z.string(),
                    name: z.string().optional(),
                    secret: z.string().optional(),
                    data: z.string().optional(),
                  })
                  .strict(),
              )
              .default([]),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const Lwm2mSchema = z
  .object({
    servers: z
      .array(
        z
          .object({
            uri: z.string().regex(/^coaps?(\+tcp)?:\/\/|^sms:/, 'a coap://, coaps:// or sms: URI'),
            bootstrap: z.boolean().default(false),
            securityMode: z.enum(['psk', 'rpk', 'cert', 'nosec', 'est']),
            /** PSK identity as text (or identityHex) */
            identity: z.string().optional(),
            identityHex: hex.optional(),
            /** PSK / private key, hex; usually ${SECRET:NAME} */
            secretKey: z.string().optional(),
            serverPublicKey: hex.optional(),
            shortServerId: z.number().int().min(1).max(65534).optional(),
            clientHoldOffTime: z.number().int().min(0).optional(),
            lifetime: z.number().int().min(1).optional(),
            binding: z.string().optional(),
            notificationStoring: z.boolean().optional(),
            apn: z.number().int().min(0).optional(),
          })
          .strict(),
      )
      .min(1),
    apn: z
      .array(
        z
          .object({
            name: z.string(),
            apn: z.string(),
            authType: z.enum(['pap', 'chap', 'pap-or-chap', 'none']).optional(),
            user: z.string().optional(),
            secret: z.string().optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export const FileSchema = z
  .object({
    /** unique name of the file in the profile; also the default DODF label */
    id: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and -'),
    kind: z.enum(['lwm2m', 'dm', 'cpBootstrap', 'cpConfig1', 'cpConfig2']),
    /** which management authority (ADM key) owns the file (OMA DM Bootstrap 6.2.5) */
    authority: z.string().optional(),
    /** DODF label (CommonObjectAttributes.label); default: the kind's label */
    label: z.string().max(64).optional(),
    /** override the OID written in the DODF */
    oid: z
      .string()
      .regex(/^\d+(\.\d+)+$/, 'a dotted OID')
      .optional(),
    /** the two file slots for the atomic switch (FIDs inside DF.PKCS15) */
    fids: z.tuple([fid, fid]).optional(),
    /** size to create the file with (virtual card); on real cards the pre-created size is used */
    size: z.number().int().min(16).max(32767).optional(),
    lwm2m: Lwm2mSchema.optional(),
    dm: DmSchema.optional(),
    cp: CpSchema.optional(),
  })
  .strict();

export const ProfileSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** another profile this one starts from (operator defaults); path relative to this file */
    extends: z.string().optional(),
    /** profiles whose files are added (merged by file id) */
    includes: z.array(z.string()).optional(),
    /** management authorities: name -> ADM key (and optionally the DODF FID it owns) */
    authorities: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/), Authority),
    /** the authority owning EF.DIR's entry, the application, EF.ODF and EF.TokenInfo; default the first */
    owner: z.string().optional(),
    /** OMA DM Bootstrap req. 6.1.4.1-3: ask the user before applying / connect right after bootstrap */
    indications: z
      .object({ userConfirmation: z.boolean().default(false), autoConnect: z.boolean().default(false) })
      .strict()
      .default({ userConfirmation: false, autoConnect: false }),
    application: z
      .object({
        label: z.string().default('PKCS#15 bootstrap'),
        fid: fid.optional(),
        tokenLabel: z.string().optional(),
        manufacturer: z.string().default('simdm'),
        /** EF.TokenInfo serialNumber (hex); default the ICCID digits */
        serialNumber: z.string().optional(),
      })
      .strict()
      .default({ label: 'PKCS#15 bootstrap', manufacturer: 'simdm' }),
    files: z.array(FileSchema).min(1),
    /**
     * device targets the card must load on (docs/profiles.md "Device targets"): validate,
     * compile and write refuse a profile one of them would not load
     */
    targets: z.array(z.enum(['nrf91', 'omapi', 'opensc', 'strict'])).optional(),
    /** layout options: `omapi` adds a DODF in the form the Open Mobile API's searchOID reads */
    layout: z
      .object({ omapi: z.boolean().default(false) })
      .strict()
      .optional(),
  })
  .strict();

export type ProfileInput = z.input<typeof ProfileSchema>;
export type Profile = z.output<typeof ProfileSchema>;
export type ProfileFile = z.output<typeof FileSchema>;
