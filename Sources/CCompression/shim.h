#ifndef LOSTMAIL_CCOMPRESSION_SHIM_H
#define LOSTMAIL_CCOMPRESSION_SHIM_H
#include <zlib.h>
#include <bzlib.h>
#include <lzma.h>
#include <zstd.h>
#endif
