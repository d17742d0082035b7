/* simdm interop driver for libdmclient (written for simdm's interop test; not part of libdmclient).
 * Opens one client-initiated OMA DM 1.2 session with the DM server named by the environment:
 *   DM_URL, DM_SERVER_ID, DM_AUTH (DIGEST|HMAC), DM_CLIENT_NAME, DM_CLIENT_SECRET, DM_CLIENT_NONCE (b64),
 *   DM_SERVER_NAME, DM_SERVER_SECRET, DM_SERVER_NONCE (b64), DM_WBXML=1, DM_CONTENT_TYPE (override),
 *   DM_PLUGINS (dir with libdmclient's modevinfo.so / modevdetails.so test MOs), DM_DUMP (dir: msgs saved).
 * The DMAcc MO is an in-memory table built from those values. For HMAC the driver computes the
 * x-syncml-hmac header of each message (libdmclient leaves it to the application) and checks the
 * server's x-syncml-hmac on each answer. Exit 0 when the session ended normally. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dlfcn.h>
#include <ctype.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <omadmclient.h>

#define URN_DMACC "urn:oma:mo:oma-dm-dmacc:1.0"
#define MAXN 64
typedef struct { char *uri; int leaf; const char *urn; char *acl; char *val; unsigned len; } node_t;
static node_t nodes[MAXN];
static int nnodes;

static const char *env(const char *n, const char *d) { const char *v = getenv(n); return v ? v : d; }

static int b64dec(const char *in, unsigned char *out) {
  int n = 0; unsigned acc = 0; int bits = 0;
  for (; *in; in++) {
    const char *tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(tbl, *in);
    if (*in == '=' || !p) continue;
    acc = (acc << 6) | (unsigned)(p - tbl); bits += 6;
    if (bits >= 8) { bits -= 8; out[n++] = (acc >> bits) & 0xff; }
  }
  return n;
}
static void b64enc(const unsigned char *in, int len, char *out) { EVP_EncodeBlock((unsigned char *)out, in, len); }
static void md5(const unsigned char *d, size_t n, unsigned char o[16]) { unsigned l; EVP_Digest(d, n, o, &l, EVP_md5(), NULL); }

static void add(const char *uri, int leaf, const char *urn, const char *acl, const unsigned char *val, int len) {
  node_t *x = &nodes[nnodes++];
  x->uri = strdup(uri); x->leaf = leaf; x->urn = urn; x->acl = acl ? strdup(acl) : NULL;
  if (len < 0) len = val ? (int)strlen((const char *)val) : 0;
  x->val = malloc(len + 1); if (len) memcpy(x->val, val, len); x->val[len] = 0; x->len = len;
}
static node_t *find(const char *uri) { for (int i = 0; i < nnodes; i++) if (!strcmp(nodes[i].uri, uri)) return &nodes[i]; return NULL; }

static int mo_is_node(const char *uri, omadmtree_node_kind_t *k, void *d) {
  node_t *x = find(uri); *k = !x ? OMADM_NODE_NOT_EXIST : x->leaf ? OMADM_NODE_IS_LEAF : OMADM_NODE_IS_INTERIOR; return 0;
}
static int mo_find_urn(const char *urn, char ***out, void *d) {
  int c = 0; *out = calloc(MAXN + 1, sizeof(char *));
  for (int i = 0; i < nnodes; i++) if (nodes[i].urn && !strcmp(nodes[i].urn, urn)) (*out)[c++] = strdup(nodes[i].uri);
  if (!c) { free(*out); *out = NULL; return 404; }
  return 0;
}
static int mo_get(dmtree_node_t *n, void *d) {
  node_t *x = find(n->uri); if (!x) return 404;
  n->format = strdup(x->leaf ? "chr" : "node"); n->type = x->leaf ? strdup("text/plain") : NULL;
  n->data_buffer = malloc(x->len + 1); memcpy(n->data_buffer, x->val, x->len + 1); n->data_size = x->len; return 0;
}
static int mo_set(const dmtree_node_t *n, void *d) {
  node_t *x = find(n->uri); if (!x || !x->leaf) return 405;
  free(x->val); x->val = malloc(n->data_size + 1); memcpy(x->val, n->data_buffer, n->data_size); x->val[n->data_size] = 0; x->len = n->data_size;
  fprintf(stderr, "driver: %s set (%u bytes)\n", n->uri, n->data_size); return 0;
}
static int mo_init(void **d) { *d = nodes; return 0; }
static int mo_get_acl(const char *uri, char **acl, void *d) { node_t *x = find(uri); if (!x) return 404; *acl = x->acl ? strdup(x->acl) : NULL; return 0; }

static void account(const char *sid, int srvcred) {
  unsigned char nonce[256]; int nl;
  char acl[300]; snprintf(acl, sizeof acl, "Get=%s&Replace=%s", sid, sid);
  add("./DMAcc", 0, NULL, "Get=*", (const unsigned char *)"simdm", -1);
  add("./DMAcc/simdm", 0, URN_DMACC, acl, (const unsigned char *)"AppID/ServerID/Name/AppAddr/AppAuth", -1);
  add("./DMAcc/simdm/AppID", 1, NULL, NULL, (const unsigned char *)"w7", -1);
  add("./DMAcc/simdm/ServerID", 1, NULL, NULL, (const unsigned char *)sid, -1);
  add("./DMAcc/simdm/Name", 1, NULL, NULL, (const unsigned char *)"simdm interop", -1);
  add("./DMAcc/simdm/AppAddr", 0, NULL, NULL, (const unsigned char *)"url", -1);
  add("./DMAcc/simdm/AppAddr/url", 0, NULL, NULL, (const unsigned char *)"Addr/AddrType", -1);
  add("./DMAcc/simdm/AppAddr/url/Addr", 1, NULL, NULL, (const unsigned char *)env("DM_URL", ""), -1);
  add("./DMAcc/simdm/AppAddr/url/AddrType", 1, NULL, NULL, (const unsigned char *)"URI", -1);
  add("./DMAcc/simdm/AppAuth", 0, NULL, NULL, (const unsigned char *)(srvcred ? "toserver/toclient" : "toserver"), -1);
  const char *lv[2] = {"toserver", "toclient"};
  for (int i = 0; i < (srvcred ? 2 : 1); i++) {
    char b[128];
    snprintf(b, sizeof b, "./DMAcc/simdm/AppAuth/%s", lv[i]);
    add(b, 0, NULL, NULL, (const unsigned char *)"AAuthLevel/AAuthType/AAuthName/AAuthSecret/AAuthData", -1);
    char u[160];
    snprintf(u, sizeof u, "%s/AAuthLevel", b); add(u, 1, NULL, NULL, (const unsigned char *)(i ? "SRVCRED" : "CLCRED"), -1);
    snprintf(u, sizeof u, "%s/AAuthType", b); add(u, 1, NULL, NULL, (const unsigned char *)env("DM_AUTH", "DIGEST"), -1);
    snprintf(u, sizeof u, "%s/AAuthName", b); add(u, 1, NULL, NULL, (const unsigned char *)env(i ? "DM_SERVER_NAME" : "DM_CLIENT_NAME", ""), -1);
    snprintf(u, sizeof u, "%s/AAuthSecret", b); add(u, 1, NULL, "", (const unsigned char *)env(i ? "DM_SERVER_SECRET" : "DM_CLIENT_SECRET", ""), -1);
    nl = b64dec(env(i ? "DM_SERVER_NONCE" : "DM_CLIENT_NONCE", ""), nonce);
    snprintf(u, sizeof u, "%s/AAuthData", b); add(u, 1, NULL, "", nonce, nl);
  }
}

/* DM_Security 5.5.3: mac = B64(MD5(B64(MD5(name:secret)):nonce:B64(MD5(body)))) */
static void hmac_value(const char *name, const char *secret, const unsigned char *nonce, int nl, const unsigned char *body, long bl, char *out) {
  unsigned char h[16]; char hb[32], bb[32];
  size_t l = strlen(name) + strlen(secret) + 2; char *a = malloc(l); snprintf(a, l, "%s:%s", name, secret);
  md5((unsigned char *)a, strlen(a), h); b64enc(h, 16, hb); free(a);
  md5(body, bl, h); b64enc(h, 16, bb);
  size_t dl = strlen(hb) + 1 + nl + 1 + strlen(bb); unsigned char *dd = malloc(dl);
  memcpy(dd, hb, strlen(hb)); dd[strlen(hb)] = ':'; memcpy(dd + strlen(hb) + 1, nonce, nl); dd[strlen(hb) + 1 + nl] = ':'; memcpy(dd + strlen(hb) + 2 + nl, bb, strlen(bb));
  md5(dd, dl, h); b64enc(h, 16, out); free(dd);
}

typedef struct { unsigned char *data; size_t len; char hmac[512]; } reply_t;
static size_t on_body(void *p, size_t s, size_t n, void *u) { reply_t *r = u; r->data = realloc(r->data, r->len + s * n); memcpy(r->data + r->len, p, s * n); r->len += s * n; return s * n; }
static size_t on_header(char *p, size_t s, size_t n, void *u) {
  reply_t *r = u; size_t l = s * n;
  if (l > 15 && !strncasecmp(p, "x-syncml-hmac:", 14)) { size_t k = l - 14; if (k >= sizeof r->hmac) k = sizeof r->hmac - 1; memcpy(r->hmac, p + 14, k); r->hmac[k] = 0;
    for (char *e = r->hmac + strlen(r->hmac) - 1; e >= r->hmac && isspace((unsigned char)*e); e--) *e = 0; }
  return l;
}
static void dump(const char *tag, int i, const unsigned char *d, long n, int wbxml) {
  const char *dir = getenv("DM_DUMP");
  if (dir) { char f[512]; snprintf(f, sizeof f, "%s/%02d-%s.%s", dir, i, tag, wbxml ? "wbxml" : "xml"); FILE *o = fopen(f, "wb"); if (o) { fwrite(d, 1, n, o); fclose(o); } }
  if (!wbxml) fprintf(stderr, "---- %s %d ----\n%.*s\n", tag, i, (int)n, (const char *)d);
  else { fprintf(stderr, "---- %s %d (%ld bytes WBXML) ----\n", tag, i, n); for (long k = 0; k < n; k++) fprintf(stderr, "%02X%s", d[k], (k % 32 == 31) ? "\n" : ""); fprintf(stderr, "\n"); }
}

static int ui(void *u, const dmclt_ui_t *a, char *reply) { fprintf(stderr, "driver: UI alert %d: %s\n", a->type, a->disp_msg ? a->disp_msg : ""); return 200; }

static void load(dmclt_session s, const char *dir, const char *so) {
  char f[512]; snprintf(f, sizeof f, "%s/%s", dir, so);
  void *h = dlopen(f, RTLD_NOW); if (!h) { fprintf(stderr, "driver: %s\n", dlerror()); exit(2); }
  omadm_mo_interface_t *(*get)(void) = (omadm_mo_interface_t *(*)(void))dlsym(h, "omadm_get_mo_interface");
  if (!get || omadmclient_session_add_mo(s, get()) != DMCLT_ERR_NONE) { fprintf(stderr, "driver: cannot add %s\n", so); exit(2); }
}

int main(void) {
  int wbxml = !strcmp(env("DM_WBXML", "0"), "1");
  int hmac = !strcasecmp(env("DM_AUTH", "DIGEST"), "HMAC");
  const char *ct = env("DM_CONTENT_TYPE", wbxml ? "application/vnd.syncml.dm+wbxml" : "application/vnd.syncml.dm+xml");
  const char *sid = env("DM_SERVER_ID", "simdm");
  dmclt_session s = omadmclient_session_init(wbxml);
  if (!s) return 2;
  omadmclient_set_UI_callback(s, ui, NULL);
  load(s, env("DM_PLUGINS", "."), "modevinfo.so");
  load(s, env("DM_PLUGINS", "."), "modevdetails.so");
  /* with HMAC, libdmclient cannot check a server credential itself (it checks only a Cred in
     SyncHdr): the SRVCRED stays out of its tree and the driver checks the x-syncml-hmac header */
  account(sid, !hmac);
  omadm_mo_interface_t *mo = calloc(1, sizeof *mo);
  mo->base_uri = strdup("./DMAcc"); mo->initFunc = mo_init; mo->isNodeFunc = mo_is_node; mo->findURNFunc = mo_find_urn; mo->getFunc = mo_get; mo->setFunc = mo_set; mo->getACLFunc = mo_get_acl;
  if (omadmclient_session_add_mo(s, mo) != DMCLT_ERR_NONE) { fprintf(stderr, "driver: cannot add DMAcc\n"); return 2; }
  if (omadmclient_session_start(s, (char *)sid, 1) != DMCLT_ERR_NONE) { fprintf(stderr, "driver: session_start failed\n"); return 2; }
  unsigned char snonce[256]; int snl = b64dec(env("DM_SERVER_NONCE", ""), snonce);
  CURL *c = curl_easy_init();
  dmclt_err_t err; int i = 0; long status = 200; int rc = 0;
  for (;;) {
    dmclt_buffer_t pkt; err = omadmclient_get_next_packet(s, &pkt);
    if (err != DMCLT_ERR_NONE) break;
    i++;
    dump("client", i, pkt.data, pkt.length, wbxml);
    struct curl_slist *hl = NULL; char h[700];
    snprintf(h, sizeof h, "Content-Type: %s", ct); hl = curl_slist_append(hl, h);
    if (pkt.auth_type == DMCLT_AUTH_TYPE_HMAC) {
      char mac[64]; hmac_value(env("DM_CLIENT_NAME", ""), env("DM_CLIENT_SECRET", ""), pkt.auth_data, (int)pkt.auth_data_length, pkt.data, pkt.length, mac);
      snprintf(h, sizeof h, "x-syncml-hmac: algorithm=MD5, username=\"%s\", mac=%s", env("DM_CLIENT_NAME", ""), mac); hl = curl_slist_append(hl, h);
      fprintf(stderr, "driver: %s\n", h);
    }
    reply_t r; memset(&r, 0, sizeof r);
    curl_easy_setopt(c, CURLOPT_URL, pkt.uri);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)pkt.length);
    curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, (void *)pkt.data);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body); curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header); curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    if (getenv("DM_CA")) curl_easy_setopt(c, CURLOPT_CAINFO, getenv("DM_CA"));
    CURLcode cc = curl_easy_perform(c);
    status = 0; if (cc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hl);
    fprintf(stderr, "driver: HTTP %ld from %s%s%s\n", status, pkt.uri, cc == CURLE_OK ? "" : ": ", cc == CURLE_OK ? "" : curl_easy_strerror(cc));
    omadmclient_clean_buffer(&pkt);
    if (status != 200) { rc = 3; free(r.data); break; }
    dump("server", i, r.data, r.len, wbxml);
    if (hmac) {
      char want[64]; hmac_value(env("DM_SERVER_NAME", ""), env("DM_SERVER_SECRET", ""), snonce, snl, r.data, r.len, want);
      char *m = strstr(r.hmac, "mac=");
      if (!m || strncmp(m + 4, want, strlen(want))) { fprintf(stderr, "driver: server x-syncml-hmac missing or wrong (%s)\n", r.hmac); rc = 4; free(r.data); break; }
      fprintf(stderr, "driver: server x-syncml-hmac verified\n");
    }
    dmclt_buffer_t rb; memset(&rb, 0, sizeof rb); rb.data = r.data; rb.length = r.len;
    if (omadmclient_process_reply(s, &rb) != DMCLT_ERR_NONE) { fprintf(stderr, "driver: libdmclient could not process the answer\n"); rc = 5; free(r.data); break; }
    free(r.data);
    if (i > 10) { rc = 6; break; }
  }
  curl_easy_cleanup(c);
  omadmclient_session_close(s);
  if (!rc && err != DMCLT_ERR_END) rc = 7;
  fprintf(stderr, "driver: session %s after %d messages (rc %d)\n", rc ? "failed" : "ended", i, rc);
  return rc;
}
