#ifndef STOREFLEET_CVIPS_SHIM_H
#define STOREFLEET_CVIPS_SHIM_H

#include <vips/vips.h>

/* libvips's operations take NULL-terminated variadic options, which Swift cannot call. These
   typed inline wrappers fix the options Storefleet uses, as CCurl does for curl_easy_setopt. */

/* A thumbnail no larger than width x height, shrunk while loading where the format allows;
   never enlarged; the first frame of an animation. */
static inline int cvips_thumbnail_buffer(void *buf, size_t len, VipsImage **out, int width, int height) {
    return vips_thumbnail_buffer(buf, len, out, width, "height", height, "size", VIPS_SIZE_DOWN, NULL);
}

/* The image's header, read without decoding its pixels. */
static inline VipsImage *cvips_image_new_from_buffer(const void *buf, size_t len) {
    return vips_image_new_from_buffer(buf, len, "", "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL);
}

static inline int cvips_jpegsave_buffer(VipsImage *in, void **buf, size_t *len, int quality) {
    return vips_jpegsave_buffer(in, buf, len, "Q", quality, "strip", TRUE, "optimize_coding", TRUE,
                                "interlace", TRUE, NULL);
}

static inline int cvips_webpsave_buffer(VipsImage *in, void **buf, size_t *len, int quality) {
    return vips_webpsave_buffer(in, buf, len, "Q", quality, "strip", TRUE, NULL);
}

static inline int cvips_pngsave_buffer(VipsImage *in, void **buf, size_t *len) {
    return vips_pngsave_buffer(in, buf, len, "compression", 6, "strip", TRUE, NULL);
}

static inline int cvips_gifsave_buffer(VipsImage *in, void **buf, size_t *len) {
    return vips_gifsave_buffer(in, buf, len, "strip", TRUE, NULL);
}

/* Decodes every pixel, so a damaged file fails here rather than in a later save. */
static inline int cvips_decode_all(VipsImage *in, double *average) {
    return vips_avg(in, average, NULL);
}

#endif
