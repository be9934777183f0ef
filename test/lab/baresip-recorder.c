/*
 * labrec: an audio player module for baresip 1.0.0 that records what the
 * phone plays, for the SIP lab (test/lab/baresip.ts). Built by the lab at
 * start with the system's gcc against libre's headers.
 *
 * Why a player and not baresip's own `sndfile` filter: baresip 1.0.0 flushes
 * a call's receive filter chain on every re-INVITE that is not sendrecv (a
 * hold) and only rebuilds it when the send chain is empty too, which it never
 * is — so `sndfile` stops recording the first time the console holds the
 * caller. The player, by contrast, is allocated again on that same reset and
 * keeps receiving the decoded audio.
 *
 * Each player instance writes raw signed 16-bit little-endian samples to
 * `<device>-<n>-<rate>-<channels>.raw`, paced in real time by its own thread
 * (one ptime frame per period, as a sound card would pull them), and flushed
 * after every frame so the lab can read the last seconds while the call runs.
 * Silence is written as silence: a stream that receives nothing still grows.
 *
 * Only the module interface of baresip 1.0.0 (include/baresip.h) is declared
 * here; the core resolves the rest.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>

/* ---- baresip 1.0.0 audio player interface ---- */
struct auplay;
struct auplay_prm {
	uint32_t srate;
	uint8_t ch;
	uint32_t ptime;
	int fmt; /* enum aufmt: 0 = S16LE */
};
typedef void(auplay_write_h)(void *sampv, size_t sampc, void *arg);
struct auplay_st;
typedef int(auplay_alloc_h)(struct auplay_st **stp, const struct auplay *ap, struct auplay_prm *prm, const char *device,
			    auplay_write_h *wh, void *arg);
int auplay_register(struct auplay **pp, struct list *auplayl, const char *name, auplay_alloc_h *alloch);
struct list *baresip_auplayl(void);

/* The core reads the base-class pointer first (auplay_get). */
struct auplay_st {
	const struct auplay *ap;
	pthread_t thread;
	volatile int run;
	int started;
	auplay_write_h *wh;
	void *arg;
	int16_t *sampv;
	size_t sampc;
	uint32_t ptime;
	FILE *out;
};

static struct auplay *labrec;
static unsigned instances;

static void add_ms(struct timespec *t, uint32_t ms)
{
	t->tv_nsec += (long)ms * 1000000L;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec += 1;
	}
}

static void *play_thread(void *arg)
{
	struct auplay_st *st = arg;
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (st->run) {
		st->wh(st->sampv, st->sampc, st->arg);
		fwrite(st->sampv, sizeof(int16_t), st->sampc, st->out);
		fflush(st->out);
		add_ms(&next, st->ptime);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	return NULL;
}

static void destructor(void *arg)
{
	struct auplay_st *st = arg;

	if (st->started) {
		st->run = 0;
		pthread_join(st->thread, NULL);
	}
	if (st->out)
		fclose(st->out);
	free(st->sampv);
}

static int alloc(struct auplay_st **stp, const struct auplay *ap, struct auplay_prm *prm, const char *device,
		 auplay_write_h *wh, void *arg)
{
	struct auplay_st *st;
	char path[1024];

	if (!stp || !ap || !prm || !wh || !device || !*device)
		return EINVAL;
	if (prm->fmt != 0)
		return ENOTSUP;

	st = mem_zalloc(sizeof(*st), destructor);
	if (!st)
		return ENOMEM;
	st->ap = ap;
	st->wh = wh;
	st->arg = arg;
	st->ptime = prm->ptime ? prm->ptime : 20;
	st->sampc = (size_t)prm->srate * prm->ch * st->ptime / 1000;
	st->sampv = calloc(st->sampc, sizeof(int16_t));
	snprintf(path, sizeof(path), "%s-%u-%u-%u.raw", device, ++instances, prm->srate, prm->ch);
	st->out = fopen(path, "wb");
	if (!st->sampv || !st->out) {
		mem_deref(st);
		return ENOMEM;
	}
	st->run = 1;
	if (pthread_create(&st->thread, NULL, play_thread, st) != 0) {
		st->run = 0;
		mem_deref(st);
		return ENOMEM;
	}
	st->started = 1;
	*stp = st;
	return 0;
}

static int module_init(void)
{
	return auplay_register(&labrec, baresip_auplayl(), "labrec", alloc);
}

static int module_close(void)
{
	labrec = mem_deref(labrec);
	return 0;
}

EXPORT_SYM const struct mod_export exports = {
	"labrec",
	"sound",
	module_init,
	module_close,
};
