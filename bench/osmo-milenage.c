/*
 * libosmocore's MILENAGE in a loop, the native baseline of bench/crypto.ts (which builds and runs
 * this file): `osmo-milenage K OPC RAND SQN_PREV MS` prints
 *   vector <sqn> <autn> <res> <ck> <ik>   for RAND with SQN_PREV + 1 (osmo_auth_gen_vec increments it)
 *   rate <vectors> <seconds>              for a loop of osmo_auth_gen_vec over MS milliseconds,
 *                                         a fresh RAND each iteration (a counter in its last bytes)
 * Build: cc -O2 osmo-milenage.c $(pkg-config --cflags --libs libosmogsm libosmocore)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <osmocom/core/utils.h>
#include <osmocom/crypt/auth.h>

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void hex(const uint8_t *b, int n)
{
	for (int i = 0; i < n; i++)
		printf("%02x", b[i]);
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: %s K OPC RAND SQN_PREV MS\n", argv[0]);
		return 2;
	}
	struct osmo_sub_auth_data aud = { .type = OSMO_AUTH_TYPE_UMTS, .algo = OSMO_AUTH_ALG_MILENAGE };
	struct osmo_auth_vector vec;
	uint8_t rand[16];
	if (osmo_hexparse(argv[1], aud.u.umts.k, 16) != 16 || osmo_hexparse(argv[2], aud.u.umts.opc, 16) != 16 ||
	    osmo_hexparse(argv[3], rand, 16) != 16) {
		fprintf(stderr, "K, OPC and RAND are 16 bytes of hex\n");
		return 2;
	}
	aud.u.umts.amf[0] = 0x80;
	aud.u.umts.sqn = strtoull(argv[4], NULL, 10);
	double ms = strtod(argv[5], NULL);

	if (osmo_auth_gen_vec(&vec, &aud, rand) != 0)
		return 1;
	printf("vector %" PRIu64 " ", aud.u.umts.sqn);
	hex(vec.autn, 16);
	printf(" ");
	hex(vec.res, vec.res_len);
	printf(" ");
	hex(vec.ck, 16);
	printf(" ");
	hex(vec.ik, 16);
	printf("\n");

	unsigned sink = 0;
	uint64_t n = 0;
	double start = now(), t = start;
	while ((t - start) * 1000 < ms) {
		for (int i = 0; i < 1024; i++, n++) {
			memcpy(rand + 12, &n, 4);
			osmo_auth_gen_vec(&vec, &aud, rand);
			sink += vec.res[0];
		}
		t = now();
	}
	printf("rate %" PRIu64 " %.6f\n", n, t - start);
	return sink == 0xffffffffu ? 3 : 0;
}
