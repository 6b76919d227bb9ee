#include "scanner/image_source.h"

#include <SDL.h>
#include <SDL_image.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void image_src_rgba_to_y800(const uint8_t *rgba, int w, int h, int pitch, uint8_t *dst)
{
    for (int y = 0; y < h; y++) {
        const uint8_t *p = rgba + (size_t)pitch * (size_t)y;
        uint8_t *d = dst + (size_t)w * (size_t)y;
        for (int x = 0; x < w; x++, p += 4) {
            unsigned luma = (77u * p[0] + 150u * p[1] + 29u * p[2] + 128u) >> 8;
            unsigned a = p[3];
            d[x] = (uint8_t)((luma * a + 255u * (255u - a) + 127u) / 255u);
        }
    }
}

static int has_image_ext(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg"));
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void image_src_close(image_src_t *s)
{
    for (size_t i = 0; i < s->count; i++) free(s->files[i]);
    free(s->files);
    memset(s, 0, sizeof *s);
}

static int add_file(image_src_t *s, size_t *cap, const char *dir, const char *name)
{
    if (s->count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        char **nf = realloc(s->files, ncap * sizeof *nf);
        if (!nf) return -1;
        s->files = nf;
        *cap = ncap;
    }
    size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    char *p = malloc(n);
    if (!p) return -1;
    if (dir) snprintf(p, n, "%s/%s", dir, name);
    else snprintf(p, n, "%s", name);
    s->files[s->count++] = p;
    return 0;
}

int image_src_open(image_src_t *s, const char *path, char *err, int errlen)
{
    memset(s, 0, sizeof *s);
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 0;
    if (!S_ISDIR(st.st_mode)) {
        if (add_file(s, &cap, NULL, path) != 0) goto oom;
        return 0;
    }
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* Without the trailing slash, so names read "dir/001.png". */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--) dir[n - 1] = '\0';
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !has_image_ext(de->d_name)) continue;
        if (s->count == IMAGE_SRC_MAX_FILES) {
            closedir(d);
            image_src_close(s);
            snprintf(err, errlen, "%s: more than %d pictures", path, IMAGE_SRC_MAX_FILES);
            return -1;
        }
        if (add_file(s, &cap, dir, de->d_name) != 0) {
            closedir(d);
            goto oom;
        }
    }
    closedir(d);
    if (s->count == 0) {
        image_src_close(s);
        snprintf(err, errlen, "%s: no PNG or JPEG files", path);
        return -1;
    }
    qsort(s->files, s->count, sizeof *s->files, cmp_names);
    return 0;
oom:
    image_src_close(s);
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
}

int image_src_next(image_src_t *s, uint8_t **y, int *w, int *h, const char **name,
                   char *err, int errlen)
{
    *y = NULL;
    if (s->next >= s->count) return 0;
    const char *file = s->files[s->next++];
    if (name) *name = file;
    SDL_Surface *img = IMG_Load(file);
    if (!img) {
        snprintf(err, errlen, "%s: %s", file, IMG_GetError());
        return -1;
    }
    if (img->w <= 0 || img->h <= 0 || img->w > IMAGE_SRC_MAX_DIM || img->h > IMAGE_SRC_MAX_DIM) {
        snprintf(err, errlen, "%s: %dx%d is not 1-%d pixels a side", file, img->w, img->h, IMAGE_SRC_MAX_DIM);
        SDL_FreeSurface(img);
        return -1;
    }
    SDL_Surface *rgba = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_RGBA32, 0);
    SDL_FreeSurface(img);
    if (!rgba) {
        snprintf(err, errlen, "%s: %s", file, SDL_GetError());
        return -1;
    }
    uint8_t *out = malloc((size_t)rgba->w * (size_t)rgba->h);
    if (!out) {
        SDL_FreeSurface(rgba);
        snprintf(err, errlen, "%s: out of memory", file);
        return -1;
    }
    if (SDL_MUSTLOCK(rgba)) SDL_LockSurface(rgba);
    image_src_rgba_to_y800(rgba->pixels, rgba->w, rgba->h, rgba->pitch, out);
    if (SDL_MUSTLOCK(rgba)) SDL_UnlockSurface(rgba);
    *y = out;
    *w = rgba->w;
    *h = rgba->h;
    SDL_FreeSurface(rgba);
    return 1;
}
