/* Text drawing cost on a 1920x1080 ARGB software renderer: a screenful of
 * text (40 lines of 30 characters, mostly Chinese, at 36 px) drawn cold (empty
 * glyph cache: every glyph rasterised and uploaded) and then from the cache.
 * Prints "name value" lines for tests/bench/bench.sh.
 * Usage: bench_text [FONT [FACE [FRAMES]]] */
#include "ui/text.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 1920
#define H 1080
#define LINES 40
#define CHARS 30
#define PX 36

/* About 600 distinct common characters, so the screen needs several hundred
 * glyphs, as a notice board page does. */
static const char POOL[] =
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二"
    "理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社"
    "义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没"
    "结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活"
    "设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放"
    "决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争"
    "济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具"
    "万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石"
    "记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素"
    "技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存"
    "候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红"
    "细引听该铁价严龙飞缴费水电燃气物业";

static const char *const LATIN[] = {"Pay", "bills", "Water", "Notice", "Kiosk", "Help"};

static double now_us(void)
{
    return (double)SDL_GetPerformanceCounter() * 1e6 / (double)SDL_GetPerformanceFrequency();
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Line I of the screen: 26 pool characters and a 4-6 letter English word
 * (padded to 30 characters with pool characters). */
static void make_line(int i, char *buf, size_t cap)
{
    size_t n = 0, pool_chars = (sizeof POOL - 1) / 3;
    int chars = 0;
    const char *word = LATIN[i % 6];
    for (int k = 0; chars < CHARS; k++) {
        if (k == 10 && n + strlen(word) + 3 < cap) {
            buf[n++] = ' ';
            memcpy(buf + n, word, strlen(word));
            n += strlen(word);
            buf[n++] = ' ';
            chars += (int)strlen(word) + 2;
            continue;
        }
        size_t c = ((size_t)i * 37 + (size_t)k * 11) % pool_chars;
        if (n + 4 >= cap) break;
        memcpy(buf + n, POOL + c * 3, 3);
        n += 3;
        chars++;
    }
    buf[n] = '\0';
}

static double draw_screen(SDL_Renderer *r, ui_text_t *t, char lines[LINES][128])
{
    static const SDL_Color ink = {20, 30, 40, 255};
    SDL_SetRenderDrawColor(r, 255, 255, 255, 255);
    SDL_RenderClear(r);
    SDL_RenderFlush(r);
    double t0 = now_us();
    for (int i = 0; i < LINES; i++)
        ui_text_draw(t, PX, lines[i], -1, 20, i * (H / LINES), ink);
    SDL_RenderFlush(r);          /* the software renderer blits here */
    return now_us() - t0;
}

int main(int argc, char **argv)
{
    const char *font = argc > 1 ? argv[1] : "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
    int face = argc > 2 ? atoi(argv[2]) : 2;
    int frames = argc > 3 ? atoi(argv[3]) : 300;
    if (frames < 10) frames = 10;

    setenv("SDL_VIDEODRIVER", "dummy", 0);
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "bench_text: SDL_Init: %s\n", SDL_GetError());
        return 1;
    }
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = surf ? SDL_CreateSoftwareRenderer(surf) : NULL;
    double *samples = malloc((size_t)frames * sizeof *samples);
    if (!r || !samples) {
        fprintf(stderr, "bench_text: setup: %s\n", SDL_GetError());
        return 1;
    }
    char err[256];
    ui_text_t *t = ui_text_create(r, font, face, err, sizeof err);
    if (!t) {
        fprintf(stderr, "bench_text: %s\n", err);
        return 1;
    }
    static char lines[LINES][128];
    for (int i = 0; i < LINES; i++) make_line(i, lines[i], sizeof lines[i]);

    double cold = draw_screen(r, t, lines);
    ui_text_stats_t st;
    ui_text_stats(t, &st);

    for (int i = 0; i < frames; i++) samples[i] = draw_screen(r, t, lines);
    ui_text_stats_t st2;
    ui_text_stats(t, &st2);
    double sum = 0;
    for (int i = 0; i < frames; i++) sum += samples[i];
    qsort(samples, (size_t)frames, sizeof *samples, cmp_double);
    size_t p99 = (size_t)((frames - 1) * 0.99);

    /* Layout cost of the same screen: measuring and wrapping (cached). */
    double t0 = now_us();
    int reps = 100;
    for (int k = 0; k < reps; k++)
        for (int i = 0; i < LINES; i++) {
            ui_line_t out[8];
            ui_text_wrap(t, PX, lines[i], 600, out, 8);
        }
    double wrap_us = (now_us() - t0) / reps;

    printf("text_draw_cold_us %.0f\n", cold);
    printf("text_draw_cached_mean_us %.0f\n", sum / frames);
    printf("text_draw_cached_p99_us %.0f\n", samples[p99]);
    printf("text_wrap_screen_us %.0f\n", wrap_us);
    printf("text_glyphs_per_frame %u\n", (st2.draws - st.draws) / (unsigned)frames);
    printf("text_atlas_glyphs %u\n", st.glyphs);
    printf("text_atlas_pages %u\n", st.pages);
    printf("text_rasterised_cached_frames %u\n", st2.rasterised - st.rasterised);

    ui_text_destroy(t);
    free(samples);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(surf);
    SDL_Quit();
    return 0;
}
